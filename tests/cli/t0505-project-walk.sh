#!/usr/bin/env bash
# Every project command finds the project by walking up to the nearest
# knit.json, as npm and Cargo do: scripts run from the project folder with
# INIT_CWD where the user stood, paths the user gives are read from where
# they stood, and knit exec runs its command there.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" reg && cd "$TEST_TMP" || exit 1
export KNIT_REGISTRY="file://$TEST_TMP/reg"
mkdir -p app/src/net lib
printf '{"name": "lib", "version": "0.3.0"}\n' > lib/knit.json
cat > app/knit.json <<'JSON'
{
  "name": "app",
  "version": "1.0.0",
  "scripts": { "where": "pwd; echo \"$INIT_CWD\"" }
}
JSON
cd app/src/net
root=$(cd ../.. && pwd -P) here=$(pwd -P)
expect_run "a script runs in the project folder, INIT_CWD where the user stood" 0 "$root
$here" "" -- "$KNIT" run -s where
expect_run "a folder given from below the project is read from there" 0 "+ lib 0.3.0
1 package in deps/*" "" -- "$KNIT" install "lib@file:../../../lib"
grep -q '"lib": "file:../lib"' ../../knit.json && ok || not_ok "knit.json's folder spec: $(cat ../../knit.json)"
[ -d ../../deps/lib ] && [ ! -e deps ] && ok || not_ok "deps/ is not the project's"
expect_run "ls from below the project" 0 "app@1.0.0*lib@0.3.0*" "" -- "$KNIT" ls
expect_run "why reads the project's knit.lock" 0 "*lib@0.3.0*" "" -- "$KNIT" why lib
expect_run "exec runs where the user stood" 0 "$here" "" -- "$KNIT" exec pwd
expect_run "pack writes into the folder the user stood in" 0 "*./app-1.0.0.tgz" "*" -- "$KNIT" pack
[ -f app-1.0.0.tgz ] && [ ! -e ../../app-1.0.0.tgz ] && ok || not_ok "pack's tarball is not in the user's folder"

# the nearest knit.json wins; none at all says so
mkdir -p inner && printf '{"name": "inner", "version": "2.0.0", "scripts": {"where": "pwd"}}\n' > inner/knit.json
cd inner && expect_run "the nearest knit.json" 0 "$here/inner" "" -- "$KNIT" run -s where
mkdir -p "$TEST_TMP/alone" && cd "$TEST_TMP/alone"
expect_run "no knit.json up to /" 1 "" "*knit.json*" -- "$KNIT" run where
expect_run "init stays where it was started" 0 "*" "*" -- "$KNIT" init --template lib --name alone
[ -f "$TEST_TMP/alone/knit.json" ] && ok || not_ok "init did not write here"
expect_run "a registry folder that does not exist is named as such" 1 "" "knit: error: cannot load 'zlib': the registry file:///no/such/folder does not exist: no folder '/no/such/folder'" -- "$KNIT" install zlib --registry file:///no/such/folder
finish
