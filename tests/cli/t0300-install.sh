#!/usr/bin/env bash
# knit install and knit ci against real registries: a folder read through
# file://, nginx serving the same layout, and a server that fails on purpose.
# deps/ is checked against the tarballs byte for byte and knit.lock against
# the packuments; after every failure deps/, knit.json and knit.lock must be
# exactly as they were.
. "$(dirname "$0")/lib.sh"
isolated_registry 25 11
R="file://$TEST_TMP/reg"
closure=$(python3 -c 'import json; print(json.load(open("reg/universe.json"))["closure"])')

# a fingerprint of everything the project holds
snapshot() { (cd "$1" && { cat knit.json knit.lock 2>/dev/null; find deps -type f -o -type l 2>/dev/null | sort | xargs -r sha256sum; } | sha256sum); }

mkdir app && cp reg/project/package.json app/knit.json && cd app
expect_run "install from a folder registry" 0 "*$closure packages in deps/ ($closure fetched, deps/ updated, knit.lock written) in *" "" -- "$KNIT" install --registry "$R"
python3 "$TOOL" check ../reg . >/dev/null && ok || not_ok "deps/ and knit.lock against the registry: $(python3 "$TOOL" check ../reg .)"
expect_run "a no-op install" 0 "*$closure packages in deps/ (0 fetched, deps/ unchanged, knit.lock unchanged) in *" "" -- "$KNIT" install --registry "$R"
# --timing and KNIT_TIMING: the phases and what they did, on stderr, after the summary
files=$(find deps -mindepth 1 -path deps/.bin -prune -o -type f ! -name 'knit.*' ! -name '.knit-state' -print | wc -l)
rm -rf deps
expect_run "ci --timing" 0 "*$closure packages in deps/ (0 fetched, deps/ updated) in *" "timing: setup * ms, *link * ms; * ms in all
timing: 0 requests, 0 B received; $files files linked, * folders and * links made in deps/" -- "$KNIT" ci --timing --registry "$R"
expect_run "KNIT_TIMING=1, nothing to do" 0 "*$closure packages in deps/ (0 fetched, deps/ unchanged*" "timing: setup * ms*; * ms in all
timing: 0 requests, 0 B received; 0 files linked, 0 folders and 0 links made in deps/" -- env KNIT_TIMING=1 "$KNIT" install --registry "$R"
lacks "timing:" "KNIT_TIMING=0 prints no timing" -- env KNIT_TIMING=0 "$KNIT" install --registry "$R"
# libcurl and libarchive (and the forty libraries behind them) are loaded
# only when something is downloaded or extracted
loaded_libs() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -oE 'file=lib(curl|archive)\.so[^ ]*' | sort -u | tr '\n' ' '; }
[ -z "$(loaded_libs "$KNIT" install --registry "$R")" ] && ok || not_ok "a no-op install loaded $(loaded_libs "$KNIT" install --registry "$R")"
[ -z "$(loaded_libs "$KNIT" --version)" ] && ok || not_ok "knit --version loaded libcurl or libarchive"
expect_run "frozen lockfile, nothing to change" 0 "*knit.lock unchanged*" "" -- "$KNIT" install --frozen-lockfile --registry "$R"
good=$(snapshot .)

# knit ci: from the lock alone, writing neither file
rm -rf deps "$KNIT_CACHE"
case "$(loaded_libs "$KNIT" ci --registry "$R")" in
*libarchive*libcurl*) ok ;;
*) not_ok "ci with an empty store did not load libcurl and libarchive" ;;
esac
rm -rf deps "$KNIT_CACHE"
before_files=$(cat knit.json knit.lock | sha256sum)
expect_run "ci with an empty store" 0 "*$closure packages in deps/ ($closure fetched, deps/ updated) in *" "" -- "$KNIT" ci --registry "$R"
[ "$(cat knit.json knit.lock | sha256sum)" == "$before_files" ] && ok || not_ok "ci wrote knit.json or knit.lock"
python3 "$TOOL" check ../reg . >/dev/null && ok || not_ok "deps/ after ci"
rm -rf deps
[ -z "$(loaded_libs "$KNIT" ci --registry "http://127.0.0.1:9/")" ] && ok || not_ok "ci from a warm store loaded libcurl or libarchive"
rm -rf deps
expect_run "ci with a warm store and the registry unreachable" 0 "*$closure packages in deps/ (0 fetched, deps/ updated) in *" "" -- "$KNIT" ci --registry "http://127.0.0.1:9/"
[ "$(snapshot .)" == "$good" ] && ok || not_ok "ci did not restore the same deps/"

# failures, each from the good state, each leaving it untouched
fails() { # description, message glob, command...
	local desc=$1 msg=$2
	shift 2
	local before
	before=$(snapshot .)
	expect_run "$desc" 1 "" "$msg" -- "$@"
	[ "$(snapshot .)" == "$before" ] && ok || not_ok "$desc: the project changed"
}

cp knit.json knit.json.good
python3 - <<'PY'
import json
d = json.load(open("knit.json")); name = sorted(d["dependencies"])[0]
d["dependencies"][name] = "^9.0.0"; json.dump(d, open("knit.json", "w"), indent=2)
PY
fails "ci with knit.json and knit.lock apart" "knit: error: knit.json and knit.lock disagree: dependencies.* is ^9.0.0 in knit.json but * in knit.lock; run 'knit install' to update knit.lock" "$KNIT" ci --registry "$R"
fails "no version matches" "*which doesn't match any versions*version solving failed.*" "$KNIT" install --registry "$R"
python3 - <<'PY'
import json
d = json.load(open("knit.json.good")); d["dependencies"]["no-such-lib"] = "^1.0.0"
json.dump(d, open("knit.json", "w"), indent=2)
PY
fails "an unknown package" "*depends on no-such-lib ^1.0.0 which doesn't exist, version solving failed.*hint: the registry has no package named 'no-such-lib'" "$KNIT" install --registry "$R"
printf '{\n  "name": "app",\n  "dependencies": {,\n}\n' > knit.json
fails "malformed knit.json" "knit: error: ./knit.json:3:20: malformed JSON" "$KNIT" install --registry "$R"
cp knit.json.good knit.json
fails "frozen lockfile that would change" "knit: error: knit.lock is out of date with knit.json; --frozen-lockfile forbids changing it" \
	env KNIT_REGISTRY="$R" sh -c "python3 -c \"import json; d=json.load(open('knit.json')); d['dependencies'].popitem(); json.dump(d, open('knit.json','w'))\" && '$KNIT' install --frozen-lockfile; rc=\$?; cp knit.json.good knit.json; exit \$rc"

# damaged registries: a copy of the good one, its tarballs pointing at itself
victim=$(python3 -c 'import json; l=json.load(open("knit.lock")); n=sorted(l["packages"])[0]; print(n, l["packages"][n]["version"])')
set -- $victim
vname=$1 vversion=$2
damaged() { rm -rf "$TEST_TMP/bad" && cp -r "$TEST_TMP/reg" "$TEST_TMP/bad" && python3 "$TOOL" rebase "$TEST_TMP/bad" "file://$TEST_TMP/bad"; }
B="file://$TEST_TMP/bad"
export KNIT_CACHE="$TEST_TMP/cache-bad"

# with knit.lock, install trusts the lock's integrity: a registry that swaps a tarball is caught
damaged && python3 "$TOOL" truncate "$TEST_TMP/bad" "$vname" "$vversion"
fails "a swapped tarball against knit.lock" "knit: error: integrity mismatch for $vname@$vversion: expected sha512-*, got sha512-*" "$KNIT" install --registry "$B"
fails "a registry that is down, with knit.lock" "knit: error: cannot fetch $vname@$vversion: http://127.0.0.1:9/*: Couldn't connect to server (after 3 attempts)" "$KNIT" install --registry "http://127.0.0.1:9/"
[ -z "$(find "$KNIT_CACHE/store" -mindepth 2 -maxdepth 2 -name 'sha512-*' 2>/dev/null)" ] && ok || not_ok "a failed install left packages in the store"

# without knit.lock, the registry's documents are read: the rest of the failures
cd "$TEST_TMP" && cp -r app app2 && rm app2/knit.lock && cd app2

damaged && python3 "$TOOL" corrupt "$TEST_TMP/bad" "$vname" "$vversion"
fails "integrity mismatch" "knit: error: integrity mismatch for $vname@$vversion: expected sha512-*, got sha512-*" "$KNIT" install --registry "$B"
damaged && python3 "$TOOL" truncate "$TEST_TMP/bad" "$vname" "$vversion"
rm -rf "$KNIT_CACHE"
fails "a truncated tarball" "knit: error: package '$vname': the tarball is damaged*" "$KNIT" install --registry "$B"
damaged && python3 "$TOOL" escape "$TEST_TMP/bad" "$vname" "$vversion"
rm -rf "$KNIT_CACHE"
fails "a tarball that writes outside its folder" "knit: error: package '$vname' is refused: its entry 'package/../../escaped.txt' would land outside it" "$KNIT" install --registry "$B"
[ -z "$(find "$TEST_TMP" -name escaped.txt)" ] && ok || not_ok "a file escaped its package"
damaged && python3 "$TOOL" symlink "$TEST_TMP/bad" "$vname" "$vversion"
rm -rf "$KNIT_CACHE"
fails "a link out of the package" "knit: error: package '$vname' is refused: 'package/evil' is a link to '../../../../etc', outside it" "$KNIT" install --registry "$B"
[ -z "$(find "$KNIT_CACHE" -name evil 2>/dev/null)" ] && ok || not_ok "a refused package reached the store"
damaged && python3 "$TOOL" malform "$TEST_TMP/bad" "$vname"
fails "a malformed packument" "knit: error: cannot load '$vname': the registry's document for '$vname' is malformed JSON (line 1, column *)" "$KNIT" install --registry "$B"
rm -rf "$KNIT_CACHE"
fails "the registry is down" "knit: error: cannot load '*': http://127.0.0.1:9/*: Couldn't connect to server (after 3 attempts)" "$KNIT" install --registry "http://127.0.0.1:9/"

# HTTP: nginx serving a registry made for its port, and a server that fails first
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$GEN" "$TEST_TMP/web" --packages 25 --seed 11 --base-url "http://127.0.0.1:$port" >/dev/null
nginx_pid=$("$KNIT_SOURCE_DIR/../shared/bench/serve-registry.sh" "$TEST_TMP/web" "$port")
trap 'kill $nginx_pid 2>/dev/null; kill $fault_pid 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
cd "$TEST_TMP" && mkdir web-app && cp web/project/package.json web-app/knit.json && cd web-app
export KNIT_CACHE="$TEST_TMP/cache-web"
expect_run "install over HTTP from nginx" 0 "*$closure packages in deps/ ($closure fetched, deps/ updated, knit.lock written) in *" "" -- "$KNIT" install --registry "http://127.0.0.1:$port/"
python3 "$TOOL" check ../web . >/dev/null && ok || not_ok "deps/ over HTTP: $(python3 "$TOOL" check ../web .)"
# one cache file per packument: its validators, then its body
[ "$(ls "$KNIT_CACHE/packuments" | wc -l)" -ge "$closure" ] && ! ls "$KNIT_CACHE/packuments" | grep -q '\.meta$' &&
	[ "$(head -1 "$KNIT_CACHE/packuments/$(ls "$KNIT_CACHE/packuments" | head -1)")" = "knit packument cache 1" ] && ok ||
	not_ok "packuments were not cached one file each: $(ls "$KNIT_CACHE/packuments" | head -3)"
rm knit.lock
expect_run "packuments revalidated" 0 "*$closure packages in deps/ (0 fetched, deps/ unchanged, knit.lock written) in *" "" -- "$KNIT" install --registry "http://127.0.0.1:$port/"
# cache files are written without fsync: one cut short (as by a crash) is
# fetched again in full, never revalidated and then used
cut=$(ls "$KNIT_CACHE/packuments" | head -1)
head -c 200 "$KNIT_CACHE/packuments/$cut" >"$TEST_TMP/cut" && cp "$TEST_TMP/cut" "$KNIT_CACHE/packuments/$cut"
rm knit.lock
expect_run "a packument cut short in the cache" 0 "*$closure packages in deps/ (0 fetched, deps/ unchanged, knit.lock written) in *" "" -- "$KNIT" install --registry "http://127.0.0.1:$port/"
[ "$(stat -c %s "$KNIT_CACHE/packuments/$cut")" -gt 200 ] && ok || not_ok "the cut packument was not cached again"
kill "$nginx_pid"
sleep 0.2
rm knit.lock
expect_run "--offline, the registry down" 0 "*$closure packages in deps/ (0 fetched, deps/ unchanged, knit.lock written) in *" "" -- "$KNIT" install --offline --registry "http://127.0.0.1:$port/"
rm knit.lock
expect_run "--prefer-offline, the registry down" 0 "*knit.lock written*" "" -- "$KNIT" install --prefer-offline --registry "http://127.0.0.1:$port/"
rm -rf deps
expect_run "ci --offline, the registry down" 0 "*$closure packages in deps/ (0 fetched, deps/ updated) in *" "" -- "$KNIT" ci --offline --registry "http://127.0.0.1:$port/"
for mode in --offline --prefer-offline; do
	"$KNIT" outdated $mode --registry "http://127.0.0.1:$port/" >"$TEST_TMP/outdated.out" 2>"$TEST_TMP/outdated.err"
	rc=$?
	{ [ "$rc" -le 1 ] && [ ! -s "$TEST_TMP/outdated.err" ]; } && ok || not_ok "outdated $mode, the registry down: exit $rc, $(cat "$TEST_TMP/outdated.err")"
done
fails "install --offline --prefer-offline" "knit: error: --offline and --prefer-offline exclude each other" "$KNIT" install --offline --prefer-offline --registry "http://127.0.0.1:$port/"
fails "outdated --offline --prefer-offline" "knit: error: --offline and --prefer-offline exclude each other" "$KNIT" outdated --offline --prefer-offline --registry "http://127.0.0.1:$port/"
fails "outdated --offline with nothing cached" "knit: error: *'*' is not in the cache, and --offline keeps knit off the network*" env KNIT_CACHE="$TEST_TMP/empty" "$KNIT" outdated --offline --registry "http://127.0.0.1:$port/"
fails "--offline with nothing cached" "knit: error: cannot load '*': '*' is not in the cache, and --offline keeps knit off the network" \
	sh -c "mv knit.lock knit.lock.kept; KNIT_CACHE='$TEST_TMP/empty' '$KNIT' install --offline --registry 'http://127.0.0.1:$port/'; rc=\$?; mv knit.lock.kept knit.lock; exit \$rc"
fails "ci --offline with an empty store" "knit: error: *@* is not in the store, and --offline keeps knit off the network" env KNIT_CACHE="$TEST_TMP/empty" "$KNIT" ci --offline --registry "http://127.0.0.1:$port/"

# On a terminal one status line (colour is t0880's), redrawn per phase and erased before the
# summary; with TERM=dumb (or no terminal, as everywhere above) nothing extra.
rm -rf deps knit.lock
NO_COLOR=1 TERM=xterm KNIT_CACHE="$TEST_TMP/tty-cache" script -qfec "'$KNIT' install --registry '$R'" /dev/null >"$TEST_TMP/tty" 2>&1
tty_out=$(tr -d '\r' <"$TEST_TMP/tty")
esc=$(printf '\033[K')
case "$tty_out" in
"${esc}resolving: "*"${esc}$closure packages resolved; fetching "*"/$closure tarballs, "*"${esc}linking $closure packages into deps/${esc}"*"$closure packages in deps/ ($closure fetched, deps/ updated, knit.lock written) in "*) ok ;;
*) not_ok "progress on a terminal: [$(cat -v "$TEST_TMP/tty")]" ;;
esac
# the resolving line counts the packuments answered of those requested: never more
counts=$(grep -oE 'resolving: [0-9]+/[0-9]+ packuments' <<<"$tty_out" | grep -oE '[0-9]+/[0-9]+')
[ -n "$counts" ] && ok || not_ok "no 'resolving: N/M packuments' on the terminal: [$(cat -v "$TEST_TMP/tty")]"
for c in $counts; do [ "${c%/*}" -le "${c#*/}" ] || not_ok "answered over requested: $c"; done
rm -rf deps
NO_COLOR=1 TERM=xterm KNIT_CACHE="$TEST_TMP/tty-cache" script -qfec "'$KNIT' ci --registry '$R'" /dev/null >"$TEST_TMP/tty" 2>&1
case "$(tr -d '\r' <"$TEST_TMP/tty")" in
"${esc}$closure packages resolved, all in the store${esc}linking $closure packages into deps/${esc}$closure packages in deps/ (0 fetched, deps/ updated) in "*) ok ;;
*) not_ok "progress of ci on a terminal: [$(cat -v "$TEST_TMP/tty")]" ;;
esac
rm -rf deps
NO_COLOR=1 TERM=dumb KNIT_CACHE="$TEST_TMP/tty-cache" script -qfec "'$KNIT' ci --registry '$R'" /dev/null >"$TEST_TMP/tty" 2>&1
case "$(tr -d '\r' <"$TEST_TMP/tty")" in
"$closure packages in deps/ (0 fetched, deps/ updated) in "*) ok ;;
*) not_ok "TERM=dumb draws no progress: [$(cat -v "$TEST_TMP/tty")]" ;;
esac

# One install at a time per project: while another process holds the
# project folder's lock, knit says so and waits, then does its work.
rm -rf deps
( exec 9<.; flock 9; touch "$TEST_TMP/held"; while [ ! -e "$TEST_TMP/release" ]; do sleep 0.05; done ) &
holder=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/held" ] && break; sleep 0.05; done
"$KNIT" ci --registry "$R" >"$TEST_TMP/wait.out" 2>"$TEST_TMP/wait.err" &
waiter=$!
sleep 1
if kill -0 "$waiter" 2>/dev/null && [ ! -e deps ]; then ok; else not_ok "ci did not wait for the project lock"; fi
touch "$TEST_TMP/release"
wait "$holder"
if wait "$waiter" && [ -d deps ]; then ok; else not_ok "ci after the lock was released: $(cat "$TEST_TMP/wait.err")"; fi
[ "$(cat "$TEST_TMP/wait.err")" = "knit: waiting for another knit process in this project to finish" ] && ok ||
	not_ok "waiting for the lock: stderr [$(cat "$TEST_TMP/wait.err")]"

python3 "$KNIT_SOURCE_DIR/tests/cli/fault_server.py" "$TEST_TMP/web" --fail-first 2 --port-file "$TEST_TMP/fault.port" --lifetime 120 &
fault_pid=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/fault.port" ] && break; sleep 0.1; done
fport=$(cat "$TEST_TMP/fault.port")
python3 "$TOOL" rebase "$TEST_TMP/web" "http://127.0.0.1:$fport"
rm -rf deps knit.lock "$KNIT_CACHE"
expect_run "500s, then success: retried" 0 "*$closure packages in deps/ ($closure fetched, deps/ updated, knit.lock written) in *" "" -- "$KNIT" install --registry "http://127.0.0.1:$fport/"
kill "$fault_pid"; wait "$fault_pid" 2>/dev/null
rm -f "$TEST_TMP/fault.port"
python3 "$KNIT_SOURCE_DIR/tests/cli/fault_server.py" "$TEST_TMP/web" --fail-first 100 --port-file "$TEST_TMP/fault.port" --lifetime 120 &
fault_pid=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/fault.port" ] && break; sleep 0.1; done
fport=$(cat "$TEST_TMP/fault.port")
rm -rf "$KNIT_CACHE"
fails "a registry that keeps failing, with knit.lock" "knit: error: cannot fetch *: http://127.0.0.1:$fport/*: HTTP 500 (after 3 attempts)" "$KNIT" install --registry "http://127.0.0.1:$fport/"
mv knit.lock knit.lock.kept
fails "a registry that keeps failing" "knit: error: cannot load '*': http://127.0.0.1:$fport/*: HTTP 500 (after 3 attempts)" "$KNIT" install --registry "http://127.0.0.1:$fport/"
mv knit.lock.kept knit.lock
finish
