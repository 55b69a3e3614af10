#!/usr/bin/env bash
# install, update and uninstall say what changed in knit.lock, one line a
# package (+ added, ~ moved, - removed), then the summary with its plural.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" reg && cd "$TEST_TMP" || exit 1
package() { # name version [dependency range]
	rm -rf "src/$1" && mkdir -p "src/$1"
	if [ $# -gt 2 ]; then
		printf '{"name": "%s", "version": "%s", "dependencies": {"%s": "%s"}}\n' "$1" "$2" "$3" "$4" > "src/$1/knit.json"
	else
		printf '{"name": "%s", "version": "%s"}\n' "$1" "$2" > "src/$1/knit.json"
	fi
	python3 "$TOOL" pack reg "src/$1"
}
package solo 1.0.0
package base 0.2.0
package shout 1.1.0 base ^0.2.0
export KNIT_REGISTRY="file://$TEST_TMP/reg"
mkdir app && cd app && printf '{"name": "app", "version": "1.0.0"}\n' > knit.json

expect_run "one package added" 0 "+ solo 1.0.0
1 package in deps/ (1 fetched, deps/ updated, knit.lock written, knit.json updated) in *s" "" -- "$KNIT" install solo
expect_run "a package and its dependency, in name order" 0 "+ base 0.2.0
+ shout 1.1.0
3 packages in deps/ (2 fetched, deps/ updated, knit.lock written, knit.json updated) in *s" "" -- "$KNIT" install shout
expect_run "nothing changed: no change lines" 0 "*3 packages in deps/ (0 fetched, deps/ unchanged, knit.lock unchanged) in *s" "" -- "$KNIT" install

cd .. && package base 0.2.1 && package shout 1.2.0 base ^0.2.1 && cd app
expect_run "update moves two" 0 "~ base 0.2.0 -> 0.2.1
~ shout 1.1.0 -> 1.2.0
3 packages in deps/ (2 fetched, deps/ updated, knit.lock written) in *s" "" -- "$KNIT" update shout base
expect_run "uninstall removes the package and what only it needed" 0 "- base 0.2.1
- shout 1.2.0
1 package in deps/ (0 fetched, deps/ updated, knit.lock written, knit.json updated) in *s" "" -- "$KNIT" uninstall shout
rm -rf deps
expect_run "ci restores and changes no lock: no change lines" 0 "*1 package in deps/ (0 fetched, deps/ updated) in *s" "" -- "$KNIT" ci
finish
