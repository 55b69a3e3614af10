#!/usr/bin/env bash
# satisfies() throughput: knit beside node-semver 7.8.6, same data, same run.
# Usage: bench/semver/run.sh [build-dir]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/knit-tests/semver-7.8.6"
if [ ! -f "$cache/node_modules/semver/package.json" ]; then
	mkdir -p "$cache"
	npm install --prefix "$cache" --no-audit --no-fund --silent semver@7.8.6
fi
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$build/bench/bench_semver" data "$data"
knit=$("$build/bench/bench_semver" run "$data")
node=$(SEMVER_PATH="$cache/node_modules/semver" node "$here/bench_semver.js" "$data")
echo "$knit"
echo "$node"
kp=$(awk '/knit parsed/ {print $3}' <<<"$knit"); np=$(awk '/node parsed/ {print $3}' <<<"$node")
kw=$(awk '/knit with parsing/ {print $4}' <<<"$knit"); nw=$(awk '/node with parsing/ {print $4}' <<<"$node")
awk -v a="$kp" -v b="$np" 'BEGIN {printf "ratio parsed:       knit is %.1fx node-semver\n", a / b}'
awk -v a="$kw" -v b="$nw" 'BEGIN {printf "ratio with parsing: knit is %.1fx node-semver\n", a / b}'
