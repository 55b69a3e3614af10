#!/usr/bin/env bash
# knit cache ls, clean and dir: sources, builds and package metadata with
# their sizes and last use; a clean keeps what a project still holds (hard
# links from its deps/, deps/.build/hold/), --older-than keeps what was used
# lately, --builds and --sources keep the other kind; what a clean removed is
# only fetched or built again.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CFLAGS
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
command -v cc >/dev/null || { not_ok "cc is needed"; finish; }

# two sources-kind packages, each used by one project
for p in alpha beta; do
	mkdir -p "src/$p/src" "src/$p/include"
	echo "{ \"name\": \"$p\", \"version\": \"1.0.0\" }" >"src/$p/knit.json"
	echo "int $p(void);" >"src/$p/include/$p.h"
	echo "int $p(void) { return 1; }" >"src/$p/src/$p.c"
	python3 "$TOOL" pack reg "src/$p" || exit 1
done
for p in alpha beta; do
	mkdir -p "p-$p" && (cd "p-$p" && echo '{ "name": "app", "version": "1.0.0" }' >knit.json &&
		"$KNIT" install "$p" --registry "$R" >/dev/null 2>&1 && "$KNIT" build --deps --no-sandbox >/dev/null 2>&1) ||
		not_ok "project p-$p"
done

expect_run "cache dir" 0 "$KNIT_CACHE" "" -- "$KNIT" cache dir
today=$(date -u +%Y-%m-%d)
expect_run "cache ls: every entry, in use, with sizes" 0 "source    alpha@1.0.0  sha512-*  * kB  used $today  in use
source    beta@1.0.0  sha512-*  * kB  used $today  in use
build     alpha 1.0.0  ????????????????  * kB  used $today  in use
build     beta 1.0.0  ????????????????  * kB  used $today  in use
2 sources (* kB, 2 in use), 2 builds (* kB, 2 in use); * kB in all in $KNIT_CACHE" "" -- "$KNIT" cache ls
expect_run "cache ls --builds" 0 "build     alpha*
build     beta*
2 builds (*)*" "" -- "$KNIT" cache ls --builds
expect_run "a clean keeps what projects hold" 0 "removed 0 entries (0 B); kept 4 in use" "" -- "$KNIT" cache clean

# p-beta gone: its source and build are held by nobody
rm -rf p-beta
expect_run "a dry run removes nothing" 0 "would remove source beta@1.0.0 (sha512-*), * kB
would remove build beta 1.0.0 (*), * kB
would remove 2 entries (* kB); kept 2 in use" "" -- "$KNIT" cache clean --dry-run
[ "$(ls "$KNIT_CACHE/store/v2" | wc -l)" = 2 ] && ok || not_ok "the dry run removed a store entry"
expect_run "--builds removes only the build" 0 "removed build beta 1.0.0 (*), * kB
removed 1 entry (* kB); kept 1 in use" "" -- "$KNIT" cache clean --builds
expect_run "--older-than keeps what was used lately" 0 "removed 0 entries (0 B); kept 2 in use and 1 used in the last 3 days" "" -- "$KNIT" cache clean --older-than 3
# an entry unused for ten days: its index's mtime is its last use
for i in "$KNIT_CACHE"/store/v2/*/index; do
	grep -q ' beta\.c$\|/beta\.c$' "$i" 2>/dev/null && touch -d '10 days ago' "$i"
done
expect_run "--older-than removes what was not used for that long" 0 "removed source beta@1.0.0 (*), * kB
removed 1 entry (* kB); kept 1 in use and 0 used in the last 3 days" "" -- "$KNIT" cache clean --sources --older-than 3
expect_run "what is left" 0 "source    alpha@1.0.0  *  in use
build     alpha 1.0.0  *  in use
1 source (*, 1 in use), 1 build (*, 1 in use); *" "" -- "$KNIT" cache ls

# what was removed comes back: fetched and built again
mkdir -p p-beta && cd p-beta && echo '{ "name": "app", "version": "1.0.0" }' >knit.json
expect_run "beta installs again" 0 "*" "*" -- "$KNIT" install beta --registry "$R"
expect_run "and builds again" 0 "" "built beta 1.0.0 (sources) in * s" -- "$KNIT" build --deps --no-sandbox
cd "$TEST_TMP"

# a project's deps/ removed: nothing holds alpha; a plain clean removes everything
rm -rf p-alpha p-beta
expect_run "a clean with no project left" 0 "removed source alpha@1.0.0 *
removed source beta@1.0.0 *
removed build alpha 1.0.0 *
removed build beta 1.0.0 *
removed 4 entries (* kB); kept 0 in use" "" -- "$KNIT" cache clean
expect_run "the cache is empty" 0 "the cache is empty ($KNIT_CACHE)" "" -- "$KNIT" cache ls

# package metadata: what an HTTP registry answered (nginx serving the folder registry)
if command -v nginx >/dev/null; then
	port=$(free_port)
	"$KNIT" registry index --base-url "http://127.0.0.1:$port" "$TEST_TMP/reg" >/dev/null || not_ok "registry index"
	nginx_pid=$("$KNIT_SOURCE_DIR/../shared/bench/serve-registry.sh" "$TEST_TMP/reg" "$port")
	trap 'kill $nginx_pid 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
	mkdir -p p-http && cd p-http && echo '{ "name": "app", "version": "1.0.0" }' >knit.json
	if "$KNIT" install alpha beta --registry "http://127.0.0.1:$port/" >/dev/null 2>"$TEST_TMP/http.err"; then
		ok
		expect_run "metadata in the listing" 0 "*
metadata  package metadata (* files)  *  used $today
*package metadata (*)*" "" -- "$KNIT" cache ls
		expect_run "a sources clean keeps the metadata" 0 "removed 0 entries (0 B); kept 2 in use" "" -- "$KNIT" cache clean --sources
		expect_run "a clean removes the metadata" 0 "removed package metadata: * files, * kB
removed 1 entry (* kB); kept 2 in use" "" -- "$KNIT" cache clean
		expect_run "and the registry is asked again" 0 "*" "*" -- "$KNIT" install --registry "http://127.0.0.1:$port/"
	else
		not_ok "install over HTTP: $(cat "$TEST_TMP/http.err")"
	fi
	cd "$TEST_TMP"
	kill "$nginx_pid" 2>/dev/null
fi

expect_run "an unknown action" 1 "" "knit: error: 'prune' is not a cache action; the actions are ls, clean, verify and dir" -- "$KNIT" cache prune
expect_run "a bad age" 1 "" "knit: error: --older-than takes a whole number of days, got '3d'" -- "$KNIT" cache clean --older-than 3d
expect_run "--builds with --sources" 1 "" "knit: error: --builds and --sources exclude each other; without either, both are covered" -- "$KNIT" cache clean --builds --sources
expect_run "--older-than on ls" 1 "" "knit: error: --older-than is for cache clean" -- "$KNIT" cache ls --older-than 1
finish
