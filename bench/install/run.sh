#!/usr/bin/env bash
# The install floor beside knit: bench/install/run.sh [--knit PATH] [--packages N] [--seed S]
# Generates ../shared/bench's universe as a file:// registry, installs it once
# with knit for the closure, then prints bench_install_floor's parts (the work
# no installer can skip, timed alone on one thread) and knit's own
# `--timing` for a cold install and a warm `ci` of the same closure, all on
# /dev/shm (a tmpfs, as compare.sh uses).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
knit=$top/build/knit floor=$top/build/bench/bench_install_floor packages=300 seed=1
while [ $# -gt 0 ]; do
	case $1 in
	--knit) knit=$(realpath "$2"); shift 2 ;;
	--packages) packages=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "usage: bench/install/run.sh [--knit PATH] [--packages N] [--seed S]" >&2; exit 2 ;;
	esac
done
[ -x "$floor" ] || { echo "build first: cmake --build build (no $floor)" >&2; exit 1; }
work=$(mktemp -d /dev/shm/knit-floor-XXXXXX)
trap 'rm -rf "$work"' EXIT
reg=$work/registry
python3 "$top/../shared/bench/gen-registry.py" "$reg" --packages "$packages" --seed "$seed" \
	--base-url "file://$reg" >/dev/null
mkdir -p "$work/project" "$work/home"
cp "$reg/project/package.json" "$work/project/knit.json"
run_knit() { (cd "$work/project" && HOME=$work/home KNIT_CACHE=$work/cache "$knit" "$@" --registry "file://$reg"); }
run_knit install >/dev/null 2>&1
# the closure: each locked tarball and its packument
mapfile -t tarballs < <(python3 - "$work/project/knit.lock" <<'PY'
import json, sys
lock = json.load(open(sys.argv[1]))
for name, p in sorted(lock["packages"].items()):
    print(p["resolved"][len("file://"):])
PY
)
packuments=()
for t in "${tarballs[@]}"; do packuments+=("$(dirname "$(dirname "$t")")/index.json"); done
"$floor" "$work/floor" --tarballs "${tarballs[@]}" --packuments "${packuments[@]}"
echo
echo "knit, same closure (file:// registry: no requests), 3 runs each:"
for i in 1 2 3; do
	rm -rf "$work/cache" "$work/project/deps" "$work/project/knit.lock"
	run_knit install --timing 2>&1 >/dev/null | sed -n 's/^timing: setup/cold:    setup/p'
done
for i in 1 2 3; do
	rm -rf "$work/project/deps"
	run_knit ci --timing 2>&1 >/dev/null | sed -n 's/^timing: setup/ci-warm: setup/p'
done
