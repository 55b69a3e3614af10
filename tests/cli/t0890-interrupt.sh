#!/usr/bin/env bash
# An install interrupted (SIGINT, SIGTERM) while it downloads: knit says
# "knit: interrupted; nothing changed" and exits 130; knit.json, knit.lock
# and deps/ are as they were; the store keeps the tarballs that had arrived,
# so that the next install downloads only the others.
. "$(dirname "$0")/lib.sh"
isolated_registry 6 74
SERVER="$KNIT_SOURCE_DIR/tests/cli/fault_server.py"
W="$TEST_TMP/t"
mkdir -p "$W" && cp -r reg "$W/web"
closure=$(python3 -c 'import json; print(json.load(open("reg/universe.json"))["closure"])')
mkdir app && cp reg/project/package.json app/knit.json

FPID=
serve() { # serve LOG ARGS...
	[ -n "$FPID" ] && { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; }
	rm -f "$W/port"
	python3 "$SERVER" "$W/web" --port-file "$W/port" --lifetime 120 --log "$1" "${@:2}" &
	FPID=$!
	for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
	P=$(cat "$W/port")
	python3 "$TOOL" rebase "$W/web" "http://127.0.0.1:$P"
}
trap '[ -n "$FPID" ] && kill "$FPID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
snapshot() { (cd "$1" && { cat knit.json knit.lock 2>/dev/null; find deps -type f -o -type l 2>/dev/null | sort | xargs -r sha256sum; } | sha256sum); }
entries() { find "$KNIT_CACHE/store/v2" -mindepth 1 -maxdepth 1 -name 'sha*' 2>/dev/null | wc -l; }
cd app || exit 1

# interrupt SIGNAL: an install whose one tarball never comes, interrupted once the others are in the store
interrupt() {
	local sig=$1 slow
	rm -rf "$KNIT_CACHE"
	slow=$(find "$W/web" -name '*.tgz' | sort | head -1)
	serve "$W/log1" --fault stall --only "$(basename "$slow")"
	before=$(snapshot .)
	"$KNIT" install --registry "http://127.0.0.1:$P/" >"$W/out" 2>"$W/err" &
	local pid=$!
	# every tarball asked for; all but the silent one answered in a moment (local, small)
	for _ in $(seq 200); do [ "$(cat "$W/log1" 2>/dev/null | grep -c '\.tgz')" -ge "$closure" ] && break; sleep 0.05; done
	sleep 1
	stored=$(entries)
	kill -"$sig" "$pid"
	local t0=$SECONDS
	wait "$pid" && rc=0 || rc=$?
	[ "$rc" = 130 ] && ok || not_ok "$sig: exit $rc, not 130: $(cat "$W/err")"
	[ $((SECONDS - t0)) -le 3 ] && ok || not_ok "$sig: knit took $((SECONDS - t0)) s to stop"
	[ "$(cat "$W/err")" = "knit: interrupted; nothing changed" ] && ok || not_ok "$sig: stderr [$(cat "$W/err")]"
	[ ! -s "$W/out" ] && ok || not_ok "$sig: stdout [$(cat "$W/out")]"
	[ "$(snapshot .)" = "$before" ] && ok || not_ok "$sig: the project changed"
	[ -n "$installed" ] || { [ ! -e knit.lock ] && [ ! -e deps ]; } && ok || not_ok "$sig: knit.lock or deps/ made: $(ls -A)"
	[ "$(entries)" -ge "$stored" ] && [ "$(entries)" -ge 1 ] && ok ||
		not_ok "$sig: the store kept $(entries) entries (had $stored before the interruption)"
}

installed=
interrupt INT
# the next install finds what the interrupted one stored: it downloads only the rest
kept=$(entries)
serve "$W/log2"
expect_run "the next install" 0 "*$closure packages in deps/ ($((closure - kept)) fetched, deps/ updated, knit.lock written) in *" "" -- "$KNIT" install --registry "http://127.0.0.1:$P/"
got=$(grep -c '\.tgz' "$W/log2")
[ "$got" = $((closure - kept)) ] && ok || not_ok "the next install asked for $got tarballs, not $((closure - kept))"

# with a project already installed: SIGTERM during an install from an empty store leaves it whole
installed=1
interrupt TERM

finish
