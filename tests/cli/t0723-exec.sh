#!/usr/bin/env bash
# knit exec: in a project, a command from deps/.bin (then PATH) with the
# scripts' environment and its exit status (a signal as 128+n); options after
# the command are the command's. Outside one, a registry package's bin,
# installed once into the cache's exec/<name>@<version> and reused.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
mkdir -p reg src/t/bin src/m/bin
printf '#!/bin/sh\necho "tool $knit_package_name $*"\n' >src/t/bin/tool.sh
echo '{ "name": "libtool", "version": "1.0.0", "bin": { "libtool": "./bin/tool.sh" },
  "scripts": { "install": "touch /tmp/knit-t0723-ran" } }' >src/t/knit.json
printf '#!/bin/sh\necho a\n' >src/m/bin/a.sh
printf '#!/bin/sh\necho b\n' >src/m/bin/b.sh
echo '{ "name": "multi", "version": "2.0.0", "bin": { "ma": "./bin/a.sh", "mb": "./bin/b.sh" } }' >src/m/knit.json
python3 "$TOOL" pack reg src/t && python3 "$TOOL" pack reg src/m || exit 1

mkdir app && cd app || exit 1
echo '{ "name": "app", "version": "0.1.0", "dependencies": { "libtool": "^1.0.0" } }' >knit.json
expect_run "install" 0 "*" "*" -- "$KNIT" install --registry "$R"
expect_run "a dependency's command, arguments its own" 0 "tool app --version -p x" "" -- \
	"$KNIT" exec libtool --version -p x
expect_run "-- ends knit's options" 0 "tool app -h" "" -- "$KNIT" exec -- libtool -h
expect_run "the environment of a script" 0 "app 0.1.0 exec" "" -- \
	"$KNIT" exec sh -c 'echo $knit_package_name $knit_package_version $knit_lifecycle_event'
expect_run "the exit status" 7 "" "" -- "$KNIT" exec sh -c 'exit 7'
expect_run "a signal as 128+n" 143 "" "" -- "$KNIT" exec sh -c 'kill -TERM $$'
expect_run "a command found nowhere" 1 "" \
	"knit: error: 'nosuch' is not in deps/.bin or on PATH; is it a dependency? (knit install nosuch)" -- \
	"$KNIT" exec nosuch
expect_run "no command" 1 "" "knit: error: knit exec needs a command*" -- "$KNIT" exec

cd "$TEST_TMP" && mkdir out && cd out || exit 1
rm -f /tmp/knit-t0723-ran
expect_run "a package's bin outside a project" 0 "tool  x y" "*" -- "$KNIT" exec --registry "$R" libtool@^1 x y
[ -x "$KNIT_CACHE/exec/libtool@1.0.0/deps/.bin/libtool" ] && ok || not_ok "no cached exec folder"
[ -e /tmp/knit-t0723-ran ] && not_ok "a dependency's install script ran" || ok
expect_run "reused, offline" 0 "tool  z" "" -- "$KNIT" exec --offline --registry "$R" libtool@1.0.0 z
expect_run "several bins, none named like the package" 1 "" \
	"knit: error: package 'multi@2.0.0' has several commands (ma, mb); name one with --package=multi <command>" -- \
	"$KNIT" exec --registry "$R" multi
expect_run "--package names the package" 0 "b" "*" -- "$KNIT" exec --registry "$R" -p multi mb
expect_run "no such version" 1 "" "knit: error: no version of 'libtool' matches '^9'" -- \
	"$KNIT" exec --registry "$R" libtool@^9
finish
