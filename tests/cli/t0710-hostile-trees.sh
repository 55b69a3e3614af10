#!/usr/bin/env bash
# Hostile trees (issue 11, items 2, 5 and 7): a chain of symbolic links
# whose every step looks inside but which together reach '/', with a bin
# entry through it; a tarball 2,000 folders deep, and such a tree already in
# the store; a gzip bomb against a small max-unpacked-size. From a folder
# registry and over HTTP (nginx). Each is refused with one line and exit 1,
# never a crash, the store keeps nothing of it, and nothing outside the
# project and the cache changes (sentinel_listing before and after).
. "$(dirname "$0")/lib.sh"
isolated_registry 3 7

# a file the chain's bin would make executable, and others around the project
mkdir -p outside/sub && printf '#!/bin/sh\necho owned\n' >outside/target.sh && chmod 0644 outside/target.sh
echo keep >outside/sub/file
python3 "$TOOL" hostile reg evil-chain chain "$TEST_TMP/outside/target.sh"
python3 "$TOOL" hostile reg evil-deep deep 2000
python3 "$TOOL" hostile reg evil-bomb bomb 256
python3 "$TOOL" hostile reg fine-deep deep 10
bomb_tgz=$(stat -c %s reg/evil-bomb/-/evil-bomb-1.0.0.tgz)
[ "$bomb_tgz" -lt $((2 << 20)) ] && ok || not_ok "the bomb is $bomb_tgz bytes of gzip"

listing() { sentinel_listing "$TEST_TMP" app cache stderr out err web; }
store_empty() {
	[ -z "$(find "$KNIT_CACHE/store" -mindepth 2 -maxdepth 2 -name 'sha512-*' 2>/dev/null)" ] &&
		[ -z "$(ls -A "$KNIT_CACHE/store/tmp" 2>/dev/null)" ]
}
project() { # project NAME: a fresh app/ depending on NAME@1.0.0
	cd "$TEST_TMP" && rm -rf app && mkdir app && cd app &&
		printf '{"name":"app","version":"1.0.0","dependencies":{"%s":"1.0.0"}}\n' "$1" >knit.json
}

attack() { # attack DESC REGISTRY NAME STDERR-GLOB [KNITRC]
	local desc=$1 registry=$2 name=$3 want=$4 before after
	project "$name"
	[ -n "${5:-}" ] && printf '%s\n' "$5" >.knitrc
	rm -rf "$KNIT_CACHE"
	before=$(listing)
	expect_run "$desc" 1 "" "$want" -- "$KNIT" install --registry "$registry"
	after=$(listing)
	[ "$before" == "$after" ] && ok || not_ok "$desc: outside the project changed: $(diff <(echo "$before") <(echo "$after") | head -5)"
	store_empty && ok || not_ok "$desc: the store kept something: $(find "$KNIT_CACHE/store" -maxdepth 3 | head -5)"
	[ ! -e deps ] && ok || not_ok "$desc: deps/ was made"
}

run_attacks() { # run_attacks REGISTRY LABEL
	attack "$2: a link chain out of the package, with a bin through it" "$1" evil-chain \
		"knit: error: package 'evil-chain' is refused: 'package/x' is a link to 'a0/a1/*/L/../../*', outside it"
	[ "$(stat -c %a "$TEST_TMP/outside/target.sh")" == 644 ] && ok || not_ok "$2: the chain's bin chmod'ed a file outside"
	attack "$2: a tarball 2,000 folders deep" "$1" evil-deep \
		"knit: error: package 'evil-deep' is refused: its entry 'package/d/d/d/*...' is 2001 folders deep, more than 64"
	attack "$2: a gzip bomb past max-unpacked-size" "$1" evil-bomb \
		"knit: error: package 'evil-bomb' is refused: it unpacks to more than 16777216 bytes (max-unpacked-size), at 'zeros'" \
		"max-unpacked-size=16m"
	# under the cap, and shallow enough: installed
	project fine-deep
	rm -rf "$KNIT_CACHE"
	expect_run "$2: a package 10 folders deep" 0 "*1 package in deps/*" "" -- "$KNIT" install --registry "$1"
	[ -f deps/fine-deep/d/d/d/d/d/d/d/d/d/d/f ] && ok || not_ok "$2: the 10-deep file is missing"
	project evil-bomb
	printf 'max-unpacked-size=512m\n' >.knitrc
	rm -rf "$KNIT_CACHE"
	expect_run "$2: the same bomb under a larger cap" 0 "*1 package in deps/*" "" -- "$KNIT" install --registry "$1"
	[ "$(stat -c %s deps/evil-bomb/zeros)" == $((256 << 20)) ] && ok || not_ok "$2: the bomb's file has the wrong size"
}

run_attacks "file://$TEST_TMP/reg" folder

# a bad setting is named with where it was set
project fine-deep
printf 'max-unpacked-size=lots\n' >.knitrc
expect_run "a bad max-unpacked-size" 1 "" \
	"knit: error: *.knitrc:1: 'max-unpacked-size' is not a size: 'lots' (bytes, or a number ending in k, m or g)" \
	-- "$KNIT" install --registry "file://$TEST_TMP/reg"

# trees already in the store (an older knit, a tampered store): linking them
# never crashes, and the chain's bin never reaches outside
plant() { # plant NAME: the store folder NAME's integrity names, empty
	local sri hex
	sri=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["versions"]["1.0.0"]["dist"]["integrity"])' "$TEST_TMP/reg/$1/index.json")
	hex=$(printf '%s' "${sri#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
	mkdir -p "$KNIT_CACHE/store/v1/sha512-$hex" && echo "$KNIT_CACHE/store/v1/sha512-$hex"
}
project fine-deep
rm -rf "$KNIT_CACHE"
dir=$(plant fine-deep)
printf '{"name":"fine-deep","version":"1.0.0"}\n' >"$dir/package.json"
python3 "$TOOL" deeptree "$dir" 2000
"$KNIT" install --registry "file://$TEST_TMP/reg" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
rc=$?
# 1 with one line, or 0 when the store finds the entry damaged and extracts it again
case "$rc:$(cat "$TEST_TMP/err")" in
"1:knit: error: cannot place '"*"...' in deps: more than 64 folders deep") ok ;;
0:*) [ -f deps/fine-deep/d/d/d/d/d/d/d/d/d/d/f ] && ok || not_ok "a deep store entry: exit 0 without the package's files" ;;
*) not_ok "a 2,000-deep store entry: exit $rc, $(head -c 300 "$TEST_TMP/err")" ;;
esac
[ ! -e "$TEST_TMP/app/.deps-"* ] 2>/dev/null && ok || not_ok "a failed link left a .deps-* folder"

project evil-chain
rm -rf "$KNIT_CACHE"
dir=$(plant evil-chain)
printf '{"name":"evil-chain","version":"1.0.0","bin":{"evil":"x%s"}}\n' "$TEST_TMP/outside/target.sh" >"$dir/package.json"
p=$(printf 'a%d/' $(seq 0 13)) && up=$(printf '../%.0s' $(seq 14))
mkdir -p "$dir/$p" && ln -s "${up%/}" "$dir/${p}L" && ln -s "${p}L/$up.." "$dir/x"
before=$(listing)
"$KNIT" install --registry "file://$TEST_TMP/reg" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
rc=$?
case "$rc:$(cat "$TEST_TMP/err")" in
"1:knit: error: package 'evil-chain@1.0.0': 'bin.evil' points outside the package through a link: 'x$TEST_TMP/outside/target.sh'") ok ;;
"1:knit: error: package 'evil-chain' is refused: 'package/x' is a link to "*", outside it") ok ;; # extracted again
*) not_ok "a planted chain with a bin: exit $rc, $(cat "$TEST_TMP/err")" ;;
esac
[ "$before" == "$(listing)" ] && ok || not_ok "a planted chain changed something outside the project"
[ "$(stat -c %a "$TEST_TMP/outside/target.sh")" == 644 ] && ok || not_ok "a planted chain's bin chmod'ed a file outside"

# over HTTP: nginx serving the same packages
port=$(free_port)
cp -r "$TEST_TMP/reg" "$TEST_TMP/web" && rm -rf "$TEST_TMP/web/.nginx"
python3 "$TOOL" rebase "$TEST_TMP/web" "http://127.0.0.1:$port"
nginx_pid=$("$KNIT_SOURCE_DIR/../shared/bench/serve-registry.sh" "$TEST_TMP/web" "$port")
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
run_attacks "http://127.0.0.1:$port/" http
kill "$nginx_pid"

finish
