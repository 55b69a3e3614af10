#!/usr/bin/env bash
# git dependencies (local bare repositories through file://) and folder
# dependencies ("file:"): resolution, the lock pinning the commit, ci
# checking it out (offline when the mirror has it), links not copies, and
# conflicts explained.
. "$(dirname "$0")/lib.sh"
# under ASan: full stacks, so that tests/lsan.supp can tell libgit2's own leak
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
unset KNIT_REGISTRY KNIT_CONFIG
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1

# libg in git: v1.0.0, v1.1.0 (depending on libh from another repository), a branch
"$KNIT" init -y --template lib libh >/dev/null && (cd libh && git init -q -b main && git add . &&
	git commit -qm h && git tag v0.1.0) && git clone -q --bare libh libh.git || not_ok "libh repo"
"$KNIT" init -y --template lib libg >/dev/null
(
	cd libg && git init -q -b main && sed -i 's/"0.1.0"/"1.0.0"/' knit.json && git add . && git commit -qm one && git tag v1.0.0 &&
	python3 - "$TEST_TMP" <<'P' &&
import json, sys
m = json.load(open("knit.json"))
m["version"] = "1.1.0"
m["dependencies"] = {"libh": f"git+file://{sys.argv[1]}/libh.git#v0.1.0"}
json.dump(m, open("knit.json", "w"), indent=2)
P
	git commit -qam two && git tag v1.1.0 && git checkout -qb exp && sed -i 's/"1.1.0"/"3.0.0"/' knit.json &&
	git commit -qam exp && git checkout -q main
) || not_ok "libg repo"
git clone -q --bare libg libg.git || not_ok "bare libg"
G="git+file://$TEST_TMP/libg.git"
commit_of() { git -C "$TEST_TMP/libg.git" rev-parse "$1^{commit}"; }
"$KNIT" init -y --template lib libf >/dev/null

"$KNIT" init -y app >/dev/null && cd app || exit 1
expect_run "install a git dependency by semver range and a folder" 0 "*3 packages in deps/ *" "" -- "$KNIT" install "libg@$G#semver:^1.0" "libf@file:../libf"
grep -q "\"libg\": \"$G#semver:^1.0\"" knit.json && grep -q '"libf": "file:../libf"' knit.json && ok || not_ok "knit.json keeps the specs as given"
grep -q "\"resolved\": \"$G#$(commit_of v1.1.0)\"" knit.lock && ok || not_ok "the lock pins v1.1.0's commit: $(cat knit.lock)"
grep -q '"resolved": "file:../libf"' knit.lock && ok || not_ok "the lock records the folder's path"
grep -A3 '"libg": {' knit.lock | grep -q '"libh": "0.1.0"' && ok || not_ok "libg's git dependency is locked as its version"
[ -f deps/libh/include/libh.h ] && ok || not_ok "a git package's own git dependency is installed"
[ -L deps/libf ] && [ "$(readlink deps/libf)" = "../../libf" ] && ok || not_ok "a folder is linked, not copied"
echo "/* changed */" >>../libf/include/libf.h
grep -q "changed" deps/libf/include/libf.h && ok || not_ok "changes in the folder show through"
grep -q 'knit::libg' deps/knit.cmake && grep -q 'knit::libf' deps/knit.cmake && ok || not_ok "build targets for git and folder packages"
[ ! -e deps/libg/.git ] && ok || not_ok "a .git in deps/libg"

expect_run "outdated leaves git and folder packages out" 0 "" "" -- "$KNIT" outdated
expect_run "ls shows them" 0 "app@0.1.0*libf@0.1.0*libg@1.1.0*libh@0.1.0" "" -- "$KNIT" ls --all
expect_run "why names the spec" 0 "libg@1.1.0
  dependencies > libg@$G#semver:^1.0" "" -- "$KNIT" why libg

# a main.c using both builds
cat >src/use.c <<'C'
#include <libf.h>
#include <libg.h>
#include <libh.h>
C
"$KNIT" run -s build >/dev/null 2>&1 && ok || not_ok "the app builds with git and folder packages"

# libgit2 is loaded only when a commit must be fetched or exported
lacks libgit2 "a no-op install loaded libgit2" -- env LD_DEBUG=files "$KNIT" install
rm -rf deps
lacks libgit2 "ci from a warm store loaded libgit2" -- env LD_DEBUG=files "$KNIT" ci

# a new tag: the lock holds the commit until knit update
(cd ../libg && sed -i 's/"1.1.0"/"1.2.0"/' knit.json && git commit -qam three && git tag v1.2.0 && git push -q ../libg.git main --tags) || not_ok "push v1.2.0"
expect_run "install keeps the locked commit" 0 "*3 packages in deps/ (0 fetched, deps/ unchanged, knit.lock unchanged) in *" "" -- "$KNIT" install
grep -q "$(commit_of v1.1.0)" knit.lock && ok || not_ok "the lock moved without update"
expect_run "update moves to the newest tag in range" 0 "*3 packages in deps/ *" "" -- "$KNIT" update libg
grep -q "\"resolved\": \"$G#$(commit_of v1.2.0)\"" knit.lock && ok || not_ok "update took v1.2.0"

# ci: the locked commit, from a cold store; offline once the mirror has it
rm -rf deps "$KNIT_CACHE/store"
expect_run "ci from a cold store" 0 "*3 packages in deps/ (0 fetched, deps/ updated) in *" "" -- "$KNIT" ci
grep -q '"version": "1.2.0"' deps/libg/knit.json && ok || not_ok "ci checked out the locked commit"
mv ../libg.git ../libg.git.away
rm -rf deps "$KNIT_CACHE/store"
expect_run "ci with the repository gone: the mirror has the commit" 0 "*3 packages in deps/ *" "" -- "$KNIT" ci
rm -rf deps "$KNIT_CACHE"
expect_run "ci with the repository and the mirror gone" 1 "" "knit: error: cannot fetch libg@1.2.0: file://$TEST_TMP/libg.git: cannot fetch*" -- "$KNIT" ci
mv ../libg.git.away ../libg.git
expect_run "ci again" 0 "*3 packages in deps/ *" "" -- "$KNIT" ci

# a tag, a branch, and the default branch
cd "$TEST_TMP" && "$KNIT" init -y app2 >/dev/null && cd app2 || exit 1
expect_run "a tag" 0 "*1 package in deps/ *" "" -- "$KNIT" install "libg@$G#v1.0.0"
grep -q '"version": "1.0.0"' knit.lock && ok || not_ok "#v1.0.0"
expect_run "a branch" 0 "*2 packages in deps/ *" "" -- "$KNIT" install "libg@$G#exp"
grep -q '"version": "3.0.0"' knit.lock && ok || not_ok "#exp"
expect_run "the default branch" 0 "*2 packages in deps/ *" "" -- "$KNIT" install "libg@$G"
grep -q '"version": "1.2.0"' knit.lock && ok || not_ok "no ref: the default branch"

# errors: one line, knit.json and knit.lock untouched
cp knit.json "$TEST_TMP/j" && cp knit.lock "$TEST_TMP/l"
expect_run "a missing tag" 1 "" "knit: error: file://$TEST_TMP/libg.git: no tag, branch or commit 'v9'" -- "$KNIT" install "libg@$G#v9"
expect_run "no tag in range" 1 "" "knit: error: file://$TEST_TMP/libg.git: no tag satisfies semver:^7" -- "$KNIT" install "libg@$G#semver:^7"
expect_run "a missing repository" 1 "" "knit: error: file://$TEST_TMP/nope.git: cannot fetch*" -- "$KNIT" install "libg@git+file://$TEST_TMP/nope.git"
expect_run "a missing folder" 1 "" "knit: error: libx: file:../nope: no such folder ($TEST_TMP/app2/../nope)" -- "$KNIT" install "libx@file:../nope"
expect_run "a name that is not the package's" 1 "" "knit: error: other: $G names the package 'libg', not 'other'" -- "$KNIT" install "other@$G"
expect_run "a spec without a name" 1 "" "knit: error: '$G' needs the package's name in front: <name>@$G" -- "$KNIT" install "$G"
cmp -s knit.json "$TEST_TMP/j" && cmp -s knit.lock "$TEST_TMP/l" && ok || not_ok "a failed install changed knit.json or knit.lock"

# one version per name: a folder package wanting libg ^2 against libg 1.2.0 from git
cd "$TEST_TMP" && python3 - <<'P'
import json
m = json.load(open("libf/knit.json"))
m["dependencies"] = {"libg": "^2.0.0"}
json.dump(m, open("libf/knit.json", "w"), indent=2)
P
cd app2 || exit 1
expect_run "a conflict between a git version and a range" 1 "" "*libf*libg ^2.0.0*version solving failed*" -- "$KNIT" install "libf@file:../libf"
# two different sources for one name
python3 - <<'P'
import json
m = json.load(open("../libf/knit.json"))
m["dependencies"] = {"libg": "git+file:///elsewhere/libg.git#v1"}
json.dump(m, open("../libf/knit.json", "w"), indent=2)
P
expect_run "two sources for one name" 1 "" "knit: error: libg is asked for as '$G' by app2 and as 'git+file:///elsewhere/libg.git#v1' by libf; knit installs one copy of each package, so they must agree" -- "$KNIT" install "libf@file:../libf"
cmp -s knit.json "$TEST_TMP/j" && ok || not_ok "a conflict changed knit.json"
finish
