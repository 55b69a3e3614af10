#!/usr/bin/env bash
# The server that `knit init` scaffolds, against Node's http hello world and
# Express's, under wrk. wrk is pinned to one core and the server to another
# (taskset), every server answers GET / with "Hello, World!", and each gets
# the same warm-up and the same run. Prints requests per second and p99
# latency side by side. A benchmark, not a test: it asserts nothing.
#
# usage: bench/server/run.sh [--knit PATH] [--duration 10s (seconds)] [--connections 100]
# Needs wrk, node and npm (Express is installed with npm into a cache folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KNIT=${KNIT:-$here/../../build/knit}
DURATION=10s
CONNECTIONS=100
while [ $# -gt 0 ]; do
	case $1 in
	--knit) KNIT=$(realpath "$2"); shift 2 ;;
	--duration) DURATION=$2; shift 2
		[[ $DURATION =~ ^[0-9]+s$ ]] || { echo "--duration takes seconds, like 10s" >&2; exit 1; } ;;
	--connections) CONNECTIONS=$2; shift 2 ;;
	*) echo "usage: $0 [--knit PATH] [--duration 10s] [--connections 100]" >&2; exit 1 ;;
	esac
done
for tool in wrk node npm taskset curl; do
	command -v $tool >/dev/null || { echo "$tool is needed (Debian: apt-get install wrk nodejs npm util-linux curl)" >&2; exit 1; }
done
[ -x "$KNIT" ] || { echo "knit binary not found at $KNIT: pass --knit PATH" >&2; exit 1; }

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/knit-bench-server
mkdir -p "$CACHE"
if [ ! -f "$CACHE/node_modules/express/package.json" ]; then
	(cd "$CACHE" && npm install --no-audit --no-fund --silent express@4 >/dev/null)
fi
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT

# the scaffolded server, built the way its knit.json says
(cd "$W" && "$KNIT" init app -y >/dev/null && cd app && "$KNIT" run -s build >/dev/null)
cat >"$W/node-http.js" <<'E'
require("http").createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("Hello, World!");
}).listen(process.env.PORT);
E
cat >"$W/express.js" <<E
const express = require("$CACHE/node_modules/express");
const app = express();
app.get("/", (req, res) => res.send("Hello, World!"));
app.listen(process.env.PORT);
E

cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then SERVER_CPU=1; WRK_CPU=0; else SERVER_CPU=0; WRK_CPU=0; fi
[ "$cpus" -ge 2 ] || echo "note: one CPU only; wrk and the server share it" >&2

port=$((20000 + RANDOM % 20000))
results=()
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system
run_one() { # label, command...
	local label=$1
	shift
	port=$((port + 1))
	PORT=$port taskset -c $SERVER_CPU "$@" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	[ "$(curl -s "http://127.0.0.1:$port/")" = "Hello, World!" ] || { echo "$label did not answer Hello, World!" >&2; kill $pid; return 1; }
	taskset -c $WRK_CPU wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/" >/dev/null # warm-up
	local out rps p99 ticks0 ticks1 wrk_cpu requests
	ticks0=$(cpu_ticks $pid)
	TIMEFORMAT='%U %S'
	{ time out=$(taskset -c $WRK_CPU wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/") ; } 2>"$W/wrk-time"
	ticks1=$(cpu_ticks $pid)
	wrk_cpu=$(awk '{print $1 + $2}' "$W/wrk-time")
	rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	requests=$(awk '/requests in/ {print $1}' <<<"$out")
	kill $pid
	wait $pid 2>/dev/null || true
	# CPU microseconds the server spent per request, and how busy wrk's own
	# core was: near 100% means wrk, not the server, set the pace
	local us_per_req wrk_busy
	us_per_req=$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
	wrk_busy=$(awk -v c="$wrk_cpu" -v d="${DURATION%s}" 'BEGIN {printf "%.0f%%", 100 * c / d}')
	results+=("$label $rps $p99 $us_per_req $wrk_busy")
}
run_one "knit-server" "$W/app/build/app"
run_one "node-http" node "$W/node-http.js"
run_one "express" node "$W/express.js"

node_rps=$(printf '%s\n' "${results[@]}" | awk '$1 == "node-http" {print $2}')
node_us=$(printf '%s\n' "${results[@]}" | awk '$1 == "node-http" {print $4}')
echo "wrk -t1 -c$CONNECTIONS -d$DURATION, wrk on CPU $WRK_CPU, server on CPU $SERVER_CPU ($(node --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2))"
printf '%-12s %12s %10s %8s %12s %10s %9s\n' server "requests/s" p99 "x node" "CPU us/req" "x node" "wrk busy"
for r in "${results[@]}"; do
	set -- $r
	printf '%-12s %12.0f %10s %8.2f %12s %10.2f %9s\n' "$1" "$2" "$3" \
		"$(awk -v a="$2" -v b="$node_rps" 'BEGIN {print a / b}')" "$4" \
		"$(awk -v a="$4" -v b="$node_us" 'BEGIN {print b / a}')" "$5"
done
