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
# every alias knit help lists is in its command's page and in knit(1)
aliases=$("$KNIT" help | awk '/^Aliases/ {on=1; next} on && /^    / {print} on && /^$/ {on=0}')
[ -n "$aliases" ] || not_ok "no aliases listed by knit help"
while read -r line; do
	cmd=${line##*(}
	cmd=${cmd%)}
	for a in $(printf '%s' "${line% (*}" | tr -d ','); do
		for page in "knit-$cmd.1" knit.1; do
			sed -n '/^\.SH ALIASES/,/^\.SH [^A]/p' "$KNIT_SOURCE_DIR/man/$page" | tr -d '\\' | grep -qw -- "$a" &&
				ok || not_ok "alias $a of $cmd is not in man/$page's ALIASES"
		done
	done
done <<<"$aliases"
[ -f "$KNIT_SOURCE_DIR/man/knit.1" ] && ok || not_ok "man/knit.1 is missing"
finish
