#!/usr/bin/env bash
# knit install <spec> and knit uninstall: knit.json edited in place (order
# and indentation kept), saved ranges as npm saves them, failures changing
# nothing.
. "$(dirname "$0")/lib.sh"
isolated_registry 12 5
export KNIT_REGISTRY="file://$TEST_TMP/reg"
read -r a b c <<<"$(python3 -c 'import json,os; n=sorted(d for d in os.listdir("reg") if d.startswith("lib")); print(n[0], n[1], n[2])')"
latest() { python3 -c "import json,sys; print(json.load(open('$TEST_TMP/reg/'+sys.argv[1]+'/index.json'))['dist-tags']['latest'])" "$1"; }

mkdir app && cd app
printf '{\n\t"name": "demo",\n\t"version": "1.0.0",\n\t"scripts": {"start": "./demo"}\n}\n' > knit.json
expect_run "install a package by name" 0 "*knit.lock written, knit.json updated*" "" -- "$KNIT" install "$a"
expect_run "install a range as a devDependency, one exact" 0 "*knit.json updated*" "" -- "$KNIT" install -D "$b@1.x"
expect_run "install exact" 0 "*knit.json updated*" "" -- "$KNIT" install --save-exact "$c"
want=$(printf '{\n\t"name": "demo",\n\t"version": "1.0.0",\n\t"scripts": {"start": "./demo"},\n\t"dependencies": {\n\t\t"%s": "^%s",\n\t\t"%s": "%s"\n\t},\n\t"devDependencies": {\n\t\t"%s": "1.x"\n\t}\n}' "$a" "$(latest "$a")" "$c" "$(latest "$c")" "$b")
[ "$(cat knit.json)" == "$want" ] && ok || not_ok "knit.json after adding: $(cat knit.json)"
[ -d "deps/$a" ] && [ -d "deps/$b" ] && [ -d "deps/$c" ] && ok || not_ok "deps/ after adding"

before=$(cat knit.json knit.lock | sha256sum)
expect_run "install a package that does not exist" 1 "" "*depends on no-such-lib latest which doesn't exist*" -- "$KNIT" install no-such-lib
expect_run "install a version that does not exist" 1 "" "*depends on $a 9.9.9 which doesn't match any versions*" -- "$KNIT" install "$a@9.9.9"
expect_run "a malformed name" 1 "" "knit: error: '@scope' is not a valid package name: it has an @scope but no '/name' after it" -- "$KNIT" install @scope
expect_run "uninstall what is not there" 1 "" "knit: error: 'no-such-lib' is not in knit.json's dependencies or devDependencies" -- "$KNIT" uninstall no-such-lib
[ "$(cat knit.json knit.lock | sha256sum)" == "$before" ] && ok || not_ok "a failure changed knit.json or knit.lock"

expect_run "uninstall" 0 "*knit.json updated*" "" -- "$KNIT" uninstall "$c"
python3 -c "import json,sys; d=json.load(open('knit.json')); sys.exit(sys.argv[1] in d['dependencies'])" "$c" && ok || not_ok "$c still in knit.json"
python3 -c "import json,sys; r=json.load(open('knit.lock'))['root']; sys.exit(1 if sys.argv[1] in r['dependencies'] or sys.argv[1] in r['devDependencies'] else 0)" "$c" && ok || not_ok "$c still in knit.lock's root section"
expect_run "uninstall without a name" 1 "" "knit: error: uninstall needs the names of the packages to remove" -- "$KNIT" uninstall
finish
