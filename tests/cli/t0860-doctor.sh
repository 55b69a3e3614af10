#!/usr/bin/env bash
# knit doctor: a good setup passes every check; a folder registry that is
# missing, an http registry nobody answers on, a cache that is a file, a
# PATH without cmake and a CC that does not exist each fail with their fix,
# and exit 1. An http registry without /-/ping passes through its root.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CC
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
for t in cc make cmake pkg-config; do
	command -v "$t" >/dev/null || { not_ok "$t is needed"; finish; exit 1; }
done
mkdir -p src/alpha proj
echo '{ "name": "alpha", "version": "1.0.0" }' >src/alpha/knit.json
python3 "$TOOL" pack reg src/alpha >/dev/null || exit 1
cd proj || exit 1
echo '{ "name": "app", "version": "1.0.0" }' >knit.json
echo "registry=file://$TEST_TMP/reg" >.knitrc

expect_run "a good setup" 0 "ok    registry file://$TEST_TMP/reg: a folder with 1 package
ok    cache $KNIT_CACHE: writable; 0 store entries and 0 builds verified
ok    links $TEST_TMP/proj: the cache's files can be hard-linked into '$TEST_TMP/proj'
ok    tool cc: *
ok    tool make: *
ok    tool cmake: cmake version *
ok    tool pkg-config: *
every check passed" "" -- "$KNIT" doctor
[ -z "$(ls -A "$KNIT_CACHE")" ] && ok || not_ok "doctor left files in the cache: $(ls -A "$KNIT_CACHE")"
[ "$(ls -A)" = "$(printf '.knitrc\nknit.json')" ] && ok || not_ok "doctor left files in the project: $(ls -A)"

# an install fills the store: the cache check verifies the entry, and finds it when damaged
"$KNIT" install alpha >/dev/null 2>&1 || not_ok "install alpha"
expect_run "the store entry verified" 0 "*ok    cache $KNIT_CACHE: writable; 1 store entry and 0 builds verified*" "" -- "$KNIT" doctor
echo changed >>"$(ls -d "$KNIT_CACHE"/store/v2/*/package)/knit.json"
expect_run "a damaged entry" 1 "*fail  cache $KNIT_CACHE: 1 of 1 store entries and 0 of 0 builds damaged; run 'knit cache verify' to remove them*
1 check failed" "" -- "$KNIT" doctor
rm -rf "$KNIT_CACHE" deps knit.lock
echo '{ "name": "app", "version": "1.0.0" }' >knit.json

expect_run "a missing folder registry" 1 "fail  registry file://$TEST_TMP/nowhere: '$TEST_TMP/nowhere': No such file or directory; make the folder (knit publish fills it), or correct 'registry' (--registry)*
1 check failed" "" -- "$KNIT" doctor --registry "file://$TEST_TMP/nowhere"
mkdir -p "$TEST_TMP/notreg/stuff"
expect_run "a folder that is not a registry" 1 "fail  registry file://$TEST_TMP/notreg: '$TEST_TMP/notreg' holds no package (no <name>/index.json): not a registry; correct 'registry' (--registry)*" "" -- "$KNIT" doctor --registry "file://$TEST_TMP/notreg"

# a scope's registry on a closed port: checked as well as the default
port=$(free_port)
echo "@acme:registry=http://127.0.0.1:$port/" >>.knitrc
expect_run "an http registry nobody answers" 1 "ok    registry file://$TEST_TMP/reg: a folder with 1 package
fail  registry http://127.0.0.1:$port: no answer: *; check the network and proxy settings, or correct '@acme:registry' (.knitrc:2)*
1 check failed" "" -- "$KNIT" doctor

# a static web server (no /-/ping): its root answering is enough
python3 -m http.server --bind 127.0.0.1 --directory "$TEST_TMP/reg" "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
expect_run "an http registry without /-/ping" 0 "*ok    registry http://127.0.0.1:$port: answered its root in * ms*every check passed" "" -- "$KNIT" doctor
kill $server
sed -i '/@acme/d' .knitrc

# the cache where a file is: fails for root as well
touch "$TEST_TMP/cachefile"
expect_run "a cache that is a file" 1 "*fail  cache $TEST_TMP/cachefile: not a folder; remove what is in the way, or set KNIT_CACHE to a folder you can write*" "" -- env KNIT_CACHE="$TEST_TMP/cachefile" "$KNIT" doctor
expect_run "a cache below a file" 1 "*fail  cache $TEST_TMP/cachefile/sub: cannot be made: *" "" -- env KNIT_CACHE="$TEST_TMP/cachefile/sub" "$KNIT" doctor

# a PATH with the compiler, make and pkg-config, and no cmake
mkdir bin
for t in cc make pkg-config; do ln -s "$(command -v "$t")" "bin/$t"; done
expect_run "no cmake on PATH" 1 "*ok    tool cc: *
ok    tool make: *
fail  tool cmake: 'cmake' is not on PATH; install CMake (apt-get install cmake): packages built with CMake need it
ok    tool pkg-config: *
1 check failed" "" -- env PATH="$TEST_TMP/proj/bin" "$KNIT" doctor
rm -rf bin
expect_run "a CC that is not there" 1 "*fail  tool cc: '/no/such/gcc' is not on PATH; correct CC, or install the compiler it names*" "" -- env CC="/no/such/gcc -m64" "$KNIT" doctor
lacks "fail" "no check fails on the good setup again" -- "$KNIT" doctor

finish
