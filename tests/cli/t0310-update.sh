#!/usr/bin/env bash
# knit update: install keeps the lock while it fits; update frees only the
# packages named (or all), and a name not in the lock is an error.
. "$(dirname "$0")/lib.sh"
isolated_registry 12 5
export KNIT_REGISTRY="file://$TEST_TMP/reg"
mkdir app && cp reg/project/package.json app/knit.json && cd app
"$KNIT" install >/dev/null || not_ok "first install"
locked() { python3 -c "import json,sys; print(json.load(open('knit.lock'))['packages'][sys.argv[1]]['version'])" "$1"; }
read -r a b <<<"$(python3 -c 'import json; p=sorted(json.load(open("knit.lock"))["packages"]); print(p[0], p[1])')"
va=$(locked "$a") vb=$(locked "$b")

# newer versions appear in the registry
python3 "$TOOL" publish ../reg "$a" "$va" 1.99.0
python3 "$TOOL" publish ../reg "$b" "$vb" 1.99.0
expect_run "install keeps the lock" 0 "*(0 fetched, deps/ unchanged, knit.lock unchanged)*" "" -- "$KNIT" install
[ "$(locked "$a")" == "$va" ] && ok || not_ok "install moved $a"
expect_run "update one package" 0 "*knit.lock written*" "" -- "$KNIT" update "$a"
[ "$(locked "$a")" == "1.99.0" ] && ok || not_ok "update $a: $(locked "$a")"
[ "$(locked "$b")" == "$vb" ] && ok || not_ok "update $a moved $b"
[ -d "deps/$a" ] && ok || not_ok "deps/$a missing"
expect_run "update everything" 0 "*knit.lock written*" "" -- "$KNIT" update
[ "$(locked "$b")" == "1.99.0" ] && ok || not_ok "update moved nothing for $b"
before=$(cat knit.json knit.lock | sha256sum)
expect_run "update a package that is not installed" 1 "" "knit: error: 'no-such-lib' is not in knit.lock, so there is nothing to update" -- "$KNIT" update no-such-lib
[ "$(cat knit.json knit.lock | sha256sum)" == "$before" ] && ok || not_ok "a failed update changed the project"
finish
