#!/usr/bin/env bash
# Real C libraries as their upstreams ship them, from Debian's source
# packages: each with the smallest knit.json a user would write, published
# to a folder registry, installed into one project, built by knit build
# through its own build system (CMake; Make for lz4 and zstd; autotools for
# libsodium, through autoreconf, and sqlite3), and one function of
# each called from a main.c built through CMake (deps/knit.cmake), Make
# (deps/knit.mk) and pkg-config --static alike, linked statically.
# The release pass of CI only (tests/CMakeLists.txt).
. "$(dirname "$0")/lib.sh"
. "$KNIT_SOURCE_DIR/bench/build/libraries.sh"
tarballs=()
for p in "${KNIT_REAL_LIBRARIES[@]}"; do
	t=$(debian_source $p) || { not_ok "no Debian source for $p"; finish; }
	tarballs+=("$t")
done
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache" PATH="$(dirname "$KNIT"):$PATH"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CFLAGS
mkdir -p "$HOME/bin" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
# the compiler, through a wrapper that logs each source file it compiles when it can write the log
# (in the sandbox, into its private /tmp; in $HOME, which the sandbox shows)
printf '#!/bin/sh\nfor a in "$@"; do case "$a" in *.c) [ -w "%s" ] && echo "$a" >>"%s/compiles";; esac; done\nexec cc "$@"\n' \
	"$TEST_TMP" "$TEST_TMP" >"$HOME/bin/cc-count" && chmod +x "$HOME/bin/cc-count"
export CC="$HOME/bin/cc-count"
knit_real_libraries_prepare "$TEST_TMP/src" "${tarballs[@]}" || not_ok "unpacking the sources"
cd "$TEST_TMP/src" || exit 1
for d in */; do
	(cd "$d" && knit publish --no-verify --registry "$R" >/dev/null 2>"$TEST_TMP/publish.err") && ok || not_ok "publish $d: $(tail -3 "$TEST_TMP/publish.err")"
done

mkdir "$TEST_TMP/app" && cd "$TEST_TMP/app" || exit 1
echo '{ "name": "app", "version": "1.0.0" }' >knit.json
expect_run "install the ten" 0 "*10 packages in deps/*" "" -- knit install zlib cjson libyaml jansson lz4 pcre2 libuv zstd libsodium sqlite3 --registry "$R"
knit build --deps >"$TEST_TMP/build.out" 2>"$TEST_TMP/build.err" && ok || not_ok "knit build --deps: $(tail -20 "$TEST_TMP/build.err")"
for line in "cjson 1.7.15 (cmake)" "jansson 2.14.0 (cmake)" "libyaml 0.2.5 (cmake)" "lz4 1.9.4 (make)" \
	"pcre2 10.42.0 (cmake)" "zlib 1.2.13 (cmake)" "libuv 1.44.2 (cmake)" "zstd 1.5.4 (make)" \
	"libsodium 1.0.18 (autotools)" "sqlite3 3.40.1 (autotools)"; do
	grep -q "^built $line in " "$TEST_TMP/build.err" && ok || not_ok "no 'built $line': $(cat "$TEST_TMP/build.err")"
done
cat >main.c <<'E'
#include <stdio.h>
#include <zlib.h>
#include <cjson/cJSON.h>
#include <yaml.h>
#include <jansson.h>
#include <lz4.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <uv.h>
#include <zstd.h>
#include <sodium.h>
#include <sqlite3.h>
int main(void)
{
	unsigned char pcre[32];
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	printf("%s %s %s %s %d %.5s %s %s %s %s\n", zlibVersion(), cJSON_Version(), yaml_get_version_string(),
	       jansson_version_str(), LZ4_versionNumber(), (const char *)pcre, uv_version_string(),
	       ZSTD_versionString(), sodium_version_string(), sqlite3_libversion());
	return 0;
}
E
want="1.2.13 1.7.15 0.2.5 2.14 10904 10.42 1.44.2 1.5.4 1.0.18 3.40.1"
static_only() { ! ldd "$1" | grep -q 'libz\.so\|cjson\|yaml\|jansson\|lz4\|pcre2\|libuv\|zstd\|sodium\|sqlite'; }
cat >CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(app C)
include(deps/knit.cmake)
add_executable(app main.c)
target_link_libraries(app PRIVATE knit::deps)
E
cmake -S . -B build >"$TEST_TMP/cmake.log" 2>&1 && cmake --build build >>"$TEST_TMP/cmake.log" 2>&1 && ok || not_ok "CMake: $(tail -15 "$TEST_TMP/cmake.log")"
grep -q "^10 packages up to date" "$TEST_TMP/cmake.log" && ok || not_ok "configuring built again: $(grep -m3 '^built' "$TEST_TMP/cmake.log")"
[ "$(./build/app)" = "$want" ] && static_only build/app && ok || not_ok "the CMake app printed '$(./build/app 2>&1)'; ldd: $(ldd build/app)"
cat >Makefile <<'E'
include deps/knit.mk
app-make: main.c $(KNIT_LIBS)
	$(CC) $(KNIT_CFLAGS) -o $@ main.c $(KNIT_LDLIBS)
E
make app-make >"$TEST_TMP/make.log" 2>&1 && ok || not_ok "Make: $(tail -15 "$TEST_TMP/make.log")"
[ "$(./app-make)" = "$want" ] && static_only app-make && ok || not_ok "the Make app printed '$(./app-make 2>&1)'"
flags=$(PKG_CONFIG_PATH=deps/.pkgconfig pkg-config --static --cflags --libs zlib cjson libyaml jansson lz4 pcre2 libuv zstd libsodium sqlite3) &&
	cc -o app-pc main.c $flags >"$TEST_TMP/pc.log" 2>&1 && ok || not_ok "pkg-config: $flags $(tail -5 "$TEST_TMP/pc.log")"
[ "$(./app-pc)" = "$want" ] && static_only app-pc && ok || not_ok "the pkg-config app printed '$(./app-pc 2>&1)'"
# a second project with the same ten builds nothing: every key's entry is in the build cache, and
# the compiler (the wrapper, which the keys name) compiles no source file (outside the sandbox, so
# that the wrapper can log: the sandbox is not part of a key)
knit build --explain zlib | grep -q "^compiler $HOME/bin/cc-count$" && ok || not_ok "the keys name another compiler: $(knit build --explain zlib | grep '^compiler')"
mkdir "$TEST_TMP/app2" && cd "$TEST_TMP/app2" || exit 1
cp ../app/knit.json ../app/knit.lock . && knit ci >/dev/null 2>&1 || not_ok "knit ci in a second project"
rm -f "$TEST_TMP/compiles"
knit build --deps --no-sandbox >/dev/null 2>"$TEST_TMP/build2.err" && ok || not_ok "the second project's build: $(tail -5 "$TEST_TMP/build2.err")"
[ "$(grep -c '^restored .* from the build cache$' "$TEST_TMP/build2.err")" = 10 ] && ! grep -q '^built ' "$TEST_TMP/build2.err" && ok ||
	not_ok "the second project built again: $(cat "$TEST_TMP/build2.err")"
[ ! -s "$TEST_TMP/compiles" ] && ok || not_ok "the second project compiled $(wc -l <"$TEST_TMP/compiles") files: $(head -3 "$TEST_TMP/compiles")"
# and the wrapper logs what it compiles, outside the sandbox
printf 'int probe;\n' >"$TEST_TMP/probe.c" && "$CC" -c -o "$TEST_TMP/probe.o" "$TEST_TMP/probe.c" &&
	grep -q 'probe\.c$' "$TEST_TMP/compiles" && ok || not_ok "the wrapper logs no compile"
finish
