#!/usr/bin/env bash
# deps/knit.cmake, deps/knit.mk, deps/.pkgconfig and knit env: an app that
# uses two packages (one depending on a scoped third) and a header-only one
# builds with CMake and with Make and runs; a package with a bad `c` section
# fails the install naming it, with nothing changed.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
mkdir reg src

# @acme/libgreet: a c section with a public define and a system library
mkdir -p src/greet/include src/greet/lib
cat >src/greet/knit.json <<'E'
{ "name": "@acme/libgreet", "version": "1.0.0", "description": "greetings",
  "c": { "sources": ["lib/*.c"], "include": ["include"], "defines": ["GREET_EXCLAIM=1"],
         "cflags": ["-DGREET_PRIVATE=1"], "link": ["m"] } }
E
cat >src/greet/include/greet.h <<'E'
#pragma once
const char *greet(void);
double greet_root(double x);
E
cat >src/greet/lib/greet.c <<'E'
#include <math.h>
#include "greet.h"
#ifndef GREET_PRIVATE
#error "the package's own cflags were not applied"
#endif
const char *greet(void) { return "Hello"; }
double greet_root(double x) { return sqrt(x); }
E
# libname: no c section, so src/**/*.c and include/; depends on @acme/libgreet
mkdir -p src/name/include src/name/src/sub
cat >src/name/knit.json <<'E'
{ "name": "libname", "version": "1.2.0", "dependencies": { "@acme/libgreet": "^1.0.0" } }
E
echo 'const char *name_greeting(void); const char *name_world(void);' >src/name/include/name.h
cat >src/name/src/name.c <<'E'
#include <stdio.h>
#include "greet.h"
#include "name.h"
const char *name_greeting(void)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "%s, %s%s", greet(), name_world(), GREET_EXCLAIM ? "!" : ".");
	return buf;
}
E
echo 'const char *name_world(void) { return "World"; }' >src/name/src/sub/world.c
# a command, shipped without its executable bit, as npm packages often are
mkdir -p src/name/bin && printf '#!/bin/sh\necho "name-hello from $(basename "$(dirname "$(dirname "$0")")")"\n' >src/name/bin/hello.sh
chmod 644 src/name/bin/hello.sh
python3 - <<'E'
import json
p = "src/name/knit.json"; d = json.load(open(p)); d["bin"] = {"name-hello": "./bin/hello.sh"}; json.dump(d, open(p, "w"))
E
# libhdr: header-only, header at its root
mkdir -p src/hdr
echo '{ "name": "libhdr", "version": "0.3.0" }' >src/hdr/knit.json
echo '#define HDR_VALUE 42' >src/hdr/hdr.h
for p in greet name hdr; do python3 "$TOOL" pack reg "src/$p" || exit 1; done

mkdir app && cd app || exit 1
echo '{ "name": "app", "version": "0.1.0", "dependencies": { "libname": "^1.2.0", "libhdr": "^0.3.0" } }' >knit.json
cat >main.c <<'E'
#include <stdio.h>
#include "greet.h"
#include "hdr.h"
#include "name.h"
int main(void) { printf("%s %d %.0f\n", name_greeting(), HDR_VALUE, greet_root(81.0)); return 0; }
E
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.20)
project(app C)
include(deps/knit.cmake)
add_compile_options(-DKNIT_PROJECT_ONLY_FLAG=1)
add_executable(app main.c)
target_link_libraries(app PRIVATE knit::deps)
E
cat >Makefile <<'E'
include deps/knit.mk
app-make: main.o $(KNIT_LIBS)
	$(CC) -o $@ main.o $(KNIT_LDLIBS)
main.o: CFLAGS += $(KNIT_CFLAGS)
E
expect_run "install" 0 "*3 packages in deps/*" "" -- "$KNIT" install --registry "$R"
for f in knit.cmake knit.mk; do
	[ -f "deps/$f" ] && ok || not_ok "deps/$f was not written"
done
# install only fetches and links: what the packages build into comes with knit build
[ ! -e deps/.build ] && [ ! -e deps/knit.env ] && ok || not_ok "install built something: $(ls deps/.build 2>&1)"
grep -q 'add_library(knit::acme.libgreet ALIAS' deps/knit.cmake && ok || not_ok "no knit::acme.libgreet target"
# bin: deps/.bin/<command>, on PATH for scripts
[ -L deps/.bin/name-hello ] && [ "$(readlink deps/.bin/name-hello)" = ../libname/bin/hello.sh ] && [ -x deps/.bin/name-hello ] &&
	ok || not_ok "deps/.bin/name-hello: $(ls -l deps/.bin 2>&1)"
python3 - <<'E'
import json
d = json.load(open("knit.json")); d["scripts"] = {"hi": "name-hello"}; json.dump(d, open("knit.json", "w"))
E
expect_run "a package's command in a script" 0 "name-hello from deps" "" -- "$KNIT" run -s hi

# CMake
if cmake -S . -B build >"$TEST_TMP/cmake.log" 2>&1 && cmake --build build >>"$TEST_TMP/cmake.log" 2>&1; then
	[ "$(./build/app)" = "Hello, World! 42 9" ] && ok || not_ok "the CMake-built app printed '$(./build/app)'"
else
	not_ok "the CMake build failed: $(tail -25 "$TEST_TMP/cmake.log")"
fi
# configuring built every package into its own prefix, once
for f in knit.env .pkgconfig/acme.libgreet.pc .pkgconfig/libname.pc .pkgconfig/libhdr.pc \
	.build/pkg/libname/prefix/lib/libknit_libname.a .build/pkg/libname/prefix/include/name.h \
	.build/pkg/libhdr/prefix/include/hdr.h .build/pkg/acme.libgreet/prefix/lib/pkgconfig/knit_acme.libgreet.pc; do
	[ -f "deps/$f" ] && ok || not_ok "deps/$f was not written"
done
grep -q "built libname 1.2.0 (sources)" "$TEST_TMP/cmake.log" && ok || not_ok "configuring did not build libname: $(head -5 "$TEST_TMP/cmake.log")"
# the project's own flags never reach a package's compile
grep -q KNIT_PROJECT_ONLY_FLAG deps/.build/log/libname.log && not_ok "the project's flags reached libname" || ok
# Make
if make -s app-make >"$TEST_TMP/make.log" 2>&1; then
	[ "$(./app-make)" = "Hello, World! 42 9" ] && ok || not_ok "the Make-built app printed '$(./app-make)'"
else
	not_ok "the Make build failed: $(tail -5 "$TEST_TMP/make.log")"
fi
# pkg-config: libname requires acme.libgreet, whose flags come along
flags=$(PKG_CONFIG_PATH="$PWD/deps/.pkgconfig" pkg-config --cflags --libs libname 2>&1)
case "$flags" in
*"$(readlink deps/.build/pkg/libname)/prefix/include"*"$(readlink deps/.build/pkg/acme.libgreet)/prefix/include"*"-DGREET_EXCLAIM=1"*"libknit_libname.a"*"libknit_acme.libgreet.a"*"-lm"*) ok ;;
*) not_ok "pkg-config libname: $flags" ;;
esac
# knit.mk on its own builds every archive
rm -rf deps/.build
make -s -f deps/knit.mk knit-deps >"$TEST_TMP/make2.log" 2>&1 && [ -f deps/.build/pkg/libname/prefix/lib/libknit_libname.a ] &&
	[ -f deps/.build/pkg/acme.libgreet/prefix/lib/libknit_acme.libgreet.a ] &&
	ok || not_ok "make -f deps/knit.mk knit-deps: $(tail -3 "$TEST_TMP/make2.log")"
# knit env, then a plain cc line with the archives Make built
out=$("$KNIT" env) && ok || not_ok "knit env failed"
# shellcheck disable=SC2086
if (eval "$out" && cc $KNIT_CFLAGS -o app-env main.c $KNIT_LIBS 2>"$TEST_TMP/cc.log"); then
	[ "$(./app-env)" = "Hello, World! 42 9" ] && ok || not_ok "the app built from knit env printed '$(./app-env)'"
else
	not_ok "building with knit env's flags failed: $(head -3 "$TEST_TMP/cc.log")"
fi
case "$out" in *"export PKG_CONFIG_PATH=$PWD/deps/.pkgconfig"*) ok ;; *) not_ok "knit env: $out" ;; esac

# two packages that need each other still build, with CMake and with Make
(
	cd "$TEST_TMP" || exit 1
	mkdir -p src/ping/src src/ping/include src/pong/src src/pong/include
	echo '{ "name": "libping", "version": "1.0.0", "dependencies": { "libpong": "^1.0.0" } }' >src/ping/knit.json
	echo '{ "name": "libpong", "version": "1.0.0", "dependencies": { "libping": "^1.0.0" } }' >src/pong/knit.json
	echo 'int ping(int n);' >src/ping/include/ping.h
	echo 'int pong(int n);' >src/pong/include/pong.h
	printf '#include "ping.h"\n#include "pong.h"\nint ping(int n) { return n <= 0 ? 0 : 1 + pong(n - 1); }\n' >src/ping/src/ping.c
	printf '#include "ping.h"\n#include "pong.h"\nint pong(int n) { return n <= 0 ? 0 : 1 + ping(n - 1); }\n' >src/pong/src/pong.c
	python3 "$TOOL" pack reg src/ping && python3 "$TOOL" pack reg src/pong
	mkdir cyc && cd cyc || exit 1
	echo '{ "name": "cyc", "version": "1.0.0", "dependencies": { "libping": "^1.0.0" } }' >knit.json
	printf '#include <stdio.h>\n#include "pong.h"\nint main(void) { printf("%%d\\n", pong(5)); return 0; }\n' >main.c
	printf 'cmake_minimum_required(VERSION 3.20)\nproject(cyc C)\ninclude(deps/knit.cmake)\nadd_executable(cyc main.c)\ntarget_link_libraries(cyc PRIVATE knit::deps knit::libpong)\n' >CMakeLists.txt
	"$KNIT" install --registry "$R" >/dev/null 2>&1 || exit 2
	cmake -S . -B build >/dev/null 2>&1 && cmake --build build >/dev/null 2>&1 || exit 3
	[ "$(./build/cyc)" = 5 ] || exit 4
	make -s -f deps/knit.mk knit-deps >/dev/null 2>&1 || exit 5
	eval "$("$KNIT" env)"
	# shellcheck disable=SC2086
	cc $KNIT_CFLAGS -o cyc-env main.c $KNIT_LIBS || exit 6
	[ "$(./cyc-env)" = 5 ] || exit 7
)
rc=$?
[ $rc = 0 ] && ok || not_ok "packages in a cycle: step $rc failed"

# a no-op install leaves the build files alone
before=$(stat -c %Y deps/knit.cmake)
sleep 1.1
expect_run "no-op install" 0 "*3 packages in deps/ (0 fetched, deps/ unchanged, knit.lock unchanged)*" "" -- "$KNIT" install --registry "$R"
[ "$(stat -c %Y deps/knit.cmake)" = "$before" ] && ok || not_ok "a no-op install rewrote deps/knit.cmake"
rm deps/knit.cmake
"$KNIT" install --registry "$R" >/dev/null 2>&1
[ -f deps/knit.cmake ] && ok || not_ok "a missing deps/knit.cmake was not written again"

# a dependency with a bad c section: named, nothing changed
cd "$TEST_TMP" || exit 1
mkdir -p src/bad && echo '{ "name": "libbad", "version": "1.0.0", "c": { "sources": "src/*.c" } }' >src/bad/knit.json
python3 "$TOOL" pack reg src/bad
cd app || exit 1
snap() { { cat knit.json knit.lock; find deps | sort; cat deps/knit.cmake; } | sha256sum; }
good=$(snap)
expect_run "a bad c section in a dependency" 1 "" \
	"knit: error: package 'libbad@1.0.0': knit.json: 'c.sources' must be an array of strings" -- "$KNIT" install libbad --registry "$R"
[ "$(snap)" = "$good" ] && ok || not_ok "the failed install changed the project"
# a command pointing out of its package
mkdir -p src/evilbin && echo '{ "name": "libevilbin", "version": "1.0.0", "bin": { "x": "../../../etc/passwd" } }' >src/evilbin/knit.json
(cd "$TEST_TMP" && python3 "$TOOL" pack reg app/src/evilbin) || not_ok "packing"
good=$(snap)
expect_run "a bin outside its package" 1 "" "knit: error: package 'libevilbin@1.0.0': 'bin.x' points outside the package: '../../../etc/passwd'" -- "$KNIT" install libevilbin --registry "$R"
[ "$(snap)" = "$good" ] && ok || not_ok "a refused bin changed the project"

# system libraries through pkg-config: too old, missing, no pkg-config at all
mkdir -p src/far src/none
echo '{ "name": "libfar", "version": "1.0.0", "c": { "pkgconfig": { "libuv": ">=99" } } }' >src/far/knit.json
echo '{ "name": "libnone", "version": "1.0.0", "c": { "pkgconfig": { "knit-no-such-module": "*" } } }' >src/none/knit.json
(cd "$TEST_TMP" && python3 "$TOOL" pack reg app/src/far && python3 "$TOOL" pack reg app/src/none) || not_ok "packing"
good=$(snap)
uv=$(pkg-config --modversion libuv)
expect_run "a system library too old" 1 "" \
	"knit: error: package 'libfar@1.0.0' needs the system library 'libuv' >=99, and pkg-config finds $uv; on Debian: apt-get install libuv1-dev" -- "$KNIT" install libfar --registry "$R"
expect_run "a system library missing" 1 "" \
	"knit: error: package 'libnone@1.0.0' needs the system library 'knit-no-such-module' (*), which pkg-config does not find" -- "$KNIT" install libnone --registry "$R"
expect_run "no pkg-config" 1 "" \
	"knit: error: package 'libfar@1.0.0' needs the system library 'libuv', and pkg-config, which checks it, cannot be run; on Debian: apt-get install pkg-config" \
	-- env PATH=/nonexistent "$KNIT" install libfar --registry "$R"
[ "$(snap)" = "$good" ] && ok || not_ok "a failed system library check changed the project"
# the project's own c.pkgconfig is checked too; a satisfied one passes
python3 - <<'E'
import json
d = json.load(open("knit.json")); d["c"] = {"pkgconfig": {"libuv": ">=1.0"}}; json.dump(d, open("knit.json", "w"))
E
rm deps/knit.cmake
expect_run "the project's own system library, present" 0 "*3 packages in deps/*" "" -- "$KNIT" install --registry "$R"
python3 - <<'E'
import json
d = json.load(open("knit.json")); d["c"] = {"pkgconfig": {"zlib-but-not": "^1"}}; json.dump(d, open("knit.json", "w"))
E
rm deps/knit.cmake
expect_run "the project's own system library, missing" 1 "" "knit: error: knit.json needs the system library 'zlib-but-not' (^1), which pkg-config does not find" -- "$KNIT" install --registry "$R"
expect_run "knit env without a project" 1 "" "knit: error: no knit.json here" -- bash -c "cd '$TEST_TMP' && '$KNIT' env"
mkdir -p "$TEST_TMP/nolock" && echo '{ "name": "nolock", "version": "1.0.0" }' >"$TEST_TMP/nolock/knit.json"
expect_run "knit env without knit.lock" 1 "" "knit: error: no knit.lock here; run 'knit install' first" -- bash -c "cd '$TEST_TMP/nolock' && '$KNIT' env"
finish
