#!/usr/bin/env bash
# A tampered store: deps/ files are hard links into the store, so an edit in
# one project's deps/ edits the store. Every use of an entry checks each
# file's size and mtime against the entry's index, `knit ci --verify` and
# `knit cache verify` its digests too, and a damaged entry is extracted
# again with a warning naming the package. Store files are read-only, and
# an entry is fsync'ed before the rename that publishes it.
. "$(dirname "$0")/lib.sh"
isolated_registry 8 5
R="file://$TEST_TMP/reg"

mkdir a && cp reg/project/package.json a/knit.json && cd a || exit 1
expect_run "install in project a" 0 "* packages in deps/ (* fetched, deps/ updated, knit.lock written) in *" "" -- "$KNIT" install --registry "$R"
pkg=$(cd deps && ls -d lib* | head -1)
ver=$(python3 -c "import json,sys; print(json.load(open('knit.lock'))['packages'][sys.argv[1]]['version'])" "$pkg")
file=$(cd "deps/$pkg" && find src -name '*.c' | sort | head -1)
other=$(cd "deps/$pkg" && find include -name '*.h' | sort | head -1)
[ -n "$pkg" ] && [ -n "$ver" ] && [ -n "$file" ] && [ -n "$other" ] || { not_ok "no package with src/*.c and include/*.h"; finish; exit; }
cd .. && mkdir b && cp a/knit.json a/knit.lock b/ || exit 1

store_file() { find "$KNIT_CACHE/store" -samefile "a/deps/$pkg/$1" 2>/dev/null | head -1; }
# project b from the lock, from a fresh deps/, and checked byte for byte against the tarballs
ci_b() { rm -rf b/deps; (cd b && "$KNIT" ci --registry "$R" "$@"); }
check_b() { (cd b && python3 "$TOOL" check ../reg . >/dev/null) && ok || not_ok "$1: b's deps/ is not the registry's: $(cd b && python3 "$TOOL" check ../reg . 2>&1 | head -3)"; }
# project a's deps/ made again from the store, so that its files are the store's
fresh_a() { rm -rf a/deps && (cd a && "$KNIT" install --registry "$R" >/dev/null) || not_ok "reinstall a"; }
warned() { printf '%s\n' "knit: warning: store entry of $pkg@$ver was modified ($1); extracting it again"; }

# store files and folders are read-only
sf=$(store_file "$file")
[ -n "$sf" ] && [ "$(stat -c %a "$sf")" = 444 ] && ok || not_ok "a store file is not 0444: $(stat -c %a "$sf" 2>&1)"
[ "$(stat -c %a "$(dirname "$sf")")" = 555 ] && ok || not_ok "a store folder is not 0555: $(stat -c %a "$(dirname "$sf")")"
[ "$(stat -c %a "a/deps/$pkg/src")" = 755 ] && ok || not_ok "a deps/ folder is not the project's own (0755)"

# 1. appending through project a's deps/ (root ignores the 0444)
echo '/* tampered */' >>"a/deps/$pkg/$file"
expect_run "ci in b after an append in a's deps/" 0 "* packages in deps/ (1 fetched, deps/ updated) in *" "$(warned "$file: size")" -- ci_b
check_b "append"
expect_run "ci in b again: the entry is whole" 0 "*" "" -- ci_b

# 1b. the project that was edited: a no-op install links nothing and checks nothing
# (it stays a read of deps/.knit-state); its next ci repairs the entry and makes deps/ again
fresh_a
echo '/* tampered */' >>"a/deps/$pkg/$file"
expect_run "a no-op install in a checks no entry" 0 "* packages in deps/ (0 fetched, deps/ unchanged, knit.lock unchanged) in *" \
	"" -- sh -c 'cd a && "$0" install --registry "$1"' "$KNIT" "$R"
expect_run "ci in a after an append in its own deps/" 0 "* packages in deps/ (1 fetched, deps/ updated) in *" \
	"$(warned "$file: size")" -- sh -c 'cd a && "$0" ci --registry "$1"' "$KNIT" "$R"
(cd a && python3 "$TOOL" check ../reg . >/dev/null) && ok || not_ok "a's deps/ kept the edited file"

# 2. cp over a file in a's deps/ (as root cp rewrites the read-only inode in place)
fresh_a
printf 'int replaced;\n' >new.h
cp new.h "a/deps/$pkg/$other"
expect_run "ci in b after cp over a's deps/ file" 0 "*" "$(warned "$other: size")" -- ci_b
check_b "cp over"

# 3. a file truncated in the store, its mtime restored
fresh_a
sf=$(store_file "$file")
touch -r "$sf" ref && truncate -s 1 "$sf" && touch -r ref "$sf"
expect_run "ci in b after a truncation with the same mtime" 0 "*" "$(warned "$file: size")" -- ci_b
check_b "truncated"

# 4. a file deleted from the store
fresh_a
sf=$(store_file "$file")
rm -f "$sf"
expect_run "ci in b after a file was deleted from the store" 0 "*" "$(warned "$file: missing")" -- ci_b
check_b "deleted"

# 5. same size, same mtime: only the digests see it
fresh_a
sf=$(store_file "$file")
touch -r "$sf" ref && printf 'X' | dd of="$sf" bs=1 seek=0 conv=notrunc status=none && touch -r ref "$sf"
expect_run "plain ci does not read the contents" 0 "*" "" -- ci_b
expect_run "ci --verify reads them" 0 "*" "$(warned "$file: content")" -- ci_b --verify
check_b "ci --verify"

# 6. knit cache verify: reports each damaged entry, removes it (or only reports with --dry-run)
expect_run "cache verify on a whole store" 0 "* store entries verified, none damaged
0 builds verified, none damaged" "" -- "$KNIT" cache verify
fresh_a
sf=$(store_file "$file")
echo x >>"$sf"
expect_run "cache verify --dry-run" 1 "damaged: $pkg@$ver (*) ($file: size)*" "" -- "$KNIT" cache verify --dry-run
[ -e "$sf" ] && ok || not_ok "cache verify --dry-run removed the entry"
expect_run "cache verify" 1 "damaged: $pkg@$ver (*) ($file: size), removed*" "" -- "$KNIT" cache verify
[ ! -e "$sf" ] && ok || not_ok "cache verify left the damaged entry"
expect_run "cache verify after the repair" 0 "* store entries verified, none damaged
0 builds verified, none damaged" "" -- "$KNIT" cache verify
expect_run "ci in b fetches it again" 0 "* packages in deps/ (1 fetched, deps/ updated) in *" "" -- ci_b
check_b "after cache verify"
expect_run "cache verify takes no arguments" 1 "" "knit: error: cache verify takes no arguments, got 'x'" -- "$KNIT" cache verify x

# 7. durability: an entry's files and folders are on disk (syncfs after the
# last of them was sealed) before the rename that publishes it, and the
# folder holding it is fsync'ed after
if command -v strace >/dev/null; then
	rm -rf "$KNIT_CACHE/store" b/deps
	(cd b && strace -f -qq -e trace=fchmod,syncfs,fsync,rename,renameat,renameat2 -o ../trace "$KNIT" ci --registry "$R" >/dev/null 2>&1)
	python3 - trace <<'PY' && ok || not_ok "the store entries are not synced before the publishing rename"
import re, sys
# per thread, in order: the calls it made (strace may split one across two lines)
calls, pending = {}, {}
for l in open(sys.argv[1]).read().splitlines():
    m = re.match(r'(\d+)\s+(.*)', l)
    if not m:
        continue
    tid, rest = m.groups()
    if '<unfinished' in rest:
        pending[tid] = rest.split('<unfinished')[0]
        continue
    if rest.startswith('<...') and tid in pending:
        rest = pending.pop(tid) + rest.split('resumed>', 1)[1]
    calls.setdefault(tid, []).append(rest)
published, bad = 0, []
for tid, cs in calls.items():
    for i, c in enumerate(cs):
        if not re.search(r'"[^"]*/store/tmp/pkg-[^"]*", (?:AT_FDCWD, )?"[^"]*/store/v2/[^"]*".*= 0$', c):
            continue
        published += 1
        before = cs[:i]
        last_chmod = max([k for k, x in enumerate(before) if x.startswith('fchmod(')], default=-1)
        last_sync = max([k for k, x in enumerate(before) if x.startswith('syncfs(') and x.endswith('= 0')], default=-1)
        after = next((x for x in cs[i + 1:] if not x.startswith('fchmod(')), '')
        if last_chmod < 0 or last_sync < last_chmod or not after.startswith('fsync('):
            bad.append(c)
if bad or not published:
    print('published', published, 'unsynced:', bad[:3], file=sys.stderr)
    sys.exit(1)
PY
fi

# 8. as an unprivileged user: read-only files refuse an edit, deps/ is replaced,
# a damaged entry is removed and extracted again
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# $TEST_TMP is root's alone: the user's folder is beside it
	u=$(mktemp -d "${TMPDIR:-/tmp}/knit-user.XXXXXX")
	trap 'rm -rf "$TEST_TMP" "$u"' EXIT
	chmod 755 "$u"
	mkdir -p "$u/home" && cp -r reg "$u/" && mkdir "$u/p" && cp a/knit.json a/knit.lock "$u/p/"
	chown -R 65534:65534 "$u"
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$u/home" KNIT_CACHE="$u/cache" "$@"; }
	(cd "$u/p" && as_user "$KNIT" ci --registry "file://$u/reg" >/dev/null 2>&1) && ok || not_ok "ci as a user"
	(cd "$u/p" && ! as_user sh -c "echo x >>deps/$pkg/$file" 2>/dev/null) && ok || not_ok "a user could edit a store file through deps/"
	(cd "$u/p" && as_user rm deps/.knit-state && as_user "$KNIT" ci --registry "file://$u/reg" >/dev/null 2>&1) &&
		ok || not_ok "deps/ replaced as a user"
	(cd "$u/p" && as_user rm -r deps && as_user "$KNIT" ci --registry "file://$u/reg" >/dev/null 2>&1) &&
		ok || not_ok "deps/ removed and made again as a user"
	# a trusted package gets copies it may write, though the store's files are read-only
	mkdir -p "$u/src" "$u/reg2" "$u/t" &&
		echo '{ "name": "libwrites", "version": "1.0.0", "scripts": { "postinstall": "echo 42 >>knit.json" } }' >"$u/src/knit.json" &&
		python3 "$TOOL" pack "$u/reg2" "$u/src" >/dev/null &&
		echo '{ "name": "t", "version": "1.0.0", "dependencies": { "libwrites": "^1.0.0" }, "trustedDependencies": ["libwrites"] }' >"$u/t/knit.json" &&
		chown -R 65534:65534 "$u"
	(cd "$u/t" && as_user "$KNIT" install --registry "file://$u/reg2" >/dev/null 2>"$u/err") && grep -q 42 "$u/t/deps/libwrites/knit.json" &&
		ok || not_ok "a trusted package's script could not write its copy: $(cat "$u/err")"
	usf=$(find "$u/cache/store" -samefile "$u/p/deps/$pkg/$file" | head -1)
	as_user chmod u+w "$usf" && as_user sh -c "echo x >>'$usf'"
	(cd "$u/p" && as_user "$KNIT" cache verify >/dev/null 2>&1); [ $? = 1 ] && ok || not_ok "cache verify as a user did not report the damage"
	[ ! -e "$usf" ] && ok || not_ok "cache verify as a user could not remove a read-only entry"
	[ -z "$(ls -A "$u/cache/store/tmp" 2>/dev/null)" ] && ok || not_ok "store/tmp not empty: $(ls -A "$u/cache/store/tmp")"
fi
finish
