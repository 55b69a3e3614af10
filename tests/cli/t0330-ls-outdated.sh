#!/usr/bin/env bash
# knit ls (tree, depth, dedupe, JSON) and knit outdated (current, wanted,
# latest; exit 1 when something is behind).
. "$(dirname "$0")/lib.sh"
isolated_registry 12 5
export KNIT_REGISTRY="file://$TEST_TMP/reg"
read -r x y <<<"$(python3 -c 'import os; n=sorted(d for d in os.listdir("reg") if d.startswith("lib")); print(n[0], n[1])')"
mkdir app && cd app
printf '{"name": "demo", "version": "2.0.0"}\n' > knit.json
expect_run "ls before installing" 1 "" "knit: error: no knit.lock here; 'knit install' writes it" -- "$KNIT" ls
"$KNIT" install $x >/dev/null && "$KNIT" install -D $y@1.x >/dev/null || not_ok "setup"
vx=$(python3 -c "import json; print(json.load(open('knit.lock'))['packages']['$x']['version'])")
vy=$(python3 -c "import json; print(json.load(open('knit.lock'))['packages']['$y']['version'])")
expect_run "ls" 0 "demo@2.0.0
├── $x@$vx
└── $y@$vy (dev)" "" -- "$KNIT" ls
expect_run "ls --all" 0 "demo@2.0.0
├── $x@$vx
│   ├── *
└── $y@$vy (dev)*" "" -- "$KNIT" ls --all
python3 -c "import json,subprocess,sys; d=json.loads(subprocess.check_output([sys.argv[1],'ls','--json','--all'])); assert d['dependencies']['$x']['version']=='$vx' and d['devDependencies']['$y']['version']=='$vy'" "$KNIT" && ok || not_ok "ls --json"
expect_run "a bad depth" 1 "" "knit: error: --depth takes a number of levels, not 'x'" -- "$KNIT" ls --depth x

# deps/ against knit.lock: missing and extraneous packages, exit 1, as npm ls
mv "deps/$x" "$TEST_TMP/moved" && mkdir -p deps/handmade deps/@own/extra && touch deps/stray-file
expect_run "a locked package deps/ lacks, and folders knit.lock does not name" 1 "demo@2.0.0
├── $x@$vx MISSING from deps/
└── $y@$vy (dev)" "knit: error: missing: $x is in knit.lock but not in deps/; 'knit ci' restores it
knit: error: extraneous: deps/@own/extra is not in knit.lock; 'knit ci' removes it
knit: error: extraneous: deps/handmade is not in knit.lock; 'knit ci' removes it" -- "$KNIT" ls
out=$("$KNIT" ls --json 2>/dev/null)
python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['dependencies']['$x']['missing'] is True and len(d['problems'])==3, d" "$out" && ok || not_ok "ls --json's problems: $out"
"$KNIT" ci >/dev/null 2>&1 || not_ok "ci"
expect_run "ci made deps/ whole again" 0 "demo@2.0.0*" "" -- "$KNIT" ls

expect_run "nothing outdated" 0 "" "" -- "$KNIT" outdated
python3 "$TOOL" publish ../reg $x "$vx" 1.99.0
python3 "$TOOL" publish ../reg $y "$vy" 2.0.0
expect_run "outdated" 1 "Package*Current*Wanted*Latest*Type
$x*$vx*1.99.0*1.99.0*dependencies
$y*$vy*$vy*2.0.0*devDependencies" "" -- "$KNIT" outdated
printf '{"dependencies": {"no-such-lib": "^1"}}\n' > knit.json
expect_run "outdated, an unknown package" 1 "" "knit: error: cannot load 'no-such-lib': file://*/no-such-lib/index.json: not found" -- "$KNIT" outdated
finish
