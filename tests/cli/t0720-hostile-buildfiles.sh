#!/usr/bin/env bash
# Build files carry a dependency's text: c.defines, c.cflags, c.include,
# c.link and the names of its source files reach deps/knit.mk, knit.cmake,
# knit.env and the .pc files. Values with shell and Make metacharacters
# arrive as one argument and run nothing (make -n, make, CMake, pkg-config,
# . knit.env); control characters, '$', '\\', '#', unmatched brackets and
# source names knit.mk cannot carry are refused with one line, nothing changed.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
mkdir reg src out sentinel && echo keep >sentinel/file
M="$TEST_TMP/app/MARK"  # what every attack below tries to create (touch MARK, run in app/)

# libodd: legitimate values full of metacharacters; each must arrive whole
mkdir -p src/odd/src "src/odd/inc dir"
python3 - <<'E'
import json
defines = ['Q="a b"', 'S=x;touch MARK', 'B=`touch MARK`', 'K=a[0][==[x;y]==]', "P='p'", 'V=|&<>*?{ab}~!']
json.dump({"name": "libodd", "version": "1.0.0", "description": "odd\\nCflags: -DINJECTED",
           "c": {"sources": ["src/*.c"], "include": ["inc dir"], "defines": defines,
                 "cflags": ["-DPRIV=`touch MARK`;touch MARK", "-DPRIV2=a  b"]}},
          open("src/odd/knit.json", "w"))
E
cat >src/odd/src/odd.c <<'E'
#include <string.h>
#include "odd.h"
#define STR(x) #x
#define XSTR(x) STR(x)
const char *odd_priv(void) { return XSTR(PRIV) "|" XSTR(PRIV2); }
E
echo 'const char *odd_priv(void);' >"src/odd/inc dir/odd.h"
python3 "$TOOL" pack reg src/odd || exit 1

mkdir app && cd app || exit 1
echo '{ "name": "app", "version": "0.1.0", "dependencies": { "libodd": "^1.0.0" } }' >knit.json
cat >main.c <<'E'
#include <stdio.h>
#include "odd.h"
#define STR(x) #x
#define XSTR(x) STR(x)
int main(void)
{
	puts(XSTR(Q)); puts(XSTR(S)); puts(XSTR(B)); puts(XSTR(K)); puts(XSTR(P)); puts(XSTR(V));
	puts(odd_priv());
	return 0;
}
E
cat >"$TEST_TMP/out/want" <<'E'
"a b"
x;touch MARK
`touch MARK`
a[0][==[x;y]==]
'p'
|&<>*?{ab}~!
`touch MARK`;touch MARK|a b
E
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.20)
project(app C)
include(deps/knit.cmake)
add_executable(app main.c)
target_link_libraries(app PRIVATE knit::deps)
E
cat >Makefile <<'E'
include deps/knit.mk
app-make: main.o $(KNIT_LIBS)
	$(CC) -o $@ main.o $(KNIT_LDLIBS)
main.o: CFLAGS += $(KNIT_CFLAGS)
E
before=$(sentinel_listing "$TEST_TMP" app cache src reg out stderr)
expect_run "install a package with odd values" 0 "*1 package* in deps/*" "" -- "$KNIT" install --registry "$R"
marked() { [ ! -e "$M" ] && ok || { not_ok "$1 ran a command from a dependency's values"; rm -f "$M"; }; }
make -n app-make >"$TEST_TMP/out/make-n.log" 2>&1
marked "make -n"
if make app-make >"$TEST_TMP/out/make.log" 2>&1; then
	./app-make >"$TEST_TMP/out/got-make" && cmp -s "$TEST_TMP/out/want" "$TEST_TMP/out/got-make" && ok ||
		not_ok "the Make-built app printed: $(cat "$TEST_TMP/out/got-make")"
else
	not_ok "the Make build failed: $(tail -5 "$TEST_TMP/out/make.log")"
fi
marked "make"
if cmake -S . -B build >"$TEST_TMP/out/cmake.log" 2>&1 && cmake --build build >>"$TEST_TMP/out/cmake.log" 2>&1; then
	./build/app >"$TEST_TMP/out/got-cmake" && cmp -s "$TEST_TMP/out/want" "$TEST_TMP/out/got-cmake" && ok ||
		not_ok "the CMake-built app printed: $(cat "$TEST_TMP/out/got-cmake")"
else
	not_ok "the CMake build failed: $(tail -5 "$TEST_TMP/out/cmake.log")"
fi
marked "cmake"
# pkg-config prints shell words: evaluated, each define is one argument; the description stays a description
flags=$(PKG_CONFIG_PATH="$PWD/deps/.pkgconfig" pkg-config --cflags libodd 2>&1)
eval "set -- $flags" 2>/dev/null
marked "pkg-config's output, evaluated"
printf '%s\n' "$@" >"$TEST_TMP/out/got-pc"
grep -qxF -- "-DS=x;touch MARK" "$TEST_TMP/out/got-pc" && grep -qxF -- '-DQ="a b"' "$TEST_TMP/out/got-pc" &&
	grep -qxF -- '-DB=`touch MARK`' "$TEST_TMP/out/got-pc" && grep -qxF -- '-DV=|&<>*?{ab}~!' "$TEST_TMP/out/got-pc" &&
	grep -qxF -- "-I$(readlink deps/.build/pkg/libodd)/prefix/include" "$TEST_TMP/out/got-pc" && ok ||
	not_ok "pkg-config --cflags libodd: $flags"
case "$flags" in *INJECTED*) not_ok "the description wrote a field into the .pc: $flags" ;; *) ok ;; esac
# knit.env: sourcing it runs nothing; its words, evaluated, are the flags
(. deps/knit.env && eval "set -- $KNIT_CFLAGS" && printf '%s\n' "$@") >"$TEST_TMP/out/got-env" 2>&1
marked ". deps/knit.env"
grep -qxF -- "-DS=x;touch MARK" "$TEST_TMP/out/got-env" && grep -qxF -- '-DQ="a b"' "$TEST_TMP/out/got-env" &&
	grep -qxF -- "-I$(readlink deps/.build/pkg/libodd)/prefix/include" "$TEST_TMP/out/got-env" && ok || not_ok "knit.env's KNIT_CFLAGS: $(cat "$TEST_TMP/out/got-env")"
[ "$before" = "$(sentinel_listing "$TEST_TMP" app cache src reg out stderr)" ] && ok || not_ok "something outside the project changed"

# refused: what no build file can carry as one value
snap() { { cat knit.json knit.lock; find deps | sort; cat deps/knit.cmake deps/knit.mk; } | sha256sum; }
# refuse NAME C-SECTION(python) SOURCE-FILE STDERR-GLOB; in the globs, ? stands for a backslash or bracket
refuse() {
	local name=$1 c=$2 file=$3 want=$4
	(cd "$TEST_TMP" && mkdir -p "src/$name/src" && python3 -c "
import json, sys
json.dump({'name': '$name', 'version': '1.0.0', 'c': $c}, open('src/$name/knit.json', 'w'))
open('src/$name/src/' + sys.argv[1], 'w').write('int x;\n')" "$file" && python3 "$TOOL" pack reg "src/$name") || not_ok "packing $name"
	local good
	good=$(snap)
	expect_run "a dependency with $name" 1 "" "$want" -- "$KNIT" install "$name" --registry "$R"
	[ "$(snap)" = "$good" ] && ok || not_ok "refusing $name changed the project"
	make -n app-make >/dev/null 2>&1
	marked "make -n after $name"
}
refuse libnl "{'defines': ['A=1\nB']}" a.c \
	"knit: error: package 'libnl@1.0.0': knit.json: 'c.defines' entry 'A=1?nB' holds a control character"
refuse libtab "{'cflags': ['-O2\t-g']}" a.c \
	"knit: error: package 'libtab@1.0.0': knit.json: 'c.cflags' entry '-O2?t-g' holds a control character"
refuse libdollar "{'defines': ['X=\$(shell touch MARK)']}" a.c \
	"knit: error: package 'libdollar@1.0.0': 'c.defines' entry 'X=\$(shell touch MARK)' holds '\$', which build files cannot carry"
refuse libincdollar "{'include': ['\$(shell touch MARK)']}" a.c \
	"knit: error: package 'libincdollar@1.0.0': 'c.include' entry '\$(shell touch MARK)' holds '\$', which build files cannot carry"
refuse libhash "{'defines': ['H=1#2']}" a.c \
	"knit: error: package 'libhash@1.0.0': 'c.defines' entry 'H=1#2' holds '#', which build files cannot carry"
refuse libbackslash "{'cflags': ['-DW=a\\\\']}" a.c \
	"knit: error: package 'libbackslash@1.0.0': 'c.cflags' entry '-DW=a??' holds '?', which build files cannot carry"
refuse libbracket "{'defines': ['K=]==]']}" a.c \
	"knit: error: package 'libbracket@1.0.0': 'c.defines' entry 'K=]==]' holds an unmatched '?' or '?', which CMake lists cannot carry"
refuse libwrapper "{'cflags': ['-O2', '-wrapper', '/bin/sh,-c,touch MARK']}" a.c \
	"knit: error: package 'libwrapper@1.0.0': 'c.cflags' entry '-wrapper' (-wrapper) would make the compiler run or load a program, or read options from a file"
refuse libplugin "{'cflags': ['-fplugin=./evil.so']}" a.c \
	"knit: error: package 'libplugin@1.0.0': 'c.cflags' entry '-fplugin=./evil.so' (-fplugin) would make the compiler run or load a program, or read options from a file"
refuse libsrcsemi "{}" 'a;touch MARK;.c' \
	"knit: error: package 'libsrcsemi@1.0.0': source file 'src/a;touch MARK;.c' has a name deps/knit.mk cannot carry (letters, digits and . _ - + only)"
refuse libsrcnl "{}" $'a\nb.c' \
	"knit: error: package 'libsrcnl@1.0.0': source file 'src/a?nb.c' has a name deps/knit.mk cannot carry (letters, digits and . _ - + only)"
[ "$before" = "$(sentinel_listing "$TEST_TMP" app cache src reg out stderr)" ] && ok || not_ok "something outside the project changed"
finish
