#!/usr/bin/env bash
# Resolver figures: a 10,000-package universe, and adversarial families as
# they grow (PubGrub must stay polynomial). Usage: bench/resolver/run.sh [build-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build}/bench/bench_solver
echo "== a synthetic universe held in memory (target: 10,000 packages under 100 ms)"
for n in 1000 10000; do printf '%6s packages: ' "$n"; "$bin" universe "$n"; done
echo "== adversarial families (target: none beyond 1 s at size 100)"
for family in conflict unsat deep; do
	for n in 10 20 50 100 200; do printf '%-8s size %4s: ' "$family" "$n"; "$bin" family "$family" "$n"; done
done
