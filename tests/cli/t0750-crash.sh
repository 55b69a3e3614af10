#!/usr/bin/env bash
# The crash harness: knit is killed (SIGKILL, by tests/crash/crashshim.c
# loaded with LD_PRELOAD) just before its Nth file-changing system call, for
# N over the whole run of a fresh install, an install <spec> that changes
# knit.json, ci, update and uninstall. After each kill the next knit command
# finishes or undoes the interrupted one before anything else
# (knit-install(1), "INTERRUPTIONS"): once it has run (knit ls here), the
# project (knit.json, knit.lock, deps/.knit-state and deps/'s tree) is
# wholly the old one or wholly the new one; the next install or ci succeeds
# and no temporary of the killed run is left (.deps-*, *.tmp-*, .knit-txn,
# the store's tmp/).
#
# KNIT_CRASH_POINTS (default 22) kill points per scenario, spread over the
# whole range; KNIT_CRASH_ALL=1 (scripts/test --long) tries every N.
. "$(dirname "$0")/lib.sh"
: "${KNIT_CRASHSHIM:?set KNIT_CRASHSHIM to the crash shim, libcrashshim.so}"
[ -f "$KNIT_CRASHSHIM" ] || { echo "no crash shim at '$KNIT_CRASHSHIM'" >&2; exit 1; }
points=${KNIT_CRASH_POINTS:-22}
isolated_registry 12 7
export KNIT_REGISTRY="file://$TEST_TMP/reg"
W="$TEST_TMP/w" # every run happens here, so that paths in the build files agree
TPL="$TEST_TMP/tpl"
mkdir -p "$TPL"

# What a project is, as one line per part.
triple() {
	local d=$1
	printf 'json %s\n' "$(sha256sum <"$d/knit.json" 2>/dev/null | cut -c1-16 || echo none)"
	[ -f "$d/knit.lock" ] && printf 'lock %s\n' "$(sha256sum <"$d/knit.lock" | cut -c1-16)" || echo "lock none"
	[ -f "$d/deps/.knit-state" ] && printf 'state %s\n' "$(sha256sum <"$d/deps/.knit-state" | cut -c1-16)" || echo "state none"
	[ -d "$d/deps" ] && printf 'tree %s\n' "$( (cd "$d/deps" && find . -printf '%y %p %l %s\n' | sort) | sha256sum | cut -c1-16)" || echo "tree none"
}
# Temporaries of a run, in the project folder and the store.
stale() {
	(cd "$W/app" && find . -maxdepth 1 \( -name '.deps-*' -o -name '*.tmp-*' -o -name '.knit-txn*' \) -print)
	[ -d "$W/cache/store/tmp" ] && find "$W/cache/store/tmp" -mindepth 1 -maxdepth 1 -print
	true
}
knit_in() { (cd "$W/app" && KNIT_CACHE="$W/cache" "$KNIT" "$@"); }
shimmed() {
	(cd "$W/app" && KNIT_CACHE="$W/cache" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		LD_PRELOAD="$KNIT_CRASHSHIM" "$KNIT" "$@")
}
from_tpl() { rm -rf "$W" && cp -a "$TPL/$1" "$W"; }

# the projects each scenario starts from: $TPL/<scenario>/{app,cache}
mkdir -p "$TPL/base/app" && cp reg/project/package.json "$TPL/base/app/knit.json"
(cd "$TPL/base/app" && KNIT_CACHE="$TPL/base/cache" "$KNIT" install >/dev/null) || not_ok "the first install"
read -r a b c <<<"$(python3 -c 'import json, sys; print(*sorted(json.load(open(sys.argv[1]))["dependencies"])[:3])' "$TPL/base/app/knit.json")"
ver() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['packages'][sys.argv[2]]['version'])" "$1" "$2"; }
python3 "$TOOL" publish reg "$a" "$(ver "$TPL/base/app/knit.lock" "$a")" 1.99.0
python3 "$TOOL" publish reg "$b" "$(ver "$TPL/base/app/knit.lock" "$b")" 1.99.0
mkdir -p "$TPL/fresh/app" && cp reg/project/package.json "$TPL/fresh/app/knit.json"
cp -a "$TPL/base" "$TPL/upgrade"
cp -a "$TPL/base" "$TPL/update"
cp -a "$TPL/base" "$TPL/uninstall"
mkdir -p "$TPL/ci/app" && cp "$TPL/base/app/knit.json" "$TPL/base/app/knit.lock" "$TPL/ci/app/"

scenarios=(fresh upgrade ci update uninstall)
declare -A cmd=([fresh]="install" [upgrade]="install $a@1.99.0" [ci]="ci" [update]="update"
	[uninstall]="uninstall $c")
total_points=0 mixed_after_kill=0 mixed_after_recovery=0
for s in "${scenarios[@]}"; do
	from_tpl "$s"
	old=$(triple "$W/app")
	# shellcheck disable=SC2086
	KNIT_CRASH_COUNT="$TEST_TMP/count" shimmed ${cmd[$s]} >/dev/null 2>"$TEST_TMP/err" ||
		not_ok "$s: the uninterrupted run: $(cat "$TEST_TMP/err")"
	count=$(cat "$TEST_TMP/count")
	new=$(triple "$W/app")
	echo "$s: $count file-changing calls"
	[ "$old" != "$new" ] || not_ok "$s: the run changed nothing"
	[ -z "$(stale)" ] || not_ok "$s: the uninterrupted run left $(stale)"
	if [ "${KNIT_CRASH_ALL:-}" = 1 ] || [ "$count" -le "$points" ]; then
		ns=$(seq 1 "$count")
	else
		ns=$(python3 -c "import sys; c, p = int(sys.argv[1]), int(sys.argv[2]); print(*sorted({1 + i * (c - 1) // (p - 1) for i in range(p)}))" "$count" "$points")
	fi
	for n in $ns; do
		from_tpl "$s"
		rc=0
		# shellcheck disable=SC2086
		KNIT_CRASH_AT=$n shimmed ${cmd[$s]} >/dev/null 2>&1 || rc=$?
		[ "$rc" = 137 ] || [ "$rc" = 0 ] || { not_ok "$s: kill at $n: exit $rc"; continue; }
		total_points=$((total_points + 1))
		now=$(triple "$W/app")
		[ "$now" = "$old" ] || [ "$now" = "$new" ] || mixed_after_kill=$((mixed_after_kill + 1))
		# the next command recovers first; ls then fails when the project has no knit.lock (yet),
		# or names the locked packages a deps/ not yet made lacks (ci's old state: no deps/)
		if ! knit_in ls >/dev/null 2>"$TEST_TMP/err" && { [ -f "$W/app/knit.lock" ] ||
			[ "$(cat "$TEST_TMP/err")" != "knit: error: no knit.lock here; 'knit install' writes it" ]; } &&
			{ [ -e "$W/app/deps" ] || grep -qv "^knit: error: missing: " "$TEST_TMP/err"; }; then
			not_ok "$s: kill at $n: knit ls: $(cat "$TEST_TMP/err")"
			continue
		fi
		now=$(triple "$W/app")
		if [ "$now" != "$old" ] && [ "$now" != "$new" ]; then
			mixed_after_recovery=$((mixed_after_recovery + 1))
			not_ok "$s: kill at $n of $count: a mixed project after recovery: $(diff <(echo "$old") <(echo "$now") | grep '^>' | tr '\n' ' ')"
			continue
		fi
		next=install
		[ "$s" = ci ] && next=ci
		knit_in $next >/dev/null 2>"$TEST_TMP/err" || { not_ok "$s: kill at $n: the next $next: $(cat "$TEST_TMP/err")"; continue; }
		left=$(stale)
		[ -z "$left" ] && ok || not_ok "$s: kill at $n: left $(echo $left)"
	done
done
# a journal a repository planted names a file outside the list: refused, nothing written
from_tpl upgrade
printf 'knit txn 1\nfile 3 ../escaped\nbad\nend\n' >"$W/app/.knit-txn"
before=$(sentinel_listing "$TEST_TMP" w/cache stderr)
expect_run "a hostile journal" 1 "" "knit: error: '*/.knit-txn' is not a journal of knit's; remove it, then install again" -- knit_in install
[ "$(sentinel_listing "$TEST_TMP" w/cache stderr)" = "$before" ] && ok || not_ok "a hostile journal changed files"
printf 'knit txn 1\ndeps ../x 1\na\nend\n' >"$W/app/.knit-txn"
expect_run "a journal naming a folder outside" 1 "" "knit: error: '*/.knit-txn' is not a journal of knit's*" -- knit_in ls
# a journal whose prepared folder is gone applied nothing: dropped, the project stays old
printf 'knit txn 1\ndeps .deps-1-gone 3\nxyz\nfile 2 - knit.lock\n{}\nend\n' >"$W/app/.knit-txn"
old=$(triple "$W/app")
knit_in ls >/dev/null 2>&1 && [ "$(triple "$W/app")" = "$old" ] && [ ! -e "$W/app/.knit-txn" ] && ok ||
	not_ok "a journal without its prepared folder was not dropped"
# temporaries of a live process stay; a dead one's go; pack takes none
sleep 300 >/dev/null 2>&1 &
live=$!
trap 'kill $live 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
dead=$(sh -c 'echo $$')
mkdir -p "$W/app/.deps-$live-abc" "$W/app/.deps-$dead-abc" "$W/cache/store/tmp/pkg-$live-abc" "$W/cache/store/tmp/pkg-$dead-abc"
touch "$W/app/knit.lock.tmp-$live-abc" "$W/app/knit.lock.tmp-$dead-abc" "$W/app/notes.tmp-$dead-abc"
knit_in install >/dev/null 2>"$TEST_TMP/err" || not_ok "install beside temporaries: $(cat "$TEST_TMP/err")"
[ -d "$W/app/.deps-$live-abc" ] && [ -e "$W/app/knit.lock.tmp-$live-abc" ] && [ -d "$W/cache/store/tmp/pkg-$live-abc" ] &&
	[ -e "$W/app/notes.tmp-$dead-abc" ] && ok || not_ok "a live process's temporary (or a file of the user's) was removed"
[ ! -e "$W/app/.deps-$dead-abc" ] && [ ! -e "$W/app/knit.lock.tmp-$dead-abc" ] && [ ! -e "$W/cache/store/tmp/pkg-$dead-abc" ] &&
	ok || not_ok "a dead process's temporary was left"
touch "$W/app/.deps-$live-abc/secret.c" "$W/app/.knit-txn"
(cd "$W/app" && KNIT_CACHE="$W/cache" "$KNIT" pack >/dev/null 2>&1)
lacks -E '\.deps-|knit-txn|knit\.lock\.tmp-' "pack took an install's temporaries" -- tar tzf "$W/app/"*.tgz
rm -f "$W/app/.knit-txn"
kill "$live"
wait "$live" 2>/dev/null

echo "crash points: $total_points; mixed right after the kill: $mixed_after_kill; mixed after the next command: $mixed_after_recovery"
[ "$total_points" -ge 100 ] || [ "$points" -lt 20 ] || not_ok "only $total_points crash points"
finish
