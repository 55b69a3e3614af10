#!/usr/bin/env bash
# knit version: alone, the project's version then knit's; with an increment or
# a version, knit.json's "version" changes and no other byte, preversion,
# version and postversion run in order, and in a clean git work tree a commit
# and a tag v<version> are made; bad input and a dirty tree change nothing.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
expect_run "outside a project: knit's" 0 "knit [0-9]*" "" -- "$KNIT" version
mkdir p && cd p || exit 1
printf '{\n\t"name" : "app",  "version":"1.2.3",\n\t"scripts": {\n\t\t"preversion": "echo pre $knit_package_version >>log",\n\t\t"version": "echo ver $knit_package_version >>log",\n\t\t"postversion": "echo post $knit_package_version >>log"\n\t}\n}\n' >knit.json
expect_run "alone: the project's and knit's" 0 "app 1.2.3"$'\n'"knit [0-9]*" "" -- "$KNIT" version
expect_run "--version is knit's" 0 "knit [0-9]*" "" -- "$KNIT" --version
cp knit.json before
expect_run "an unknown word" 1 "" "knit: error: 'mayor' is not a version or one of major*" -- "$KNIT" version mayor
expect_run "the same version" 1 "" "knit: error: version '1.2.3' is knit.json's already; --allow-same-version allows that" -- \
	"$KNIT" version 1.2.3
cmp -s knit.json before && ok || not_ok "bad input changed knit.json"
[ -e log ] && not_ok "a script ran for bad input" || ok
expect_run "patch, no git" 0 "v1.2.4" "*" -- "$KNIT" version patch
sed 's/1\.2\.3/1.2.4/' before >want
cmp -s knit.json want && ok || not_ok "knit.json: $(cat knit.json)"
[ "$(cat log)" = "pre 1.2.3"$'\n'"ver 1.2.4"$'\n'"post 1.2.4" ] && ok || not_ok "scripts: $(cat log)"
expect_run "prerelease --preid" 0 "v1.2.5-rc.0" "*" -- "$KNIT" version prerelease --preid rc
rm log

git init -q . && git add knit.json && git commit -qm init || exit 1
echo untracked >notes
expect_run "in git: commit and tag" 0 "v2.0.0" "*" -- "$KNIT" version major -m "release %s"
[ "$(git log -1 --format=%s)" = "release 2.0.0" ] && ok || not_ok "commit: $(git log -1 --format=%s)"
[ "$(git describe --tags)" = "v2.0.0" ] && ok || not_ok "no tag v2.0.0"
[ -z "$(git status --porcelain --untracked-files=no)" ] && ok || not_ok "knit.json not committed"
echo x >>log && git add log
cp knit.json before
expect_run "a dirty tree" 1 "" "knit: error: git working directory not clean*" -- "$KNIT" version minor
cmp -s knit.json before && ok || not_ok "a dirty tree changed knit.json"
expect_run "--no-git-tag-version" 0 "v2.1.0" "*" -- "$KNIT" version minor --no-git-tag-version
git reset -q && git checkout -q knit.json && rm -f log
git tag v2.0.1
expect_run "a tag that exists" 1 "" "knit: error: git tag 'v2.0.1' already exists" -- "$KNIT" version patch
finish
