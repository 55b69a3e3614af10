#!/usr/bin/env bash
# One version choice (resolver/pick.h): with 7.0.0, 7.1.0 and 7.2.0 and the
# latest tag on 7.1.0, ^7.0.0 takes 7.1.0, as npm-pick-manifest does, and
# knit outdated's "wanted" is that same 7.1.0, not the highest match.
. "$(dirname "$0")/lib.sh"
isolated_registry 3 7
export KNIT_REGISTRY="file://$TEST_TMP/reg"
x=$(python3 -c 'import os; print(sorted(d for d in os.listdir("reg") if d.startswith("lib"))[0])')
v0=$(python3 -c "import json; print(json.load(open('reg/$x/index.json'))['dist-tags']['latest'])")
for v in 7.0.0 7.1.0 7.2.0; do python3 "$TOOL" publish reg "$x" "$v0" "$v"; done
# latest_on VERSION [DEPRECATED-VERSION...]: the latest tag, and which versions are deprecated
latest_on() {
	python3 - "$TEST_TMP/reg/$x/index.json" "$@" <<'P'
import json, sys
path, latest = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
doc["dist-tags"]["latest"] = latest
for v in doc["versions"].values():
    v.pop("deprecated", None)
for v in sys.argv[3:]:
    doc["versions"][v]["deprecated"] = "do not use " + v
json.dump(doc, open(path, "w"))
P
}
latest_on 7.1.0
locked() { python3 -c "import json; print(json.load(open('knit.lock'))['packages']['$x']['version'])"; }

mkdir app && cd app || exit 1
printf '{"name": "demo", "version": "1.0.0", "dependencies": {"%s": "^7.0.0"}}\n' "$x" >knit.json
expect_run "install ^7.0.0" 0 "*knit.lock written*" "" -- "$KNIT" install
[ "$(locked)" = 7.1.0 ] && ok || not_ok "install took $(locked), not the latest tag's 7.1.0"
expect_run "outdated: install's choice is wanted, nothing is behind" 0 "" "" -- "$KNIT" outdated

# locked below: wanted and latest are both 7.1.0, and update goes there
"$KNIT" install "$x@7.0.0" >/dev/null || not_ok "install $x@7.0.0"
printf '{"name": "demo", "version": "1.0.0", "dependencies": {"%s": "^7.0.0"}}\n' "$x" >knit.json
expect_run "outdated, locked at 7.0.0" 1 "Package*Current*Wanted*Latest*Type
$x*7.0.0*7.1.0*7.1.0*dependencies" "" -- "$KNIT" outdated
expect_run "update" 0 "*knit.lock written*" "" -- "$KNIT" update
[ "$(locked)" = 7.1.0 ] && ok || not_ok "update took $(locked), not outdated's wanted 7.1.0"

# a deprecated latest is passed over by both: the highest that is not deprecated
latest_on 7.1.0 7.1.0
expect_run "outdated, latest deprecated" 1 "Package*Current*Wanted*Latest*Type
$x*7.1.0*7.2.0*7.2.0*dependencies" "" -- "$KNIT" outdated
expect_run "update, latest deprecated" 0 "*knit.lock written*" "" -- "$KNIT" update
[ "$(locked)" = 7.2.0 ] && ok || not_ok "update took $(locked) with 7.1.0 deprecated, not 7.2.0"

# a dist-tag as the range: wanted is the tag's version (the old outdated had none)
latest_on 7.1.0
printf '{"name": "demo", "version": "1.0.0", "dependencies": {"%s": "latest"}}\n' "$x" >knit.json
expect_run "outdated, the range a tag" 1 "Package*Current*Wanted*Latest*Type
$x*7.2.0*7.1.0*7.1.0*dependencies" "" -- "$KNIT" outdated
finish
