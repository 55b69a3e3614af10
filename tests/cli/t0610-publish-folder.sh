#!/usr/bin/env bash
# knit publish to folder registries (the default one under ~/.knit, and any
# file:// URL), the commands that change a published package, and
# `knit registry index` so that nginx can serve the folder.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
REG="$HOME/.knit/registry"

"$KNIT" init -y --template lib liba >/dev/null && "$KNIT" init -y --template lib libb >/dev/null || not_ok "init"
cd liba || exit 1
expect_run "publish to the default registry" 0 "*+ liba@0.1.0
published to file://$REG with tag latest" "" -- "$KNIT" publish
[ -f "$REG/liba/index.json" ] && [ -f "$REG/liba/-/liba-0.1.0.tgz" ] && ok || not_ok "the registry folder's layout"
python3 - "$REG" <<'P' && ok || not_ok "index.json: tarball URL and integrity"
import base64, hashlib, json, sys
reg = sys.argv[1]
doc = json.load(open(f"{reg}/liba/index.json"))
dist = doc["versions"]["0.1.0"]["dist"]
data = open(f"{reg}/liba/-/liba-0.1.0.tgz", "rb").read()
assert dist["tarball"] == f"file://{reg}/liba/-/liba-0.1.0.tgz", dist
assert dist["integrity"] == "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
assert dist["shasum"] == hashlib.sha1(data).hexdigest()
assert doc["dist-tags"] == {"latest": "0.1.0"} and doc["name"] == "liba" and "0.1.0" in doc["time"]
assert doc["readme"].startswith("# liba") and doc["readmeFilename"] == "README.md"
assert doc["versions"]["0.1.0"]["readmeFilename"] == "README.md"
P
cp "$REG/liba/index.json" "$TEST_TMP/index.before"
expect_run "an existing version is refused" 1 "*" "knit: error: liba@0.1.0 is already in $REG; a published version never changes, so publish a new one" -- "$KNIT" publish
cmp -s "$REG/liba/index.json" "$TEST_TMP/index.before" && ok || not_ok "a refused publish changed index.json"
sed -i 's/"version": "0.1.0"/"version": "0.2.0"/' knit.json
expect_run "--dry-run" 0 "*would publish liba@0.2.0 to file://$REG with tag beta (--dry-run)" "" -- "$KNIT" publish --dry-run --tag beta
cmp -s "$REG/liba/index.json" "$TEST_TMP/index.before" && [ ! -e "$REG/liba/-/liba-0.2.0.tgz" ] && ok || not_ok "--dry-run published"
expect_run "publish --tag beta" 0 "*published to file://$REG with tag beta" "" -- "$KNIT" publish --tag beta
sed -i 's/"version": "0.2.0"/"version": "0.3.0-rc.1"/' knit.json
expect_run "a pre-release needs a tag" 1 "" "knit: error: liba@0.3.0-rc.1 is a pre-release: give it a tag with --tag (next, beta, ...) so that 'latest' stays on a release, or --tag latest if it should be" -- "$KNIT" publish
[ ! -e "$REG/liba/-/liba-0.3.0-rc.1.tgz" ] && ok || not_ok "a refused pre-release was published"
sed -i 's/"version": "0.3.0-rc.1"/"version": "0.2.0"/' knit.json
expect_run "a tag that reads as a range" 1 "*" "knit: error: '^1' cannot be a tag: it reads as a version range" -- "$KNIT" publish --tag '^1'

# an app installs from it: latest by default, beta when asked
cd "$TEST_TMP" && "$KNIT" init -y app >/dev/null && cd app || exit 1
expect_run "install from the default registry" 0 "*1 package in deps/ *" "" -- "$KNIT" install liba
grep -q '"liba": "^0.1.0"' knit.json && ok || not_ok "install took latest (0.1.0)"
expect_run "install a tag" 0 "*1 package in deps/ *" "" -- "$KNIT" install liba@beta
grep -q '"version": "0.2.0"' knit.lock && ok || not_ok "liba@beta is 0.2.0"

# view, dist-tag, deprecate, unpublish
expect_run "view a field" 0 "0.2.0" "" -- "$KNIT" view liba@beta version
expect_run "view versions" 0 '\[
  "0.1.0",
  "0.2.0"
\]' "" -- "$KNIT" view liba versions
expect_run "view a range" 0 "0.1.0" "" -- "$KNIT" view liba@'<0.2' version
expect_run "view two fields" 0 "version = 0.1.0
dist-tags.beta = 0.2.0" "" -- "$KNIT" view liba version dist-tags.beta
expect_run "view summary" 0 "liba@0.1.0 | MIT | deps: 0 | versions: 2
A C library*tarball: file://$REG/liba/-/liba-0.1.0.tgz*latest: 0.1.0*beta: 0.2.0*" "" -- "$KNIT" view liba
expect_run "view an unknown package" 1 "" "knit: error: nothere is not in the registry $REG" -- "$KNIT" view nothere
expect_run "view no match" 1 "" "knit: error: no version of liba in file://$REG matches '^5'" -- "$KNIT" view liba@^5
expect_run "dist-tag add" 0 "+next: liba@0.2.0" "" -- "$KNIT" dist-tag add liba@0.2.0 next
expect_run "dist-tag ls" 0 "latest: 0.1.0
beta: 0.2.0
next: 0.2.0" "" -- "$KNIT" dist-tag ls liba
expect_run "dist-tag rm" 0 "-next: liba" "" -- "$KNIT" dist-tag rm liba next
expect_run "dist-tag rm latest" 1 "" "knit: error: liba: the 'latest' tag cannot be removed, only moved" -- "$KNIT" dist-tag rm liba latest
expect_run "dist-tag add of a missing version" 1 "" "knit: error: liba@9.0.0 is not in $REG" -- "$KNIT" dist-tag add liba@9.0.0 stable
expect_run "dist-tag bad action" 1 "" "knit: error: 'lst' is not a dist-tag action; did you mean 'ls'?" -- "$KNIT" dist-tag lst
expect_run "deprecate" 0 "deprecated 1 version of liba (0.1.0)" "" -- "$KNIT" deprecate liba@0.1.0 "use 0.2.0"
rm -rf deps knit.lock
expect_run "an install warns of a deprecated version" 0 "*1 package in deps/ *" "*liba@0.1.0 is deprecated: use 0.2.0*" -- "$KNIT" install liba@0.1.0
expect_run "undeprecate" 0 "undeprecated 1 version of liba (0.1.0)" "" -- "$KNIT" deprecate liba@0.1.0 ""
expect_run "deprecate no match" 1 "" "knit: error: no version of liba in $REG satisfies '^3'" -- "$KNIT" deprecate liba@^3 "x"
expect_run "unpublish a range" 1 "" "knit: error: unpublish takes one exact version: liba@<version>, not a range or a tag" -- "$KNIT" unpublish liba@^0.1
expect_run "unpublish" 0 "- liba@0.2.0" "" -- "$KNIT" unpublish liba@0.2.0
[ ! -e "$REG/liba/-/liba-0.2.0.tgz" ] && ok || not_ok "unpublish left the tarball"
expect_run "tags on it went" 0 "latest: 0.1.0" "" -- "$KNIT" dist-tag ls liba
expect_run "unpublish again" 1 "" "knit: error: liba@0.2.0 is not in $REG" -- "$KNIT" unpublish liba@0.2.0

# a scoped package, and a registry whose path needs escaping
cd "$TEST_TMP/libb" || exit 1
sed -i 's/"name": "libb"/"name": "@acme\/libb"/' knit.json
mkdir -p "$TEST_TMP/other reg"
OTHER="file://$TEST_TMP/other%20reg"
expect_run "publish scoped to a file:// URL" 0 "*+ @acme/libb@0.1.0*" "" -- "$KNIT" publish --registry "$OTHER"
[ -f "$TEST_TMP/other reg/@acme/libb/-/libb-0.1.0.tgz" ] && ok || not_ok "scoped tarball's place"
cd "$TEST_TMP/app" && echo "@acme:registry=$OTHER" >.knitrc
expect_run "install the scoped package through its scope's registry" 0 "*2 packages in deps/ *" "" -- "$KNIT" install @acme/libb
[ -f deps/@acme/libb/include/libb.h ] && ok || not_ok "scoped package in deps/"

# a dependency its users could not install
cd "$TEST_TMP/libb" && cp knit.json "$TEST_TMP/libb.json"
python3 - <<'P'
import json
m = json.load(open("knit.json"))
m["dependencies"] = {"liba": "file:../liba"}
m["devDependencies"] = {"tool": "git+file:///x.git"}
json.dump(m, open("knit.json", "w"), indent=2)
P
expect_run "a folder dependency is not published" 1 "" "knit: error: knit.json: dependency 'liba' is 'file:../liba', which the package's users could not install; publish liba and depend on a version of it" -- "$KNIT" publish --registry "$OTHER"
cp "$TEST_TMP/libb.json" knit.json

# private packages are never published
cd "$TEST_TMP/libb" && sed -i 's/^{/{\n  "private": true,/' knit.json
expect_run "private" 1 "" 'knit: error: knit.json: @acme/libb is "private": true, so it is never published' -- "$KNIT" publish --registry "$OTHER"
expect_run "login to a folder" 1 "" "knit: error: file://$REG is a folder registry: it has no users" -- "$KNIT" login --username x

# more bad input: one line each, exit 1, the registry unchanged
cd "$TEST_TMP/app" || exit 1
cp "$REG/liba/index.json" "$TEST_TMP/index.before-bad"
expect_run "a registry that is not a URL" 1 "" "knit: error: registry 'ftp://x' is not an http://, https:// or file:// URL, or a folder's path" -- "$KNIT" view liba --registry ftp://x
expect_run "a folder registry that does not exist" 1 "" "knit: error: the registry file:///no/such/folder does not exist: no folder '/no/such/folder'" -- "$KNIT" view liba --registry file:///no/such/folder
expect_run "a folder's path is a folder registry" 0 "*liba*" "" -- "$KNIT" view liba --registry "$REG"
mkdir -p sub && cd sub
expect_run "a relative path, read from where the user stands" 0 "*liba*" "" -- "$KNIT" view liba --registry "$(realpath --relative-to=. "$REG")"
cd .. && rmdir sub
expect_run "view a bad name" 1 "" "knit: error: 'Bad Name' is not a valid package name: it has capital letters" -- "$KNIT" view 'Bad Name'
expect_run "dist-tag add without a version" 1 "" "knit: error: dist-tag add needs an exact version: liba@<version>" -- "$KNIT" dist-tag add liba
expect_run "dist-tag rm with a version" 1 "" "knit: error: dist-tag rm takes a package name without a version, got 'liba@1.0.0'" -- "$KNIT" dist-tag rm liba@1.0.0 beta
expect_run "deprecate with a line break" 1 "" "knit: error: the deprecation message must be one line" -- "$KNIT" deprecate liba "two
lines"
expect_run "whoami on a folder registry" 1 "" "knit: error: file://$REG is a folder registry: it has no users" -- "$KNIT" whoami
expect_run "login without a password" 1 "" "knit: error: login needs a password on the first line of standard input" -- "$KNIT" login --registry http://127.0.0.1:9 --username u </dev/null
expect_run "registry index of a missing folder" 1 "" "knit: error: '$TEST_TMP/nope' is not a folder" -- "$KNIT" registry index "$TEST_TMP/nope"
expect_run "registry without index" 1 "" "knit: error: usage: knit registry index \\[--base-url <url>\\] \\[<folder>\\]" -- "$KNIT" registry
cmp -s "$REG/liba/index.json" "$TEST_TMP/index.before-bad" && ok || not_ok "bad input changed the registry"

# knit registry index: the folder served by nginx
port=$(free_port)
expect_run "registry index" 0 "1 package, 1 version: tarballs at http://127.0.0.1:$port/<name>/-/" "" -- "$KNIT" registry index --base-url "http://127.0.0.1:$port/" "$REG"
grep -q "\"tarball\": \"http://127.0.0.1:$port/liba/-/liba-0.1.0.tgz\"" "$REG/liba/index.json" && ok || not_ok "index rewrote the URL"
nginx_pid=$("$KNIT_SOURCE_DIR/../shared/bench/serve-registry.sh" "$REG" "$port")
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
cd "$TEST_TMP" && "$KNIT" init -y web-app >/dev/null && cd web-app && rm -rf "$KNIT_CACHE"
expect_run "install from nginx serving the folder" 0 "*1 package in deps/ (1 fetched, *" "" -- "$KNIT" install --registry "http://127.0.0.1:$port" liba
grep -q "\"resolved\": \"http://127.0.0.1:$port/liba/-/liba-0.1.0.tgz\"" knit.lock && ok || not_ok "lock names the HTTP tarball"
kill "$nginx_pid"
expect_run "registry index back to file://" 0 "1 package, 1 version: tarballs at $REG/<name>/-/" "" -- "$KNIT" registry index
rm "$REG/liba/-/liba-0.1.0.tgz"
expect_run "index with a tarball missing" 1 "" "knit: error: liba@0.1.0: its tarball $REG/liba/-/liba-0.1.0.tgz is not in the folder" -- "$KNIT" registry index
expect_run "registry index bad url" 1 "" "knit: error: --base-url 'ftp://x' is not an http://, https:// or file:// URL, or a folder's path" -- "$KNIT" registry index --base-url ftp://x
finish
