#!/usr/bin/env bash
# Hostile package names: a registry package depending on '../../pwned' or
# '@x/../../y', a committed knit.lock naming '../../x', a command-line
# '../x', names with capitals, spaces or control characters. Each attack
# must exit 1 with one line naming the package and who asked for it, and
# leave everything as it was: nothing outside the project and the cache
# (sentinel_listing of $TEST_TMP), and deps/, knit.json and knit.lock.
# The packuments the unchecked names would reach are planted where a path
# or URL made from them lands, so that a knit that does not check them
# really installs outside deps/. Then a differential test against npm's
# validate-npm-package-name.
. "$(dirname "$0")/lib.sh"
export KNIT_TEST_CACHE="${KNIT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/knit-tests}" # before HOME moves
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1

REG="$TEST_TMP/d1/d2/reg"   # deep, so that '../../' from it stays inside $TEST_TMP
S="$TEST_TMP/scratch"       # the test's own files
SIDE="$TEST_TMP/side"       # packages planted at the places hostile names reach
mkdir -p "$REG" "$SIDE" "$S"

# pkg REGISTRY NAME DEPENDENCIES-JSON: a one-header package, version 1.0.0
pkg() {
	local src="$TEST_TMP/src/$RANDOM$RANDOM"
	mkdir -p "$src/include"
	python3 -c 'import json, sys; json.dump({"name": sys.argv[1], "version": "1.0.0",
	  "dependencies": json.loads(sys.argv[2]), "c": {"include": ["include"]}}, open(sys.argv[3], "w"))' \
		"$2" "$3" "$src/knit.json"
	echo "/* $2 */" >"$src/include/h.h"
	python3 "$TOOL" pack "$1" "$src" >/dev/null || exit 1
}
# plant NAME DEST: a harmless package NAME, its folder copied to DEST
plant() { pkg "$SIDE" "$1" '{}'; mkdir -p "$(dirname "$2")"; cp -r "$SIDE/$1" "$2"; }

pkg "$REG" good '{}'
pkg "$REG" evil '{"good": "^1.0.0", "../../pwned": "^1.0.0"}'
plant pwned "$TEST_TMP/d1/pwned"                      # $REG/../../pwned
pkg "$REG" scoped-evil '{"@x/../../y": "^1.0.0"}'
plant y "$TEST_TMP/d1/d2/y"                           # $REG/@x/../../y
plant x "$TEST_TMP/d1/d2/x"                           # $REG/../x
pkg "$REG" caps '{"Upper": "^1.0.0"}'
plant Upper "$REG/Upper"
pkg "$REG" spaced '{"a b": "^1.0.0"}'
plant "a b" "$REG/a b"
pkg "$REG" bell $'{"a\\u0007b": "^1.0.0"}'
plant $'a\ab' "$REG/"$'a\ab'
pkg "$REG" liar '{}'
python3 - "$REG/liar/index.json" <<'P'
import json, sys
doc = json.load(open(sys.argv[1])); doc["name"] = "other"; json.dump(doc, open(sys.argv[1], "w"))
P

rm -rf "$TEST_TMP/src" # the packed sources: fewer files to list
mkdir proj && cd proj || exit 1
echo '{"name": "app", "version": "1.0.0", "dependencies": {"good": "^1.0.0"}}' >knit.json
expect_run "a good install first" 0 "*1 package in deps/*" "" -- "$KNIT" install --registry "file://$REG"
cp knit.lock "$S/good.lock"

outside() { sentinel_listing "$TEST_TMP" proj cache stderr www/.nginx scratch; }
project() { sentinel_listing "$TEST_TMP/proj"; }
# attack DESCRIPTION STDERR -- command...: exit 1, that one line, nothing changed
attack() {
	local desc=$1 want=$2 p o
	shift 3
	p=$(project)
	expect_run "$desc" 1 "" "$want" -- "$@"
	o=$(outside)
	[ "$o" == "$untouched" ] && ok || not_ok "$desc: something outside the project changed: $(diff <(echo "$untouched") <(echo "$o") | head -5)"
	[ "$(project)" == "$p" ] && ok || not_ok "$desc: the project changed: $(diff <(echo "$p") <(project) | head -5)"
}
# with_dep NAME: knit.json asking for NAME ^1.0.0 beside good
with_dep() { python3 -c 'import json, sys; print(json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"good": "^1.0.0", sys.argv[1]: "^1.0.0"}}))' "$1" >knit.json; }
good_json=$(cat knit.json)

# the same registry over HTTP, from nginx
port=$(free_port)
cp -r "$REG" "$TEST_TMP/www"
cp -r "$TEST_TMP/d1/pwned" "$TEST_TMP/www/pwned"  # where the URL .../../../pwned lands
python3 "$TOOL" rebase "$TEST_TMP/www" "http://127.0.0.1:$port" || exit 1
nginx_pid=$("$KNIT_SOURCE_DIR/../shared/bench/serve-registry.sh" "$TEST_TMP/www" "$port") || exit 1
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
untouched=$(outside) # what every attack must leave as it is

for R in "file://$REG" "http://127.0.0.1:$port"; do
	via=" (${R%%:*})"
	for dep in evil scoped-evil caps spaced bell; do
		with_dep "$dep"
		case $dep in
		evil) want="knit: error: cannot load 'evil': package 'evil@1.0.0' depends on '../../pwned', which is not a valid package name: it starts with a period" ;;
		scoped-evil) want="knit: error: cannot load 'scoped-evil': package 'scoped-evil@1.0.0' depends on '@x/../../y', which is not a valid package name: it has more than one '/'" ;;
		caps) want="knit: error: cannot load 'caps': package 'caps@1.0.0' depends on 'Upper', which is not a valid package name: it has capital letters" ;;
		spaced) want="knit: error: cannot load 'spaced': package 'spaced@1.0.0' depends on 'a b', which is not a valid package name: it has characters other than a-z 0-9 - . _ (and one @scope/ in front)" ;;
		bell) want="knit: error: cannot load 'bell': package 'bell@1.0.0' depends on 'a\\\\x07b', which is not a valid package name: it has control characters" ;;
		esac
		cp knit.json "$S/asked.json"
		attack "a registry dependency on a bad name, $dep$via" "$want" -- "$KNIT" install --registry "$R"
		cmp -s knit.json "$S/asked.json" && cmp -s knit.lock "$S/good.lock" && ok || not_ok "$dep$via: knit.json or knit.lock changed"
	done
	with_dep liar
	attack "a packument for another name$via" "knit: error: cannot load 'liar': the registry's document for 'liar' names the package 'other'" -- "$KNIT" install --registry "$R"
	echo "$good_json" >knit.json
	attack "install ../x$via" "knit: error: '../x' is not a valid package name: it starts with a period" -- "$KNIT" install ../x --registry "$R"
	attack "install @x/../../y$via" "knit: error: '@x/../../y@^1.0.0': '@x/../../y' is not a valid package name: it has more than one '/'" -- "$KNIT" install "@x/../../y@^1.0.0" --registry "$R"
done

# knit.json itself: each map and the project's own name
for field in dependencies devDependencies overrides; do
	python3 -c 'import json, sys; print(json.dumps({"name": "app", "version": "1.0.0", sys.argv[1]: {"../../pwned": "^1.0.0"}}))' "$field" >knit.json
	attack "knit.json $field" "knit: error: ./knit.json: '$field' names '../../pwned', which is not a valid package name: it starts with a period" -- "$KNIT" install --registry "file://$REG"
done
echo '{"name": "app", "version": "1.0.0", "trustedDependencies": ["../x"]}' >knit.json
attack "knit.json trustedDependencies" "knit: error: ./knit.json: 'trustedDependencies' names '../x', which is not a valid package name: it starts with a period" -- "$KNIT" install --registry "file://$REG"
echo '{"name": "../app", "version": "1.0.0"}' >knit.json
attack "knit.json name" "knit: error: ./knit.json: 'name' is '../app', which is not a valid package name: it starts with a period" -- "$KNIT" install --registry "file://$REG"
# a folder package (git packages' manifests are read the same way) with a bad dependency
mkdir -p "$TEST_TMP/proj/vendor/lib"
echo '{"name": "lib", "version": "1.0.0", "dependencies": {"../../pwned": "^1.0.0"}}' >"$TEST_TMP/proj/vendor/lib/knit.json"
echo '{"name": "app", "version": "1.0.0", "dependencies": {"lib": "file:vendor/lib"}}' >knit.json
attack "a folder package's dependency" "knit: error: lib (file:vendor/lib): knit.json: 'dependencies' names '../../pwned', which is not a valid package name: it starts with a period" -- "$KNIT" install --registry "file://$REG"
echo '{"name": "../lib", "version": "1.0.0"}' >"$TEST_TMP/proj/vendor/lib/knit.json"
attack "a folder package's own name" "knit: error: lib (file:vendor/lib): knit.json: 'name' is '../lib', which is not a valid package name: it starts with a period" -- "$KNIT" install --registry "file://$REG"
rm -r "$TEST_TMP/proj/vendor"
echo "$good_json" >knit.json

# a committed knit.lock naming '../../x' (with a real tarball and its integrity), knit ci
python3 - "$S/good.lock" "$SIDE/x/index.json" <<'P' >knit.lock
import json, sys
lock = json.load(open(sys.argv[1])); x = json.load(open(sys.argv[2]))["versions"]["1.0.0"]["dist"]
lock["packages"]["../../x"] = {"dependencies": {}, "integrity": x["integrity"], "resolved": x["tarball"], "version": "1.0.0"}
lock["packages"]["good"]["dependencies"] = {"../../x": "1.0.0"}
print(json.dumps(lock, indent=2))
P
cp knit.lock "$S/bad.lock"
attack "knit ci with a lock naming ../../x" "knit: error: ./knit.lock: package 'good' depends on '../../x', which is not a valid package name: it starts with a period" -- "$KNIT" ci --registry "file://$REG"
python3 - "$S/bad.lock" <<'P' >knit.lock
import json, sys
lock = json.load(open(sys.argv[1])); lock["packages"]["good"]["dependencies"] = {}
print(json.dumps(lock, indent=2))
P
attack "knit ci with a lock package ../../x" "knit: error: ./knit.lock: 'packages' names '../../x', which is not a valid package name: it starts with a period" -- "$KNIT" ci --registry "file://$REG"
attack "knit install with a lock package ../../x" "knit: error: ./knit.lock: 'packages' names '../../x', which is not a valid package name: it starts with a period" -- "$KNIT" install --registry "file://$REG"
python3 - "$S/good.lock" <<'P' >knit.lock
import json, sys
lock = json.load(open(sys.argv[1])); lock["root"]["dependencies"]["../y"] = "1.0.0"
print(json.dumps(lock, indent=2))
P
attack "knit ci with a lock root naming ../y" "knit: error: ./knit.lock: 'root.dependencies' names '../y', which is not a valid package name: it starts with a period" -- "$KNIT" ci --registry "file://$REG"
cp "$S/good.lock" knit.lock

# the other commands that take names
attack "uninstall ../good" "knit: error: '../good' is not a valid package name: it starts with a period" -- "$KNIT" uninstall ../good
attack "update ../good" "knit: error: '../good' is not a valid package name: it starts with a period" -- "$KNIT" update ../good --registry "file://$REG"
attack "why ../good" "knit: error: '../good' is not a valid package name: it starts with a period" -- "$KNIT" why ../good
attack "view ../good" "knit: error: '../good' is not a valid package name: it starts with a period" -- "$KNIT" view ../good --registry "file://$REG"
expect_run "after all that, a no-op install" 0 "*1 package in deps/ (0 fetched, deps/ unchanged, knit.lock unchanged)*" "" -- "$KNIT" install --registry "file://$REG"

# differential: knit's verdicts against validate-npm-package-name 7.0.2's
# validForNewPackages, with knit's two documented differences applied in
# tests/cli/pkgname-oracle.js (core module names taken; ~'!()* and a
# leading '.' refused in the scope too)
# (npm carries a copy; when it is another version, the pinned one is installed)
VNPN_PATH="$(npm root -g 2>/dev/null)/npm/node_modules/validate-npm-package-name"
if [ "$(node -p "require('$VNPN_PATH/package.json').version" 2>/dev/null)" != 7.0.2 ]; then
	VNPN_PATH=$(npm_cached validate-npm-package-name-7.0.2 validate-npm-package-name \
		'{"private": true, "dependencies": {"validate-npm-package-name": "7.0.2"}}') || exit 1
fi
export VNPN_PATH
driver="$(dirname "$KNIT")/tests/pkgname_oracle_driver"
[ -x "$driver" ] || driver="$(dirname "$KNIT")/pkgname_oracle_driver"
node "$KNIT_SOURCE_DIR/tests/cli/pkgname-oracle.js" generate 20000 7 >"$TEST_TMP/names" || exit 1
node "$KNIT_SOURCE_DIR/tests/cli/pkgname-oracle.js" judge <"$TEST_TMP/names" >"$TEST_TMP/npm" || exit 1
"$driver" <"$TEST_TMP/names" >"$TEST_TMP/knit" || exit 1
lines=$(wc -l <"$TEST_TMP/names")
mismatches=$(paste "$TEST_TMP/names" "$TEST_TMP/knit" "$TEST_TMP/npm" | awk -F'\t' '$2 != $3')
if [ -n "$mismatches" ] || [ "$(wc -l <"$TEST_TMP/knit")" != "$lines" ] || [ "$lines" -lt 20000 ]; then
	not_ok "knit and validate-npm-package-name disagree:"
	printf '%s\n' "$mismatches" | head -20 >&2
else
	ok
fi
[ "$(grep -cx valid "$TEST_TMP/npm")" -gt 1000 ] && [ "$(grep -cx invalid "$TEST_TMP/npm")" -gt 1000 ] && ok ||
	not_ok "the generated names are not a fair mix: $(sort "$TEST_TMP/npm" | uniq -c | tr '\n' ' ')"
finish
