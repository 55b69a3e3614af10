# The real libraries knit builds in tests/cli/t0810-real-libraries.sh and
# bench/build/run.sh: Debian's source packages, and the smallest knit.json
# each needs. Sourced; bash.
# Debian's source package names, and the knit package each becomes
KNIT_REAL_LIBRARIES=(zlib cjson libyaml jansson lz4 pcre2 libuv1 libzstd libsodium sqlite3)
KNIT_REAL_PACKAGES=(zlib cjson libyaml jansson lz4 pcre2 libuv zstd libsodium sqlite3)

# knit_real_libraries_prepare DIR TARBALL...: unpacks the tarballs into DIR
# and gives each its knit.json (and the two fixes their trees need).
knit_real_libraries_prepare() {
	local dir=$1 t
	shift
	mkdir -p "$dir" && cd "$dir" || return 1
	for t in "$@"; do tar xf "$t" || return 1; done
	local zlib cjson yaml jansson lz4 pcre2 uv zstd sodium sqlite
	zlib=$(echo zlib-*) cjson=$(echo cJSON-*) yaml=$(echo libyaml-*) jansson=$(echo jansson-*) lz4=$(echo lz4-*) pcre2=$(echo pcre2-*)
	uv=$(echo libuv1-*) zstd=$(echo zstd-*) sodium=$(echo libsodium-*) sqlite=$(echo sqlite3-*)
	printf '%s\n' '{ "name": "zlib", "version": "1.2.13", "license": "Zlib" }' >"$zlib/knit.json"
	printf '%s\n' '{ "name": "cjson", "version": "1.7.15", "license": "MIT", "c": { "options": ["-DENABLE_CJSON_TEST=OFF"] } }' >"$cjson/knit.json"
	printf '%s\n' '{ "name": "libyaml", "version": "0.2.5", "license": "MIT" }' >"$yaml/knit.json"
	printf '%s\n' '{ "name": "jansson", "version": "2.14.0", "license": "MIT",
  "c": { "options": ["-DJANSSON_BUILD_DOCS=OFF", "-DJANSSON_WITHOUT_TESTS=ON"] } }' >"$jansson/knit.json"
	printf '%s\n' '{ "name": "lz4", "version": "1.9.4", "license": "BSD-2-Clause" }' >"$lz4/knit.json"
	printf '%s\n' '{ "name": "pcre2", "version": "10.42.0", "license": "BSD-3-Clause",
  "c": { "build": "cmake", "options": ["-DPCRE2_BUILD_TESTS=OFF", "-DPCRE2_BUILD_PCRE2GREP=OFF"] } }' >"$pcre2/knit.json"
	printf '%s\n' '{ "name": "libuv", "version": "1.44.2", "license": "MIT", "c": { "options": ["-DLIBUV_BUILD_TESTS=OFF"] } }' >"$uv/knit.json"
	# zstd's library has a Makefile of its own in lib/ (the top one builds the programs too)
	printf '%s\n' '{ "name": "zstd", "version": "1.5.4", "license": "BSD-3-Clause", "c": { "root": "lib" } }' >"$zstd/knit.json"
	# libsodium's Debian tarball has configure.ac but no configure: autoreconf makes it
	printf '%s\n' '{ "name": "libsodium", "version": "1.0.18", "license": "ISC" }' >"$sodium/knit.json"
	printf '%s\n' '{ "name": "sqlite3", "version": "3.40.1", "license": "blessing",
  "c": { "options": ["--disable-tcl", "--disable-readline"] } }' >"$sqlite/knit.json"
	# libyaml's .gitignore drops its cmake/config.h.in, which its CMakeLists.txt
	# needs: an empty .knitignore packs everything instead, as a user would fix it
	: >"$yaml/.knitignore"
	# Debian's repacked zlib leaves out win32/, whose zlib1.rc upstream's
	# CMakeLists.txt names even on Linux
	mkdir -p "$zlib/win32" && : >"$zlib/win32/zlib1.rc"
	cd - >/dev/null || return 1
}
