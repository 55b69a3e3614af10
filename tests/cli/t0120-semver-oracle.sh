#!/usr/bin/env bash
# Differential test: generated cases answered by knit's semver module and by
# node-semver 7.8.6 must agree line for line. KNIT_ORACLE_SEED adds a seed.
. "$(dirname "$0")/lib.sh"
SEMVER_PATH=$(node_semver_dir)
export SEMVER_PATH
driver="$(dirname "$KNIT")/tests/semver_oracle_driver"
[ -x "$driver" ] || driver="$(dirname "$KNIT")/semver_oracle_driver"

for seed in 1 2 ${KNIT_ORACLE_SEED:-}; do
	"$driver" generate 100000 "$seed" > "$TEST_TMP/cases"
	"$driver" run < "$TEST_TMP/cases" > "$TEST_TMP/knit"
	node "$KNIT_SOURCE_DIR/tests/cli/semver-oracle.js" < "$TEST_TMP/cases" > "$TEST_TMP/node"
	mismatches=$(paste "$TEST_TMP/cases" "$TEST_TMP/knit" "$TEST_TMP/node" | awk -F'\t' '$5 != $6')
	lines=$(wc -l < "$TEST_TMP/cases")
	if [ -n "$mismatches" ] || [ "$(wc -l < "$TEST_TMP/knit")" != "$lines" ]; then
		not_ok "seed $seed: knit and node-semver disagree:"
		printf '%s\n' "$mismatches" | head -20 >&2
	else
		passed=$((passed + lines))
	fi
done
finish
