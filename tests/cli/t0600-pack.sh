#!/usr/bin/env bash
# knit pack: what goes in, the same bytes twice, npm's tarball shape, and
# npm itself installing the result.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1

"$KNIT" init -y --template lib libp >/dev/null || not_ok "init lib"
cd libp || exit 1
# things that must stay out, and some that must go in
echo "//r.example/:_authToken=SECRET" >.knitrc
echo "registry=x" >.npmrc
mkdir -p build deps .git tests/build node_modules/x src/gen
touch build/out.o deps/junk .git/HEAD node_modules/x/i.js tests/build/keep.c
echo "int gen;" >src/gen/gen.c
echo "MIT" >LICENSE
echo '{"name": "from-node-front-end"}' >package.json
echo "lock" >knit.lock
touch old-0.0.1.tgz
# the lib template names its files; start from the defaults instead
python3 - <<'P'
import json
m = json.load(open("knit.json"))
del m["files"]
m["bin"] = {"libp-tool": "tools/libp-tool.sh"}
json.dump(m, open("knit.json", "w"), indent=2)
P
mkdir -p tools && printf '#!/bin/sh\necho tool\n' >tools/libp-tool.sh # not executable on disk
printf '#!/bin/sh\n' >run.sh && chmod +x run.sh
printf '*.o\nsrc/gen/\n' >.gitignore
touch src/x.o

out=$("$KNIT" pack) || not_ok "pack failed"
file=$(tail -1 <<<"$out")
[ "$file" = "./libp-0.1.0.tgz" ] && [ -f libp-0.1.0.tgz ] || not_ok "pack's last line is the file: [$file]"
list=$(tar tzf libp-0.1.0.tgz | sort | tr '\n' ' ')
want="package/.gitignore package/CMakeLists.txt package/LICENSE package/README.md package/include/libp.h package/knit.json package/package.json package/run.sh package/src/libp.c package/tests/build/keep.c package/tests/test_libp.c package/tools/libp-tool.sh "
[ "$list" = "$want" ] && ok || not_ok "default selection: [$list]"
# npm's shape: package/ prefix, regular files only, 0644/0755, owner 0, npm's fixed mtime
tar tvzf libp-0.1.0.tgz >"$TEST_TMP/tv"
grep -v '^-rw-r--r-- 0/0 .* 1985-10-26 08:15 package/' "$TEST_TMP/tv" | grep -v '^-rwxr-xr-x 0/0 .* 1985-10-26 08:15 package/' && not_ok "an entry not in npm's shape" || ok
grep -q '^-rwxr-xr-x .*package/run.sh$' "$TEST_TMP/tv" && grep -q '^-rwxr-xr-x .*package/tools/libp-tool.sh$' "$TEST_TMP/tv" && ok || not_ok "executables and bin files are 0755"
grep -q '^-rw-r--r-- .*package/knit.json$' "$TEST_TMP/tv" && ok || not_ok "knit.json is 0644"
# gzip header: no timestamp
[ "$(head -c 8 libp-0.1.0.tgz | od -An -tx1 | tr -d ' \n')" = "1f8b080000000000" ] && ok || not_ok "gzip header holds a timestamp"
# package.json is generated from knit.json, not the project's own
[ "$(tar xzf libp-0.1.0.tgz -O package/package.json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["name"], d["version"], d["c"]["include"][0])')" = "libp 0.1.0 include" ] && ok || not_ok "package.json from knit.json"
lacks SECRET "a token was packed" -- tar xzf libp-0.1.0.tgz -O
# the report
grep -q '^integrity: *sha512-' <<<"$out" && grep -q '^shasum: *[0-9a-f]\{40\}$' <<<"$out" && grep -q '^total files: *12$' <<<"$out" && ok || not_ok "report: [$out]"
want_sri="sha512-$(openssl dgst -sha512 -binary libp-0.1.0.tgz | base64 -w0)"
grep -q "^integrity: *$want_sri\$" <<<"$out" && ok || not_ok "integrity is the tarball's sha512"

# the same bytes twice, whatever the clock and the files' times say
sum1=$(sha512sum <libp-0.1.0.tgz)
sleep 1.1
touch src/libp.c include/libp.h
"$KNIT" pack >/dev/null || not_ok "second pack"
[ "$(sha512sum <libp-0.1.0.tgz)" = "$sum1" ] && ok || not_ok "packing twice gave different bytes"

# .knitignore wins over .gitignore; negation; nested ignore files
printf 'tests/\n' >.knitignore
mkdir -p include/private && echo "x" >include/private/p.h && printf 'p.h\n' >include/private/.gitignore
list=$("$KNIT" pack --dry-run | grep -c 'tests/')
[ "$list" = 0 ] && ok || not_ok ".knitignore excludes tests/"
"$KNIT" pack --dry-run | grep -q 'src/gen/gen.c' && ok || not_ok ".knitignore replaces .gitignore (src/gen/ is back)"
lacks include/private/p.h "a nested .gitignore is obeyed" -- "$KNIT" pack --dry-run
printf 'src/*\n!src/libp.c\n' >.knitignore
lst=$("$KNIT" pack --dry-run)
grep -q 'src/libp.c' <<<"$lst" && ! grep -q 'src/x.o' <<<"$lst" && ok || not_ok "negation re-includes: [$lst]"
rm .knitignore

# "files" selects; knit.json, README and LICENSE always go in
python3 - <<'P'
import json
m = json.load(open("knit.json"))
m["files"] = ["include", "src/*.c"]
json.dump(m, open("knit.json", "w"), indent=2)
P
list=$("$KNIT" pack --dry-run | sed -n 's/^ *[0-9.]* k\{0,1\}B  //p' | tr '\n' ' ')
[ "$list" = "LICENSE README.md include/libp.h include/private/.gitignore knit.json package.json src/libp.c tools/libp-tool.sh " ] && ok || not_ok "files selection: [$list]"

# "files" entries start at the package's root, as npm-packlist reads them: "src" is the top
# src/, never build/CMakeFiles/.../src/ (issue 12); the same tree through npm pack agrees
back=$PWD
mkdir -p "$TEST_TMP/anchored" && cd "$TEST_TMP/anchored"
mkdir -p src include build/CMakeFiles/a.dir/src build/src docs/include
echo 'int a;' >src/a.c; echo 'int a;' >include/a.h; echo o >build/CMakeFiles/a.dir/src/a.c.o
echo 'int b;' >build/src/b.c; echo 'int d;' >docs/include/d.h; echo '# a' >README.md
printf '{"name": "anch", "version": "1.0.0", "files": ["src", "include"]}\n' >knit.json
cp knit.json package.json
list=$("$KNIT" pack --dry-run | sed -n 's/^ *[0-9.]* k\{0,1\}B  //p' | tr '\n' ' ')
[ "$list" = "README.md include/a.h knit.json package.json src/a.c " ] && ok || not_ok "files anchored at the root: [$list]"
if command -v npm >/dev/null; then
	npm_list=$(npm pack --dry-run --json --ignore-scripts 2>/dev/null |
		python3 -c 'import json,sys; print(" ".join(sorted(f["path"] for f in json.load(sys.stdin)[0]["files"])))')
	knit_list=$(tr ' ' '\n' <<<"$list" | grep -vx 'knit.json' | grep -v '^$' | sort | tr '\n' ' ')
	[ "$knit_list" = "$npm_list " ] && ok || not_ok "knit pack and npm pack disagree: knit [$knit_list] npm [$npm_list]"
else
	echo "t0600: npm is not on PATH: the comparison with npm pack is skipped" >&2
fi
cd "$back"

# a files list that leaves out what the c section builds from: warned
python3 - <<'P'
import json
m = json.load(open("knit.json"))
m["files"] = ["CMakeLists.txt"]
json.dump(m, open("knit.json", "w"), indent=2)
P
expect_run "files leaving out include/ and src/" 0 "*" "knit: warning: c.include 'include' is in the project but none of its files is packed; add it to knit.json's files
knit: warning: c.sources 'src/**/*.c' matches 2 files in the project but none is packed; add them to knit.json's files" -- "$KNIT" pack --dry-run
python3 - <<'P'
import json
m = json.load(open("knit.json"))
m["files"] = ["include", "src/*.c"]
json.dump(m, open("knit.json", "w"), indent=2)
P
expect_run "no warning when they are packed" 0 "*" "" -- "$KNIT" pack --dry-run
python3 - <<'P'
import json
m = json.load(open("knit.json"))
m["files"] = ["include", "CMakeLists.txt"]
m["c"] = {"cmakeTarget": "libp", "include": ["include"]}
json.dump(m, open("knit.json", "w"), indent=2)
P
expect_run "its own CMake target: no conventional sources to warn of" 0 "*" "" -- "$KNIT" pack --dry-run

# --dry-run writes nothing; --pack-destination
rm -f libp-0.1.0.tgz
"$KNIT" pack --dry-run >/dev/null && [ ! -e libp-0.1.0.tgz ] && ok || not_ok "--dry-run wrote a file"
mkdir -p "$TEST_TMP/out"
expect_run "--pack-destination" 0 "*$TEST_TMP/out/libp-0.1.0.tgz" "" -- "$KNIT" pack --pack-destination "$TEST_TMP/out"

# npm installs it as an ordinary package
if command -v npm >/dev/null; then
	mkdir -p "$TEST_TMP/npm-app" && (cd "$TEST_TMP/npm-app" && echo '{"name":"a","version":"1.0.0"}' >package.json &&
		npm install --no-audit --no-fund --offline --silent "$TEST_TMP/out/libp-0.1.0.tgz" >/dev/null 2>&1) &&
		[ -f "$TEST_TMP/npm-app/node_modules/libp/include/libp.h" ] && ok || not_ok "npm install of the tarball"
fi

# scoped names: npm's file name
sed -i 's/"name": "libp"/"name": "@acme\/libp"/' knit.json
expect_run "scoped file name" 0 "*acme-libp-0.1.0.tgz" "" -- "$KNIT" pack --dry-run

# bad input: one line naming the file, exit 1, nothing written
cd "$TEST_TMP" && mkdir bad && cd bad || exit 1
expect_run "no knit.json" 1 "" "knit: error: ./knit.json: not found; knit packs a project with a knit.json" -- "$KNIT" pack
echo '{"version": "1.0.0"}' >knit.json
expect_run "no name" 1 "" 'knit: error: ./knit.json: "name" is missing: a package needs one to be packed' -- "$KNIT" pack
echo '{"name": "Bad Name", "version": "1.0.0"}' >knit.json
expect_run "bad name" 1 "" "knit: error: ./knit.json: 'name' is 'Bad Name', which is not a valid package name: it has capital letters" -- "$KNIT" pack
echo '{"name": "ok"}' >knit.json
expect_run "no version" 1 "" 'knit: error: ./knit.json: "version" is missing: a package needs one to be packed' -- "$KNIT" pack
echo '{"name": "ok", "version": "1.0.0", "files": "src"}' >knit.json
expect_run "files not an array" 1 "" "knit: error: ./knit.json: 'files' must be an array of path patterns" -- "$KNIT" pack
echo '{"name": "ok", "version": "1.0' >knit.json
expect_run "malformed" 1 "" "knit: error: ./knit.json:1:*malformed JSON*" -- "$KNIT" pack
expect_run "an argument" 1 "" "knit: error: pack takes no arguments, got 'x'; it packs the project here" -- "$KNIT" pack x
[ -z "$(ls "$TEST_TMP/bad" | grep -v knit.json)" ] && ok || not_ok "a failed pack wrote something"
finish
