#!/usr/bin/env bash
# knit why over a lockfile: every simple path, ranges and chosen versions, cycles,
# devDependencies, and the errors.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMP"

cat > knit.lock <<'LOCK'
{
  "lockfileVersion": 1,
  "packages": {
    "libbar": { "dependencies": { "libfoo": "^1.2.0", "libcyc": "*" }, "version": "2.1.0" },
    "libcyc": { "dependencies": { "libbar": "^2.0.0" }, "version": "0.3.0" },
    "libfoo": { "dependencies": {}, "version": "1.4.2" },
    "libtest": { "dependencies": { "libfoo": "~1.4" }, "version": "0.9.0" },
    "orphan": { "dependencies": {}, "version": "1.0.0" }
  },
  "root": {
    "dependencies": { "libbar": "^2.0.0" },
    "devDependencies": { "libtest": "^0.9.0" },
    "overrides": { "libfoo": "1.4.2" }
  }
}
LOCK

expect_run "all paths" 0 "libfoo@1.4.2
  dependencies > libbar@^2.0.0 (2.1.0) > libfoo@^1.2.0
  devDependencies > libtest@^0.9.0 (0.9.0) > libfoo@~1.4
  overridden to 1.4.2 by the project's overrides" "" -- "$KNIT" why libfoo

expect_run "a direct dependency, in a cycle" 0 "libbar@2.1.0
  dependencies > libbar@^2.0.0" "" -- "$KNIT" why libbar
expect_run "through a cycle" 0 "libcyc@0.3.0
  dependencies > libbar@^2.0.0 (2.1.0) > libcyc@*" "" -- "$KNIT" why libcyc
expect_run "unreachable" 0 "orphan@1.0.0
  (no path from the project's dependencies reaches it: 'knit install' will remove it)" "" -- "$KNIT" why orphan
expect_run "not installed, with a suggestion" 1 "" "knit: error: 'libfo' is not in knit.lock; did you mean 'libfoo'?" -- "$KNIT" why libfo
expect_run "no name" 1 "" "knit: error: why takes one package name; see 'knit why --help'" -- "$KNIT" why
expect_run "help" 0 "usage: knit why*" "" -- "$KNIT" why --help

printf '{\n  "lockfileVersion": 1,\n  "packages": [\n' > bad.lock
expect_run "malformed lockfile" 1 "" "knit: error: bad.lock:3:15: malformed JSON" -- "$KNIT" why --lockfile bad.lock libfoo
mkdir empty && cd empty
expect_run "no lockfile" 1 "" "knit: error: no knit.lock here; 'knit install' writes it" -- "$KNIT" why libfoo
finish
