#!/usr/bin/env bash
# knit build: packages that ship their own build system (CMake detected,
# Make named by c.build, CMake under c.root), built in dependency order into
# prefixes under deps/.build, one line each; up to date the second time (one line);
# what they give consumers reaching CMake (deps/knit.cmake, which runs the
# build itself), Make (deps/knit.mk) and pkg-config alike; a failing build
# named with its step and log, exit 1, the packages before it kept.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache" PATH="$(dirname "$KNIT"):$PATH"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CFLAGS
# publish keeps a failed verification's folder under TMPDIR: in the scratch folder here
export TMPDIR="$TEST_TMP/tmp"
mkdir -p "$HOME" "$TMPDIR" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
for tool in cmake make pkg-config cc; do
	command -v $tool >/dev/null || { not_ok "$tool is needed"; finish; }
done

# zed: an upstream-style CMake library that installs a header, an archive and zed.pc
mkdir -p zed/src zed/include
cat >zed/knit.json <<'E'
{ "name": "zed", "version": "1.0.0", "license": "MIT" }
E
cat >zed/include/zed.h <<'E'
int zed_twice(int x);
E
cat >zed/src/zed.c <<'E'
#include "zed.h"
#ifndef ZED_BUILT_BY_CMAKE
#error built without its own CMakeLists.txt
#endif
int zed_twice(int x) { return 2 * x; }
E
cat >zed/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(zed C)
add_library(zed src/zed.c)
target_compile_definitions(zed PRIVATE ZED_BUILT_BY_CMAKE)
target_include_directories(zed PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>)
install(TARGETS zed ARCHIVE DESTINATION lib LIBRARY DESTINATION lib)
install(FILES include/zed.h DESTINATION include)
file(WRITE ${CMAKE_BINARY_DIR}/zed.pc "prefix=${CMAKE_INSTALL_PREFIX}\nName: zed\nDescription: zed\nVersion: 1.0.0\nCflags: -I\${prefix}/include\nLibs: -L\${prefix}/lib -lzed\nLibs.private: -lm\n")
install(FILES ${CMAKE_BINARY_DIR}/zed.pc DESTINATION lib/pkgconfig)
E
# mk: plain Make, depending on zed (its prefix reaches the build through CPPFLAGS and LDFLAGS)
mkdir -p mk
cat >mk/knit.json <<'E'
{ "name": "mk", "version": "2.1.0", "dependencies": { "zed": "^1.0.0" },
  "c": { "build": "make", "options": ["GREETING=4"], "link": ["m"] } }
E
cat >mk/mk.h <<'E'
int mk_quad(int x);
E
cat >mk/mk.c <<'E'
#include <math.h>
#include "zed.h"
#include "mk.h"
int mk_quad(int x) { return (int)sqrt((double)(zed_twice(x) * zed_twice(x))) * GREETING / 2; }
E
cat >mk/Makefile <<'E'
PREFIX ?= /usr/local
GREETING ?= 1
libmk.a: mk.o
	$(AR) rcs $@ $^
mk.o: mk.c
	$(CC) $(CFLAGS) $(CPPFLAGS) -DGREETING=$(GREETING) -c mk.c -o $@
install: libmk.a
	mkdir -p $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	cp libmk.a $(DESTDIR)$(PREFIX)/lib/
	cp mk.h $(DESTDIR)$(PREFIX)/include/
E
# deep: CMake under c.root, as upstream trees keep a library in a subfolder
mkdir -p deep/lib/deep
cat >deep/knit.json <<'E'
{ "name": "deep", "version": "0.3.0", "c": { "root": "lib/deep", "options": ["-DDEEP_VALUE=7"] } }
E
cat >deep/lib/deep/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(deep C)
file(WRITE ${CMAKE_BINARY_DIR}/deep.c "int deep_value(void) { return ${DEEP_VALUE}; }\n")
file(WRITE ${CMAKE_BINARY_DIR}/deep.h "int deep_value(void);\n")
add_library(deep ${CMAKE_BINARY_DIR}/deep.c)
install(TARGETS deep ARCHIVE DESTINATION lib)
install(FILES ${CMAKE_BINARY_DIR}/deep.h DESTINATION include)
E
# publish builds each package from its tarball first; mk's build needs zed's
# prefix, which its author's own knit build --deps made
publish() { (cd "$1" && "$KNIT" publish --registry "$R" >/dev/null 2>"$TEST_TMP/publish.err") && ok || not_ok "publish $1: $(cat "$TEST_TMP/publish.err")"; }
publish zed
(cd mk && "$KNIT" install --registry "$R" >/dev/null 2>&1 && "$KNIT" build --deps >/dev/null 2>&1) || not_ok "mk's own install and build"
publish mk
publish deep

# a package whose .gitignore leaves out a file its build needs: refused by
# publish's verification, with the build's error; --no-verify publishes it
mkdir -p gi && cd gi || exit 1
echo '{ "name": "gi", "version": "1.0.0" }' >knit.json
printf 'config.h*\n' >.gitignore
printf '#define GI 1\n' >config.h.in
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(gi C)
configure_file(config.h.in config.h)
E
expect_run "pack warns, and publish refuses a package that does not build from its tarball" 1 "" \
	"knit: warning: CMakeLists.txt names 'config.h.in', which is in the project but not packed (an ignore file or files leaves it out): the package's users could not build it
knit: error: gi 1.0.0: cmake configure failed (exit 1); see */build.log; it would not build for its users from what the tarball holds (--no-verify publishes anyway)
*config.h.in*" -- "$KNIT" publish --registry "$R"
expect_run "--no-verify publishes it anyway" 0 "*+ gi@1.0.0*" "*" -- "$KNIT" publish --registry "$R" --no-verify
cd "$TEST_TMP" || exit 1
# the sources kind is verified too: a header its "files" leave out
mkdir -p hdrless/src hdrless/include && cd hdrless || exit 1
echo '{ "name": "hdrless", "version": "1.0.0", "files": ["src"] }' >knit.json
echo 'int hdrless(void);' >include/hdrless.h
printf '#include "hdrless.h"\nint hdrless(void) { return 1; }\n' >src/hdrless.c
expect_run "publish refuses a sources-kind package whose header is not packed" 1 "" \
	"knit: warning: c.include 'include' is in the project but none of its files is packed; add it to knit.json's files
knit: error: hdrless 1.0.0: sources compile failed (exit 1); see */build.log; it would not build for its users from what the tarball holds (--no-verify publishes anyway)
*hdrless.h*" -- "$KNIT" publish --registry "$R"
cd "$TEST_TMP" || exit 1
# a package whose dependency is not built here is published with a warning saying it was not verified
mkdir -p needszed/src && cd needszed || exit 1
echo '{ "name": "needszed", "version": "1.0.0", "dependencies": { "zed": "^1.0.0" } }' >knit.json
printf '#include "zed.h"\nint needszed(void) { return zed_twice(1); }\n' >src/needszed.c
expect_run "publish without the dependencies built: a warning, published" 0 "*+ needszed@1.0.0*" \
	"knit: warning: needszed@1.0.0 is published without being built first: its dependency 'zed' is not built here (run 'knit build --deps' to have publish verify it)" -- "$KNIT" publish --registry "$R"
cd "$TEST_TMP" || exit 1

# the consumer
mkdir app && cd app || exit 1
cat >knit.json <<'E'
{ "name": "app", "version": "1.0.0", "scripts": { "build": "echo project-build-script $@" } }
E
cat >main.c <<'E'
#include <stdio.h>
#include "zed.h"
#include "mk.h"
#include "deep.h"
int main(void) { printf("%d %d %d\n", zed_twice(21), mk_quad(3), deep_value()); return 0; }
E
expect_run "install three packages that ship build systems" 0 "*3 packages in deps/*" "" -- "$KNIT" install mk deep --registry "$R"
# deep and zed build side by side; mk, which needs zed's prefix, after zed
# (the build cache emptied first: mk's author built zed into it already)
rm -rf "$KNIT_CACHE/builds"
"$KNIT" build --deps >"$TEST_TMP/b.out" 2>"$TEST_TMP/b.err" && ok || not_ok "knit build --deps: $(cat "$TEST_TMP/b.err")"
for line in "built deep 0.3.0 (cmake) in " "built zed 1.0.0 (cmake) in " "built mk 2.1.0 (make) in "; do
	grep -q "^$line[0-9.]* s\$" "$TEST_TMP/b.err" && ok || not_ok "no '$line...' line: $(cat "$TEST_TMP/b.err")"
done
[ "$(grep -n '^built zed' "$TEST_TMP/b.err" | cut -d: -f1)" -lt "$(grep -n '^built mk' "$TEST_TMP/b.err" | cut -d: -f1)" ] && ok ||
	not_ok "mk was built before zed, which it needs: $(cat "$TEST_TMP/b.err")"
[ "$(wc -l <"$TEST_TMP/b.err")" = 3 ] && ok || not_ok "knit build --deps printed more than its three lines: $(cat "$TEST_TMP/b.err")"
[ -f deps/.build/pkg/zed/prefix/lib/libzed.a ] && [ -f deps/.build/pkg/mk/prefix/lib/libmk.a ] && ok || not_ok "no archives in the prefixes: $(find deps/.build -name '*.a')"
[ -s deps/.build/log/zed.log ] && [ -s deps/.build/pkg/zed/log ] && ok || not_ok "no log for zed"
# the builds live in the build cache, shared: deps/.build/pkg/<t> links to the entry of its key
case "$(readlink deps/.build/pkg/zed)" in "$KNIT_CACHE"/builds/v1/????????????????*) ok ;; *) not_ok "deps/.build/pkg/zed: $(ls -ld deps/.build/pkg/zed)" ;; esac
expect_run "the second time: up to date" 0 "" "3 packages up to date" -- "$KNIT" build --deps
# another project with the same packages builds nothing: every key's entry is in the cache
mkdir -p "$TEST_TMP/other" && cd "$TEST_TMP/other" || exit 1
echo '{ "name": "other", "version": "1.0.0" }' >knit.json
"$KNIT" install mk deep --registry "$R" >/dev/null 2>&1 || not_ok "install into another project"
"$KNIT" build --deps 2>"$TEST_TMP/other.err" && ok || not_ok "the other project's build: $(cat "$TEST_TMP/other.err")"
[ "$(sort "$TEST_TMP/other.err")" = "restored deep 0.3.0 (cmake) from the build cache
restored mk 2.1.0 (make) from the build cache
restored zed 1.0.0 (cmake) from the build cache" ] && ok || not_ok "the other project built again: $(cat "$TEST_TMP/other.err")"
# a damaged entry is not used: removed, built again, its files back
entry=$(readlink deps/.build/pkg/zed)
echo '#error tampered' >>"$entry/prefix/include/zed.h"
rm deps/.build/pkg/zed
expect_run "a damaged entry is built again" 0 "" "built zed 1.0.0 (cmake) in * s
2 packages up to date" -- "$KNIT" build --deps
! grep -q tampered "$entry/prefix/include/zed.h" && ok || not_ok "the damaged entry is still used"
# knit cache verify checks every build entry too: a damaged one named and removed
expect_run "cache verify, builds whole" 0 "*
3 builds verified, none damaged" "" -- "$KNIT" cache verify
chmod u+w "$entry/prefix/lib/libzed.a" && echo x >>"$entry/prefix/lib/libzed.a"
expect_run "cache verify --dry-run names a damaged build" 1 "*
damaged build: zed 1.0.0 (????????????????) (prefix/lib/libzed.a: changed)
3 builds verified, 1 damaged" "" -- "$KNIT" cache verify --dry-run
expect_run "cache verify removes it" 1 "*damaged build: zed 1.0.0 (*) (prefix/lib/libzed.a: changed), removed
3 builds verified, 1 damaged and removed" "" -- "$KNIT" cache verify
[ ! -e "$entry" ] && ok || not_ok "cache verify left the damaged build"
"$KNIT" build --deps >/dev/null 2>&1 || not_ok "building zed again"
cd "$TEST_TMP/app" || exit 1
# --explain: what a key is made of, and what changed since the last build
expect_run "--explain, up to date" 0 "zed 1.0.0 (cmake): key ????????????????*
integrity sha512-*
compiler /*
tool cmake cmake version *
up to date: built from these inputs" "" -- "$KNIT" build --explain zed
expect_run "--explain after a flag changed, and the dependency's key with it" 0 "mk 2.1.0 (make): key *
out of date: the next knit build builds it again, as these inputs changed:
  - env CFLAGS=
  - dep zed *
  + env CFLAGS=-O1
  + dep zed *" "" -- env CFLAGS=-O1 "$KNIT" build --explain mk
expect_run "--explain of a package knit.lock lacks" 1 "" "knit: error: 'nope' is not in knit.lock" -- "$KNIT" build --explain nope
expect_run "knit build runs the project's build script after" 0 "project-build-script x" "3 packages up to date*" -- "$KNIT" build -- x
# a tool missing for a package to build: named with its Debian package before anything is built;
# the packages up to date need none
rm -rf deps/.build/pkg/deep
expect_run "a missing tool" 1 "" \
	"knit: error: deep 0.3.0 (cmake): building with cmake needs 'cmake', which is not on PATH: apt-get install cmake" -- env PATH=/nonexistent "$KNIT" build --deps
[ ! -e deps/.build/pkg/deep ] && ok || not_ok "a build started without its tool"
expect_run "knit build -j checks its number" 1 "" "knit: error: -j takes a number of jobs from 1 to 1024, not 'many'" -- "$KNIT" build -j many

# CMake: knit.cmake runs knit build --deps itself (here after the builds are removed)
rm -rf deps/.build
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(app C)
include(deps/knit.cmake)
add_executable(app main.c)
target_link_libraries(app PRIVATE knit::deps)
E
cmake -S . -B build >"$TEST_TMP/cmake.log" 2>&1 && cmake --build build >>"$TEST_TMP/cmake.log" 2>&1 && ok || not_ok "the CMake consumer: $(tail -15 "$TEST_TMP/cmake.log")"
# the keys are the shell's: CMake sets CC=/usr/bin/cc for what configure runs, the same compiler
grep -q "restored zed 1.0.0 (cmake) from the build cache" "$TEST_TMP/cmake.log" && ! grep -q "^built " "$TEST_TMP/cmake.log" && ok ||
	not_ok "configuring did not take the dependencies' builds: $(head -20 "$TEST_TMP/cmake.log")"
[ "$(./build/app 2>&1)" = "42 12 7" ] && ok || not_ok "the CMake-built app printed '$(./build/app 2>&1)'"

# Make: deps/knit.mk
cat >Makefile <<'E'
include deps/knit.mk
app-make: main.c $(KNIT_LIBS)
	$(CC) $(KNIT_CFLAGS) -o $@ main.c $(KNIT_LDLIBS)
E
make app-make >"$TEST_TMP/make.log" 2>&1 && ok || not_ok "the Make consumer: $(tail -15 "$TEST_TMP/make.log")"
[ "$(./app-make 2>&1)" = "42 12 7" ] && ok || not_ok "the Make-built app printed '$(./app-make 2>&1)'"

# pkg-config --static, the shell way
flags=$(PKG_CONFIG_PATH=deps/.pkgconfig pkg-config --static --cflags --libs mk zed deep) || not_ok "pkg-config mk zed deep"
cc -o app-pc main.c $flags >"$TEST_TMP/pc.log" 2>&1 && ok || not_ok "the pkg-config consumer ($flags): $(tail -5 "$TEST_TMP/pc.log")"
[ "$(./app-pc 2>&1)" = "42 12 7" ] && ok || not_ok "the pkg-config-built app printed '$(./app-pc 2>&1)'"

# a failing build: named, its log's last lines, exit 1, the packages before it kept
cd "$TEST_TMP" && mkdir -p broken && cd broken || exit 1
cat >knit.json <<'E'
{ "name": "broken", "version": "0.0.1", "dependencies": { "zed": "^1.0.0" } }
E
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(broken C)
message(FATAL_ERROR "this package does not configure")
E
"$KNIT" publish --registry "$R" --no-verify >/dev/null 2>&1 || not_ok "publish broken (--no-verify: it does not build)"
mkdir -p "$TEST_TMP/app2" && cd "$TEST_TMP/app2" || exit 1
echo '{ "name": "app2", "version": "1.0.0" }' >knit.json
"$KNIT" install broken --registry "$R" >/dev/null 2>&1 || not_ok "install broken"
expect_run "a configure failure: the package, the step, the log, its last lines" 1 "" \
	"restored zed 1.0.0 (cmake) from the build cache
knit: error: broken 0.0.1: cmake configure failed (exit 1); see *deps/.build/log/broken.log ?it ran sandboxed: *
*this package does not configure*" -- "$KNIT" build --deps
[ -f deps/.build/pkg/zed/prefix/lib/libzed.a ] && [ -f deps/.build/pkg/zed/key ] && ok || not_ok "the failure took zed's finished build with it"
[ ! -e deps/.build/pkg/broken/key ] && ok || not_ok "a failed build was recorded as done"

# one copy of a library: two packages defining one global symbol is a
# warning naming both; a package installing a pkg-config module that the
# project takes from the system (c.pkgconfig) is an error naming both
cd "$TEST_TMP" && mkdir -p dupz myz && cd dupz || exit 1
echo '{ "name": "dupz", "version": "1.0.0" }' >knit.json
echo 'int zed_twice(int x) { return x + x; }' >dupz.c
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(dupz C)
add_library(dupz dupz.c)
install(TARGETS dupz ARCHIVE DESTINATION lib)
E
"$KNIT" publish --registry "$R" >/dev/null 2>&1 || not_ok "publish dupz"
cd ../myz || exit 1
echo '{ "name": "myz", "version": "1.0.0" }' >knit.json
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(myz NONE)
file(WRITE ${CMAKE_BINARY_DIR}/zlib.pc "Name: zlib\nDescription: a second zlib\nVersion: 1.2.13\nLibs:\nCflags:\n")
install(FILES ${CMAKE_BINARY_DIR}/zlib.pc DESTINATION lib/pkgconfig)
E
"$KNIT" publish --registry "$R" >/dev/null 2>&1 || not_ok "publish myz"
mkdir -p "$TEST_TMP/app3" && cd "$TEST_TMP/app3" || exit 1
echo '{ "name": "app3", "version": "1.0.0" }' >knit.json
"$KNIT" install zed dupz --registry "$R" >/dev/null 2>&1 || not_ok "install zed dupz"
expect_run "two packages defining one global symbol: a warning naming both" 0 "" \
	"*knit: warning: dupz 1.0.0 and zed 1.0.0 both define the global symbol 'zed_twice'*" -- "$KNIT" build --deps
if pkg-config --exists zlib; then
	mkdir -p "$TEST_TMP/app4" && cd "$TEST_TMP/app4" || exit 1
	echo '{ "name": "app4", "version": "1.0.0", "c": { "pkgconfig": { "zlib": ">=1.0" } } }' >knit.json
	"$KNIT" install myz --registry "$R" >/dev/null 2>&1 || not_ok "install myz"
	expect_run "a package's module that the project takes from the system: an error naming both" 1 "" \
		"*knit: error: myz 1.0.0 installs the pkg-config module 'zlib', which knit.json takes from the system (c.pkgconfig)*" -- "$KNIT" build --deps
fi

# an install keeps the builds that still hold: after an uninstall, zed is up to date
cd "$TEST_TMP/app3" || exit 1
"$KNIT" uninstall dupz --registry "$R" >/dev/null 2>&1 || not_ok "uninstall dupz"
expect_run "builds outlive an install" 0 "" "1 package up to date" -- "$KNIT" build --deps
# on a terminal, a status line names the packages building
if command -v script >/dev/null; then
	rm -rf deps/.build/pkg/zed
	NO_COLOR=1 TERM=xterm KNIT_CACHE="$TEST_TMP/cache-tty" script -qec "'$KNIT' build --deps" /dev/null >"$TEST_TMP/tty.out" 2>&1
	grep -q 'building 0/1: zed' "$TEST_TMP/tty.out" && grep -q 'built zed 1.0.0 (cmake)' "$TEST_TMP/tty.out" && ok ||
		not_ok "no status line on a terminal: $(cat -A "$TEST_TMP/tty.out" | head -5)"
fi
# a locked package missing from deps/
mv deps/zed "$TEST_TMP/zed-away"
expect_run "a locked package missing from deps/" 1 "" "knit: error: deps/zed is missing; run 'knit ci' first" -- "$KNIT" build --deps
mv "$TEST_TMP/zed-away" deps/zed
# a library the project also links from the system (c.link): an error naming both
mkdir -p "$TEST_TMP/app5" && cd "$TEST_TMP/app5" || exit 1
echo '{ "name": "app5", "version": "1.0.0", "c": { "link": ["dupz"] } }' >knit.json
"$KNIT" install dupz --registry "$R" >/dev/null 2>&1 || not_ok "install dupz into app5"
expect_run "a package's library that the project links from the system" 1 "" \
	"*knit: error: dupz 1.0.0 builds the library 'libdupz.a', which knit.json links from the system (c.link 'dupz'): a program would link two copies of one library; drop one of them" -- "$KNIT" build --deps
# a package whose pkg-config name the project takes from the system: refused at install, nothing changed
if pkg-config --exists zlib; then
	mkdir -p "$TEST_TMP/zlibpkg/src" && cd "$TEST_TMP/zlibpkg" || exit 1
	echo '{ "name": "zlib", "version": "1.0.0" }' >knit.json
	echo 'int zlib_like(void) { return 1; }' >src/z.c
	"$KNIT" publish --registry "$R" >/dev/null 2>&1 || not_ok "publish zlib"
	mkdir -p "$TEST_TMP/app6" && cd "$TEST_TMP/app6" || exit 1
	echo '{ "name": "app6", "version": "1.0.0", "c": { "pkgconfig": { "zlib": ">=1.0" } } }' >knit.json
	expect_run "a package the project takes from the system too: refused at install" 1 "" \
		"knit: error: knit.json takes the library 'zlib' from the system (c.pkgconfig), and the package 'zlib@1.0.0' provides it too: a program would link two copies of one library; drop one of them" -- "$KNIT" install zlib --registry "$R"
	[ ! -e deps ] && [ ! -e knit.lock ] && grep -q '"dependencies"' knit.json && not_ok "the refused install changed knit.json" || ok
fi

# a folder dependency (file:) is keyed by what it holds: an edit rebuilds it, and another
# folder of the same name and version is not taken for it
for d in one two; do
	mkdir -p "$TEST_TMP/folders/$d/loc/src" "$TEST_TMP/folders/$d/app"
	echo '{ "name": "loc", "version": "1.0.0" }' >"$TEST_TMP/folders/$d/loc/knit.json"
	echo "int loc(void) { return 1; } /* $d */" >"$TEST_TMP/folders/$d/loc/src/loc.c"
	echo '{ "name": "app", "version": "1.0.0" }' >"$TEST_TMP/folders/$d/app/knit.json"
	(cd "$TEST_TMP/folders/$d/app" && "$KNIT" install "loc@file:../loc" >/dev/null 2>&1) || not_ok "install loc from a folder ($d)"
done
cd "$TEST_TMP/folders/one/app" || exit 1
expect_run "a folder dependency builds" 0 "" "built loc 1.0.0 (sources) in * s" -- "$KNIT" build --deps
echo 'int loc2(void) { return 2; }' >>../loc/src/loc.c
expect_run "an edit in the folder builds it again" 0 "" "built loc 1.0.0 (sources) in * s" -- "$KNIT" build --deps
cd "$TEST_TMP/folders/two/app" || exit 1
expect_run "another folder of the same name is built, not restored" 0 "" "built loc 1.0.0 (sources) in * s" -- "$KNIT" build --deps

# hostile c.root: refused where it enters
cd "$TEST_TMP" && mkdir -p evil && cd evil || exit 1
echo '{ "name": "evil", "version": "1.0.0", "c": { "root": "../../etc" } }' >knit.json
expect_run "c.root outside the package" 1 "" "knit: error: *knit.json: 'c.root' must be a folder inside the package*" -- "$KNIT" pack --dry-run
finish
