#!/usr/bin/env bash
# Builds run sandboxed, by bubblewrap and, where it is not installed, by
# knit itself through Linux namespaces: a dependency's configure step that
# connects to a server on 127.0.0.1, writes into HOME or edits its own
# sources in the store fails, naming the package and the sandbox, with
# nothing changed outside its build; the same package with --no-sandbox
# builds, so the checks can fail. Where neither can make a sandbox (no
# bubblewrap, namespaces refused), a build says so in one line and needs
# --no-sandbox or sandbox=false.
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

# three packages whose configure step reaches out: to a server on 127.0.0.1,
# into the real HOME, into its own sources (the store)
mkdir -p src/netty src/homey src/scribbler
cat >src/netty/CMakeLists.txt <<E
cmake_minimum_required(VERSION 3.16)
project(netty NONE)
file(DOWNLOAD "http://127.0.0.1:$port/" "\${CMAKE_BINARY_DIR}/got" STATUS st TIMEOUT 5)
list(GET st 0 code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "netty: cannot reach 127.0.0.1:$port")
endif()
E
cat >src/homey/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(homey NONE)
file(WRITE "$ENV{HOME}/escaped" "written by a dependency's build")
E
# a build starts from a copy of its sources; the originals are the store's (deps/ holds hard links to them)
export SCRIBBLE_ON="$TEST_TMP/app-scribbler/deps/scribbler/CMakeLists.txt"
cat >src/scribbler/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(scribbler NONE)
file(APPEND "$ENV{SCRIBBLE_ON}" "# scribbled\n")
E
for p in netty homey scribbler; do
	echo "{ \"name\": \"$p\", \"version\": \"1.0.0\" }" >src/$p/knit.json
	python3 "$TOOL" pack reg "src/$p" || exit 1
done
sandbox_says="?it ran sandboxed: no network, nothing writable but its build folders and /tmp; --no-sandbox builds without?"
# a PATH without bubblewrap: knit makes the sandbox itself (the folder in HOME, which the sandbox
# shows read-only, as it hides the rest of /tmp)
nobwrap=$HOME/nobwrap
mkdir -p "$nobwrap"
for f in /usr/bin/* /bin/*; do
	b=$(basename "$f")
	[ "$b" = bwrap ] || [ -e "$nobwrap/$b" ] || ln -s "$f" "$nobwrap/$b"
done
ln -sf "$KNIT" "$nobwrap/knit"
# reaches PKG WHAT MAKER: in a project of its own, the sandboxed build (made by MAKER) fails naming
# the package and the sandbox, then --no-sandbox builds it (so the sandbox is what stopped it)
reaches() {
	local p=$1 what=$2 maker=$3 path=$PATH
	[ "$maker" = namespaces ] && path=$nobwrap
	mkdir -p "$TEST_TMP/app-$p" && cd "$TEST_TMP/app-$p" || exit 1
	rm -rf deps/.build "$KNIT_CACHE/builds"
	echo '{ "name": "app", "version": "1.0.0" }' >knit.json
	"$KNIT" install "$p" --registry "$R" >/dev/null 2>&1 || not_ok "install $p"
	expect_run "sandboxed by $maker, $p fails" 1 "" "knit: error: $p 1.0.0: cmake configure failed (exit 1); see *$sandbox_says
*$what*" -- env PATH="$path" "$KNIT" build --deps
	[ ! -e "$HOME/escaped" ] && ! grep -qsx "# scribbled" "$SCRIBBLE_ON" && ok || not_ok "$p changed something outside its build ($maker)"
	expect_run "unsandboxed, $p builds" 0 "" "built $p 1.0.0 (cmake) in * s" -- env PATH="$path" "$KNIT" build --deps --no-sandbox
}
for maker in bubblewrap namespaces; do
	reaches netty "cannot reach 127.0.0.1:$port" $maker
	reaches homey "escaped" $maker
	[ -e "$HOME/escaped" ] && ok || not_ok "unsandboxed, homey did not write into HOME: the check proves nothing"
	rm -f "$HOME/escaped"
	reaches scribbler "Read-only file system" $maker
	grep -qx "# scribbled" "$SCRIBBLE_ON" && ok || not_ok "unsandboxed, scribbler did not edit the store: the check proves nothing"
	sed -i '/^# scribbled$/d' "$SCRIBBLE_ON" 2>/dev/null || true
done
# sandbox=false does what --no-sandbox does; a bad value is named
cd "$TEST_TMP/app-netty" || exit 1
rm -rf deps/.build "$KNIT_CACHE/builds"
echo 'sandbox=false' >.knitrc
expect_run "sandbox=false" 0 "" "built netty 1.0.0 (cmake) in * s" -- "$KNIT" build --deps
echo 'sandbox=maybe' >.knitrc
expect_run "a bad sandbox setting" 1 "" "knit: error: the setting 'sandbox' must be true or false, not 'maybe'" -- "$KNIT" build --deps
rm .knitrc
# a package that stays in its folders builds sandboxed
mkdir -p "$TEST_TMP/src/calm" && cd "$TEST_TMP/src/calm" || exit 1
printf 'cmake_minimum_required(VERSION 3.16)\nproject(calm C)\nadd_library(calm calm.c)\ninstall(TARGETS calm ARCHIVE DESTINATION lib)\n' >CMakeLists.txt
echo 'int calm(void) { return 1; }' >calm.c
echo '{ "name": "calm", "version": "1.0.0" }' >knit.json
(cd "$TEST_TMP" && python3 "$TOOL" pack reg src/calm) || exit 1
mkdir -p "$TEST_TMP/app" && cd "$TEST_TMP/app" || exit 1
echo '{ "name": "app", "version": "1.0.0" }' >knit.json
"$KNIT" install calm --registry "$R" >/dev/null 2>&1 || not_ok "install calm"
expect_run "sandboxed, calm builds" 0 "" "built calm 1.0.0 (cmake) in * s" -- "$KNIT" build --deps

# without bubblewrap, knit's own sandbox builds what stays in its folders
cd "$TEST_TMP/app" || exit 1
rm -rf deps/.build "$KNIT_CACHE/builds"
expect_run "no bubblewrap: sandboxed by knit, calm builds" 0 "" "built calm 1.0.0 (cmake) in * s" -- env PATH="$nobwrap" "$KNIT" build --deps
# no bubblewrap and no namespaces (inside a user namespace that may make no more, without
# capabilities): one line, and --no-sandbox builds
rm -rf deps/.build "$KNIT_CACHE/builds"
nons() { bwrap --dev-bind / / --unshare-user --disable-userns --cap-drop ALL -- env PATH="$nobwrap" "$@"; }
expect_run "no sandbox possible: said in one line" 1 "" \
	"knit: error: builds run in a sandbox, and none can be made here: bubblewrap is not installed, and Linux refuses knit the namespaces it would make one with; run them unsandboxed with --no-sandbox or the setting sandbox=false" \
	-- nons "$KNIT" build --deps
kill $server
wait $server 2>/dev/null
expect_run "no sandbox possible, --no-sandbox: builds" 0 "" "built calm 1.0.0 (cmake) in * s" -- nons "$KNIT" build --deps --no-sandbox
finish
