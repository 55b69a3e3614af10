#!/usr/bin/env bash
# Builds run sandboxed (bubblewrap): a dependency's configure step cannot
# reach the network (a server on 127.0.0.1 answers outside, not inside),
# cannot write into its own sources or outside its build folders (what it
# writes to the real HOME lands in a private /tmp and goes), and the same
# package run with --no-sandbox does reach them, so the checks can fail.
# Without bubblewrap, a build says so in one line and needs --no-sandbox
# or sandbox=false.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CFLAGS
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
for tool in cmake cc bwrap python3; do
	command -v $tool >/dev/null || { not_ok "$tool is needed"; finish; }
done
port=$(free_port)
mkdir -p www && echo reached >www/index.html
(cd www && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

# nosy: at configure time, tries the network, the real HOME and its own sources
mkdir -p src/nosy
cat >src/nosy/CMakeLists.txt <<E
cmake_minimum_required(VERSION 3.16)
project(nosy C)
file(DOWNLOAD "http://127.0.0.1:$port/" "\${CMAKE_BINARY_DIR}/got" STATUS st TIMEOUT 5)
list(GET st 0 code)
if(code EQUAL 0)
  message(FATAL_ERROR "nosy: the network was reached")
endif()
file(WRITE "$HOME/escaped" "written by a dependency's build")
file(WRITE "\$ENV{HOME}/own" "in the build's own home")
add_library(nosy nosy.c)
install(TARGETS nosy ARCHIVE DESTINATION lib)
E
echo 'int nosy(void) { return 1; }' >src/nosy/nosy.c
echo '{ "name": "nosy", "version": "1.0.0" }' >src/nosy/knit.json
# scribbler: writes into its own sources
mkdir -p src/scribbler
cat >src/scribbler/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(scribbler NONE)
file(WRITE "${CMAKE_CURRENT_SOURCE_DIR}/generated.h" "#define X 1\n")
E
echo '{ "name": "scribbler", "version": "1.0.0" }' >src/scribbler/knit.json
for p in nosy scribbler; do python3 "$TOOL" pack reg "src/$p" || exit 1; done

mkdir app && cd app || exit 1
echo '{ "name": "app", "version": "1.0.0" }' >knit.json
"$KNIT" install nosy --registry "$R" >/dev/null 2>&1 || not_ok "install nosy"
expect_run "sandboxed: no network, nothing written outside" 0 "" "built nosy 1.0.0 (cmake) in * s" -- "$KNIT" build --deps
[ ! -e "$HOME/escaped" ] && ok || not_ok "a sandboxed build wrote into the real HOME"
[ ! -e "$HOME/own" ] && ok || not_ok "the build's own HOME was the real one"
# the same package outside the sandbox reaches both: the checks above can fail
rm -rf deps/.build "$KNIT_CACHE/builds"
expect_run "--no-sandbox: the network is there" 1 "" "*nosy: the network was reached*" -- "$KNIT" build --deps --no-sandbox
echo 'sandbox=false' >.knitrc
expect_run "sandbox=false: the same" 1 "" "*nosy: the network was reached*" -- "$KNIT" build --deps
echo 'sandbox=maybe' >.knitrc
expect_run "a bad sandbox setting" 1 "" "knit: error: the setting 'sandbox' must be true or false, not 'maybe'" -- "$KNIT" build --deps
rm .knitrc

# its own sources are read-only to a build
mkdir -p "$TEST_TMP/app2" && cd "$TEST_TMP/app2" || exit 1
echo '{ "name": "app2", "version": "1.0.0" }' >knit.json
"$KNIT" install scribbler --registry "$R" >/dev/null 2>&1 || not_ok "install scribbler"
expect_run "a build cannot write into its sources" 1 "" "knit: error: scribbler 1.0.0: cmake configure failed (exit 1); see *
*generated.h*" -- "$KNIT" build --deps
[ ! -e deps/scribbler/generated.h ] && ok || not_ok "the sources were written"

# without bubblewrap: one line, and --no-sandbox builds
mkdir -p "$TEST_TMP/nobwrap"
for f in /usr/bin/* /bin/*; do
	b=$(basename "$f")
	[ "$b" = bwrap ] || [ -e "$TEST_TMP/nobwrap/$b" ] || ln -s "$f" "$TEST_TMP/nobwrap/$b"
done
ln -sf "$KNIT" "$TEST_TMP/nobwrap/knit"
cd "$TEST_TMP/app" || exit 1
rm -rf deps/.build "$KNIT_CACHE/builds"
expect_run "no bubblewrap: said in one line" 1 "" \
	"knit: error: builds run in a sandbox made by bubblewrap, which is not on PATH: apt-get install bubblewrap (or build unsandboxed with --no-sandbox or the setting sandbox=false)" \
	-- env PATH="$TEST_TMP/nobwrap" "$KNIT" build --deps
kill $server
wait $server 2>/dev/null
expect_run "no bubblewrap, --no-sandbox: builds" 0 "" "built nosy 1.0.0 (cmake) in * s" -- env PATH="$TEST_TMP/nobwrap" "$KNIT" build --deps --no-sandbox
finish
