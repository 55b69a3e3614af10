#!/usr/bin/env bash
# The whole path a new user takes: knit init a server, two libraries made
# with knit init --template lib (one depending on the other) in a file://
# registry, knit install one into the server, whose main.c calls it; knit run
# build, knit run start in the background, GET / answers "Hello, World!",
# knit run test passes, and SIGTERM to knit stops the server cleanly.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
mkdir reg

# init writes a project and never writes over one
expect_run "init a server" 0 "Created my-app (server template) in my app:*knit.json*src/main.c*cd 'my app'*" "" -- "$KNIT" init "my app" -y
for f in knit.json CMakeLists.txt src/main.c src/http.c src/http.h tests/test_http.c .gitignore README.md; do
	[ -f "my app/$f" ] && ok || not_ok "init did not write $f"
done
grep -q '"name": "my-app"' "my app/knit.json" && ok || not_ok "the name does not come from the folder"
snap() { find "$1" -type f | sort | xargs sha256sum | sha256sum; }
before=$(snap "my app")
expect_run "init over a project" 1 "" "knit: error: '*' already exists in 'my app'; knit init writes nothing over it" -- "$KNIT" init "my app" -y
[ "$(snap "my app")" = "$before" ] && ok || not_ok "a refused init changed the folder"
mkdir partial && echo mine >partial/README.md
expect_run "init with one file in the way" 1 "" "knit: error: 'README.md' already exists in 'partial'; *" -- "$KNIT" init partial -y
[ "$(ls -A partial)" = README.md ] && [ "$(cat partial/README.md)" = mine ] && ok || not_ok "init wrote beside a file in the way"
expect_run "a bad name" 1 "" "knit: error: 'Bad Name' is not a valid package name*" -- "$KNIT" init bad --name "Bad Name" -y
[ ! -e bad ] && ok || not_ok "a refused init made its folder"
expect_run "the cd hint quotes a folder name with a quote" 0 "*  cd 'it'\\\\''s lib'*" "" -- "$KNIT" init "it's lib" --template lib -y
expect_run "an unknown template" 1 "" "knit: error: there is no template 'libb'; did you mean 'lib'?" -- "$KNIT" init x --template libb -y
expect_run "answers on standard input are not asked for without a terminal" 0 "Created quiet*" "" -- bash -c "echo nonsense | '$KNIT' init quiet"

# on a terminal, init asks; a bad name is asked again
if command -v script >/dev/null; then
	printf 'Bad Name\n\n1.2.3\nmy "quoted" server\nISC\n' | script -qec "'$KNIT' init asked" /dev/null >"$TEST_TMP/asked.log" 2>&1
	python3 - "$TEST_TMP/asked.log" <<'E' && ok || not_ok "interactive init: $(tr -d '\r' <"$TEST_TMP/asked.log")"
import json, sys
d = json.load(open("asked/knit.json"))
log = open(sys.argv[1]).read()
assert "'Bad Name' is not a valid package name" in log, log
assert (d["name"], d["version"], d["description"], d["license"]) == ("asked", "1.2.3", 'my "quoted" server', "ISC"), d
E
fi

# two libraries from the lib template; libname uses libgreet
expect_run "init a library" 0 "Created libgreet (lib template)*" "" -- "$KNIT" init libgreet --template lib -y
(cd libgreet && "$KNIT" test -s >"$TEST_TMP/libtest.log" 2>&1) && ok || not_ok "the lib template's own test failed: $(tail -5 "$TEST_TMP/libtest.log")"
"$KNIT" init libname --template lib -y >/dev/null || not_ok "init libname"
cat >libname/src/libname.c <<'E'
#include <stdio.h>
#include "libgreet.h"
#include "libname.h"
int libname_greet(char *buf, unsigned long size, const char *who)
{
	char inner[64];
	libgreet_greet(inner, sizeof(inner), who);
	return snprintf(buf, size, "[%s]", inner);
}
E
python3 - <<'E'
import json
p = "libname/knit.json"; d = json.load(open(p)); d["dependencies"] = {"libgreet": "^0.1.0"}
json.dump(d, open(p, "w"), indent=2)
E
python3 "$TOOL" pack reg libgreet && python3 "$TOOL" pack reg libname || not_ok "packing the libraries"

# the server uses libname
cd "my app" || exit 1
expect_run "install a library into the server" 0 "*2 packages in deps/*" "" -- "$KNIT" install libname --registry "$R"
python3 - <<'E'
p = "src/main.c"; s = open(p).read()
s = s.replace('#include "http.h"', '#include "http.h"\n#include "libname.h"')
s = s.replace('\tprintf("Server listening', '\tchar greeting[64];\n\tlibname_greet(greeting, sizeof(greeting), "knit");\n\tfprintf(stderr, "%s\\n", greeting);\n\tprintf("Server listening')
open(p, "w").write(s)
E
"$KNIT" run build >"$TEST_TMP/build.log" 2>&1 && ok || not_ok "knit run build: $(tail -5 "$TEST_TMP/build.log")"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORT
"$KNIT" run start >"$TEST_TMP/server.out" 2>"$TEST_TMP/server.err" &
knit_pid=$!
for _ in $(seq 200); do grep -q "Server listening" "$TEST_TMP/server.out" 2>/dev/null && break; sleep 0.05; done
grep -q "Server listening at http://localhost:$PORT" "$TEST_TMP/server.out" && ok || not_ok "the server did not say where it listens: $(cat "$TEST_TMP/server.out" "$TEST_TMP/server.err")"
grep -q '^\[Hello, knit!\]$' "$TEST_TMP/server.err" && ok || not_ok "main.c did not call libname: $(cat "$TEST_TMP/server.err")"
out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$PORT/")
[ "$out" = "Hello, World! 200" ] && ok || not_ok "GET / answered '$out'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")
[ "$code" = 404 ] && ok || not_ok "GET /nope answered $code"
# keep-alive: two requests over one connection
n=$(curl -s -v "http://127.0.0.1:$PORT/" "http://127.0.0.1:$PORT/" 2>&1 | grep -c 'Re-using existing connection\|Reusing existing')
[ "$n" -ge 1 ] && ok || not_ok "the connection was not kept alive"
# SIGTERM to knit reaches the server (the start script's program, run
# without a shell in between); it shuts down cleanly, and knit, having
# waited for it, exits with its status, 0
kill -TERM "$knit_pid"
wait "$knit_pid"
rc=$?
[ "$rc" = 0 ] && ok || not_ok "SIGTERM to knit: exit $rc, not the server's clean 0"
lacks "knit: error" "no error for a server that stopped as asked" -- cat "$TEST_TMP/server.err"
grep -q "received SIGTERM, shutting down" "$TEST_TMP/server.err" && ok || not_ok "the server did not get SIGTERM: $(cat "$TEST_TMP/server.err")"
curl -s "http://127.0.0.1:$PORT/" >/dev/null && not_ok "the server still answers" || ok

expect_run "knit run test" 0 "*100% tests passed*" "*" -- "$KNIT" run test
finish
