#!/usr/bin/env bash
# Every command has a man page whose SYNOPSIS is the first usage line of
# `knit <command> -h` (as git's t0450 checks its docs).
. "$(dirname "$0")/lib.sh"

commands=$("$KNIT" help | awk '/^Commands:/ {on=1; next} on && /^    [a-z]/ {print $1} on && /^$/ {on=0}')
[ -n "$commands" ] || not_ok "no commands listed by knit help"
for cmd in $commands; do
	page="$KNIT_SOURCE_DIR/man/knit-$cmd.1"
	if [ ! -f "$page" ]; then
		not_ok "man/knit-$cmd.1 is missing"
		continue
	fi
	usage=$("$KNIT" "$cmd" -h | sed -n 's/^usage: //p' | head -1)
	synopsis=$(awk '/^\.SH SYNOPSIS/ {on=1; next} /^\.SH/ {on=0} on && !/^\./' "$page" | tr -d '\\' | head -1)
	if [ "$usage" == "$synopsis" ]; then ok; else not_ok "knit-$cmd.1 SYNOPSIS [$synopsis] != usage [$usage]"; fi
done
[ -f "$KNIT_SOURCE_DIR/man/knit.1" ] && ok || not_ok "man/knit.1 is missing"
finish
