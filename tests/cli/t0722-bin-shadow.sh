#!/usr/bin/env bash
# A dependency's command named like one on PATH (cc) comes first in knit run
# scripts, as npm run puts node_modules/.bin first: allowed, but install
# warns when it links the package, naming the command and what it shadows; a
# deps/.bin on PATH does not count, and a command found nowhere else is quiet.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
mkdir -p reg tools src/t/bin
printf '#!/bin/sh\necho system-cc\n' >tools/cc && chmod +x tools/cc
printf '#!/bin/sh\necho not-executable\n' >tools/make
printf '#!/bin/sh\necho dependency-cc\n' >src/t/bin/cc.sh
printf '#!/bin/sh\necho only-here\n' >src/t/bin/only.sh
printf '#!/bin/sh\necho dependency-make\n' >src/t/bin/make.sh
echo '{ "name": "libtools", "version": "1.0.0",
  "bin": { "cc": "./bin/cc.sh", "knit-only-here": "./bin/only.sh", "make": "./bin/make.sh" } }' >src/t/knit.json
python3 "$TOOL" pack reg src/t || exit 1
mkdir app && cd app || exit 1
echo '{ "name": "app", "version": "0.1.0", "dependencies": { "libtools": "^1.0.0" },
  "scripts": { "build": "cc" } }' >knit.json
# another project's deps/.bin first, then folders that do not count, then tools/ (its make is not executable)
mkdir -p "$TEST_TMP/other/deps/.bin" && cp "$TEST_TMP/tools/cc" "$TEST_TMP/other/deps/.bin/cc"
P="$TEST_TMP/other/deps/.bin:$TEST_TMP/app/deps/.bin:relative/dir::$TEST_TMP/tools"
want="knit: warning: package 'libtools@1.0.0' has a command 'cc' that shadows $TEST_TMP/tools/cc in knit run scripts"
expect_run "install" 0 "*1 package* in deps/*" "$want" -- env PATH="$P" "$KNIT" install --registry "$R"
[ -x deps/.bin/cc ] || not_ok "no deps/.bin/cc"
expect_run "a no-op install is quiet" 0 "*1 package* in deps/*" "" -- env PATH="$P" "$KNIT" install --registry "$R"
expect_run "the dependency's cc in a script" 0 "*dependency-cc" "*" -- env PATH="$P" "$KNIT" run build
finish
