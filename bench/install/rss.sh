#!/usr/bin/env bash
# Peak memory (max RSS, GNU time) of knit and bun on compare.sh's registry:
#   bench/install/rss.sh REGISTRY_DIR [--knit PATH] [--runs N]
# REGISTRY_DIR is one compare.sh generated (DIR/registry-N-S-PORT); it is
# served by nginx on 127.0.0.1 at the port its tarball URLs name (its
# folder name's last part) for the runs; work and caches on /dev/shm.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
reg=$(realpath "$1"); shift
knit=$top/build/knit runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--knit) knit=$(realpath "$2"); shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "usage: bench/install/rss.sh REGISTRY_DIR [--knit PATH] [--runs N]" >&2; exit 2 ;;
	esac
done
bun=${PEERS:-$HOME/.cache/knit-bench-peers}/node_modules/.bin/bun
[ -x "$bun" ] || { echo "no bun at $bun: run ../shared/bench/compare.sh once first" >&2; exit 1; }
port=${reg##*-} url=http://127.0.0.1:${reg##*-}/
"$top/../shared/bench/serve-registry.sh" "$reg" $port >/dev/null 2>&1 &
server=$!
work=$(mktemp -d /dev/shm/knit-rss-XXXXXX)
trap 'kill $server 2>/dev/null; pkill -f "nginx.*$work" 2>/dev/null; rm -rf "$work"' EXIT
for i in $(seq 50); do curl -fs "$url" -o /dev/null -w '' 2>/dev/null && break; sleep 0.1; done
mkdir -p "$work/knit" "$work/bun" "$work/home"
cp "$reg/project/package.json" "$work/knit/knit.json"
cp "$reg/project/package.json" "$work/bun/package.json"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 || { echo "failed: $*" >&2; exit 1; }; }
k() { (cd "$work/knit" && rss env HOME="$work/home" KNIT_CACHE="$work/kc" "$knit" "$@" --registry $url); }
b() { (cd "$work/bun" && rss env BUN_INSTALL_CACHE_DIR="$work/bc" "$bun" install --silent --registry $url "$@"); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "%-10s %10s %10s   (max RSS, KiB, median of %s)\n" scenario knit bun "$runs"
for scenario in cold lockfile-cold ci-warm noop; do
	kr=() br=()
	for i in $(seq "$runs"); do
		case $scenario in
		cold) rm -rf "$work/kc" "$work/bc" "$work/knit/deps" "$work/knit/knit.lock" "$work/bun/node_modules" "$work/bun/bun.lock" "$work/bun/bun.lockb"
		      kr+=("$(k install)"); br+=("$(b)") ;;
		lockfile-cold) rm -rf "$work/kc" "$work/bc" "$work/knit/deps" "$work/bun/node_modules"
		      kr+=("$(k ci)"); br+=("$(b --frozen-lockfile)") ;;
		ci-warm) rm -rf "$work/knit/deps" "$work/bun/node_modules"
		      kr+=("$(k ci)"); br+=("$(b --frozen-lockfile)") ;;
		noop) kr+=("$(k install)"); br+=("$(b)") ;;
		esac
	done
	printf "%-14s %6s %10s\n" $scenario "$(printf '%s\n' "${kr[@]}" | median)" "$(printf '%s\n' "${br[@]}" | median)"
done
