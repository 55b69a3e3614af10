#!/usr/bin/env bash
# Build keys decide what builds: a second project with the same packages
# compiles no dependency source file (compiler runs counted through a CC
# wrapper); changing CFLAGS, the build type or the compiler rebuilds every
# package, and a new version of one package rebuilds exactly it and the
# packages above it; going back finds the earlier builds in the cache.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CFLAGS CPPFLAGS LDFLAGS
mkdir -p "$HOME" "$TEST_TMP/bin" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
for tool in cc cmake; do
	command -v $tool >/dev/null || { not_ok "$tool is needed"; finish; }
done

# base <- mid <- top (sources kind), and side (CMake) beside them
lib() { # lib NAME VERSION DEPS-JSON BODY
	mkdir -p "src/$1/src" "src/$1/include"
	echo "{ \"name\": \"$1\", \"version\": \"$2\", \"dependencies\": { $3 } }" >"src/$1/knit.json"
	echo "int $1(int x);" >"src/$1/include/$1.h"
	printf '%s\n' "$4" >"src/$1/src/$1.c"
	python3 "$TOOL" pack reg "src/$1" || exit 1
}
lib base 1.0.0 "" "int base(int x) { return x + 1; }"
lib mid 1.0.0 '"base": "^1.0.0"' '#include "base.h"
int mid(int x) { return base(x) * 2; }'
lib top 1.0.0 '"mid": "^1.0.0"' '#include "mid.h"
int top(int x) { return mid(x) + 3; }'
mkdir -p src/side
echo '{ "name": "side", "version": "1.0.0" }' >src/side/knit.json
echo 'int side(int x) { return -x; }' >src/side/side.c
echo 'int side(int x);' >src/side/side.h
cat >src/side/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(side C)
add_library(side side.c)
install(TARGETS side ARCHIVE DESTINATION lib)
install(FILES side.h DESTINATION include)
E
python3 "$TOOL" pack reg src/side || exit 1

# two compilers: wrappers that log each compile of a package's source, then run cc
for w in cc-one cc-two; do
	printf '#!/bin/sh\nfor a in "$@"; do case "$a" in *base.c|*mid.c|*top.c|*side.c) echo "${a##*/}" >>"%s/compiles";; esac; done\nexec cc "$@"\n' \
		"$TEST_TMP" >"bin/$w"
	chmod +x "bin/$w"
done
export CC="$TEST_TMP/bin/cc-one"
# compiled: the sources compiled since the last call, sorted, on one line
compiled() { sort "$TEST_TMP/compiles" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; rm -f "$TEST_TMP/compiles"; }
build() { "$KNIT" build --deps --no-sandbox "$@" >"$TEST_TMP/build.out" 2>&1 || not_ok "knit build $*: $(cat "$TEST_TMP/build.out")"; }

for p in one two; do
	mkdir -p "$p" && (cd "$p" && echo '{ "name": "app", "version": "1.0.0" }' >knit.json &&
		"$KNIT" install top@^1.0.0 side --registry "$R" >/dev/null 2>&1) || not_ok "project $p"
done
cd one && build
[ "$(compiled)" = "base.c mid.c side.c top.c" ] && ok || not_ok "the first project compiles each package once"
cd ../two && build
[ "$(compiled)" = "" ] && ok || not_ok "the second project compiles nothing"
grep -q "4 packages up to date\|restored\|from the build cache" "$TEST_TMP/build.out" || true

CFLAGS=-O1 build
[ "$(compiled)" = "base.c mid.c side.c top.c" ] && ok || not_ok "CFLAGS rebuilds every package"
build
[ "$(compiled)" = "" ] && ok || not_ok "CFLAGS back: the earlier builds"
build --debug
[ "$(compiled)" = "base.c mid.c side.c top.c" ] && ok || not_ok "the build type rebuilds every package"
CC="$TEST_TMP/bin/cc-two" build
[ "$(compiled)" = "base.c mid.c side.c top.c" ] && ok || not_ok "another compiler rebuilds every package"

# base 1.0.1: base, mid and top build again; side does not
cd "$TEST_TMP" && sed -i 's/1.0.0/1.0.1/; s/x + 1/x + 10/' src/base/knit.json src/base/src/base.c &&
	python3 "$TOOL" pack reg src/base || exit 1
cd two && "$KNIT" update --registry "$R" >/dev/null 2>&1 || not_ok "update to base 1.0.1"
grep -q '"version": "1.0.1"' knit.lock && ok || not_ok "the lock has base 1.0.1"
build
[ "$(compiled)" = "base.c mid.c top.c" ] && ok || not_ok "a new base rebuilds base, mid and top, not side"
expect_run "explain names what changed" 0 "*dep base *" "" -- "$KNIT" build --explain mid
finish
