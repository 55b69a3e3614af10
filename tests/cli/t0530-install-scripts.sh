#!/usr/bin/env bash
# Dependencies' install scripts (preinstall, install, postinstall) run only
# for packages the project lists in trustedDependencies, in the package's
# folder, before the new deps/ is swapped in; the others are named.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
mkdir -p reg src/builds src/fails src/quiet
cat >src/builds/knit.json <<'E'
{ "name": "libbuilds", "version": "1.0.0",
  "scripts": { "preinstall": "echo pre >order.txt; echo $((6 * 7))x >>knit.json", "install": "echo main >>order.txt",
               "postinstall": "echo post >>order.txt; echo $knit_lifecycle_event >event.txt" } }
E
echo '{ "name": "libfails", "version": "1.0.0", "scripts": { "postinstall": "exit 3" } }' >src/fails/knit.json
echo '{ "name": "libquiet", "version": "1.0.0", "scripts": { "test": "false" } }' >src/quiet/knit.json
for p in builds fails quiet; do python3 "$TOOL" pack reg "src/$p" || exit 1; done

mkdir app && cd app || exit 1
echo '{ "name": "app", "version": "1.0.0", "dependencies": { "libbuilds": "^1.0.0", "libquiet": "^1.0.0" } }' >knit.json
expect_run "untrusted: skipped and named" 0 "*2 packages in deps/*" \
	"knit: warning: skipped the install scripts of libbuilds; list them in knit.json's trustedDependencies to run them" \
	-- "$KNIT" install --registry "$R"
[ ! -e deps/libbuilds/order.txt ] && ok || not_ok "an untrusted package's script ran"

python3 - <<'E'
import json
d = json.load(open("knit.json")); d["trustedDependencies"] = ["libbuilds"]; json.dump(d, open("knit.json", "w"))
E
expect_run "trusted: the scripts run, in order, in the package's folder" 0 "*2 packages in deps/*" "" -- "$KNIT" install --registry "$R"
[ "$(cat deps/libbuilds/order.txt 2>/dev/null | tr '\n' ' ')" = "pre main post " ] && ok || not_ok "order.txt: $(cat deps/libbuilds/order.txt 2>&1)"
[ "$(cat deps/libbuilds/event.txt 2>/dev/null)" = postinstall ] && ok || not_ok "knit_lifecycle_event was not postinstall"
# the trusted package's files are copies: its script changed its own knit.json, not the store's
grep -q 42x deps/libbuilds/knit.json && ok || not_ok "the script did not run in the package's folder"
! grep -rq 42x "$KNIT_CACHE/store" && ok || not_ok "a script changed a file in the store"
[ "$(stat -c %h deps/libquiet/knit.json)" -gt 1 ] && ok || not_ok "an untrusted package was copied, not linked"
expect_run "a no-op install runs nothing again" 0 "*2 packages in deps/ (0 fetched, deps/ unchanged*" "" -- "$KNIT" install --registry "$R"

# a trusted script that fails: the install fails, naming it, and nothing changes
snap() { { cat knit.json knit.lock; find deps | sort; } | sha256sum; }
good=$(snap)
python3 - <<'E'
import json
d = json.load(open("knit.json")); d["trustedDependencies"].append("libfails"); json.dump(d, open("knit.json", "w"))
E
good=$(snap)
expect_run "a failing install script" 1 "" "knit: error: package 'libfails@1.0.0': its 'postinstall' script exited with status 3 (it ran sandboxed: *)" \
	-- "$KNIT" install libfails --registry "$R"
[ "$(snap)" = "$good" ] && ok || not_ok "the failed install changed the project"
echo '{ "name": "app", "trustedDependencies": "libbuilds" }' >bad.json && cp knit.json keep.json && cp bad.json knit.json
expect_run "trustedDependencies that is not a list" 1 "" "knit: error: */knit.json: 'trustedDependencies' must be an array of package names" -- "$KNIT" install --registry "$R"
cp keep.json knit.json

# the sandbox: a trusted script that writes into HOME, or connects to a listener on 127.0.0.1, fails
# with a clear message and changes nothing; with sandbox=false the same script runs as it is
cd "$TEST_TMP" && mkdir -p src/homey src/netty
echo '{ "name": "libhomey", "version": "1.0.0", "scripts": { "postinstall": "echo x >\"$HOME/planted\"" } }' >src/homey/knit.json
echo '{ "name": "libnetty", "version": "1.0.0", "scripts": { "postinstall": "python3 -c \"import socket,sys; socket.create_connection((\\\"127.0.0.1\\\", int(sys.argv[1])), 2)\" $KNIT_TEST_PORT" } }' >src/netty/knit.json
for p in homey netty; do python3 "$TOOL" pack reg "src/$p" || exit 1; done
port=$(free_port)
python3 -c "import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8); time.sleep(120)" "$port" &
listener=$!
export KNIT_TEST_PORT=$port
for _ in $(seq 50); do python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" 2>/dev/null && break; sleep 0.1; done
mkdir sandboxed && cd sandboxed || exit 1
echo '{ "name": "app", "version": "1.0.0", "trustedDependencies": ["libhomey", "libnetty"] }' >knit.json
expect_run "a script writing into HOME" 1 "" "*Read-only file system*
knit: error: package 'libhomey@1.0.0': its 'postinstall' script exited with status * (it ran sandboxed: no network, nothing writable but its own folder and /tmp; the setting sandbox=false runs it without)" \
	-- "$KNIT" install libhomey --registry "$R"
[ ! -e "$HOME/planted" ] && [ ! -e knit.lock ] && [ ! -e deps ] && ok || not_ok "the sandboxed script changed something"
expect_run "a script connecting to 127.0.0.1" 1 "" "*Connection refused*
knit: error: package 'libnetty@1.0.0': its 'postinstall' script exited with status 1 (it ran sandboxed: *)" \
	-- "$KNIT" install libnetty --registry "$R"
# without bubblewrap, knit's own sandbox (Linux namespaces) holds them as well
nobwrap=$HOME/nobwrap && mkdir -p "$nobwrap"
for f in /usr/bin/* /bin/*; do b=$(basename "$f"); [ "$b" = bwrap ] || [ -e "$nobwrap/$b" ] || ln -s "$f" "$nobwrap/$b"; done
expect_run "no bubblewrap: a script writing into HOME" 1 "" "*Read-only file system*
knit: error: package 'libhomey@1.0.0': its 'postinstall' script exited with status * (it ran sandboxed: *)" \
	-- env PATH="$nobwrap" "$KNIT" install libhomey --registry "$R"
[ ! -e "$HOME/planted" ] && [ ! -e knit.lock ] && ok || not_ok "knit's own sandbox let the script change something"
echo 'sandbox=false' >.knitrc
expect_run "sandbox=false: the same scripts run as they are" 0 "*2 packages in deps/*" "" -- "$KNIT" install libhomey libnetty --registry "$R"
[ -e "$HOME/planted" ] && ok || not_ok "unsandboxed, the script did not write into HOME"
echo 'sandbox=maybe' >.knitrc && rm -rf deps
expect_run "a bad sandbox setting" 1 "" "knit: error: the setting 'sandbox' must be true or false, not 'maybe'" -- "$KNIT" install --registry "$R"
kill "$listener" 2>/dev/null
finish
