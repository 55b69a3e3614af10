#!/usr/bin/env bash
# The remote build cache (binary-cache): a machine that builds pushes each
# build as <key>.tar.zst, to a folder or with a PUT to nginx (its WebDAV module,
# on 127.0.0.1); another machine (another cache folder, so other paths)
# restores them instead of building, its paths made its own, and its app
# links; an edited or a damaged archive, a server that fails or is gone are each a
# warning and a local build, never a failed one.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME CFLAGS
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R="file://$TEST_TMP/reg"
for tool in cmake pkg-config cc nginx zstd; do
	command -v $tool >/dev/null || { not_ok "$tool is needed"; finish; }
done

# two packages: a CMake library that installs a .pc naming its prefix, and a sources one on it
mkdir -p src/zed src/ontop/src src/ontop/include
cat >src/zed/CMakeLists.txt <<'E'
cmake_minimum_required(VERSION 3.16)
project(zed C)
add_library(zed zed.c)
install(TARGETS zed ARCHIVE DESTINATION lib)
install(FILES zed.h DESTINATION include)
file(WRITE ${CMAKE_BINARY_DIR}/zed.pc "prefix=${CMAKE_INSTALL_PREFIX}\nName: zed\nDescription: zed\nVersion: 1.0.0\nCflags: -I\${prefix}/include\nLibs: -L\${prefix}/lib -lzed\n")
install(FILES ${CMAKE_BINARY_DIR}/zed.pc DESTINATION lib/pkgconfig)
E
echo 'int zed_twice(int x) { return 2 * x; }' >src/zed/zed.c
echo 'int zed_twice(int x);' >src/zed/zed.h
echo '{ "name": "zed", "version": "1.0.0" }' >src/zed/knit.json
echo '{ "name": "ontop", "version": "1.0.0", "dependencies": { "zed": "^1.0.0" } }' >src/ontop/knit.json
echo 'int ontop(int x);' >src/ontop/include/ontop.h
printf '#include "zed.h"\n#include "ontop.h"\nint ontop(int x) { return zed_twice(x) + 1; }\n' >src/ontop/src/ontop.c
for p in zed ontop; do python3 "$TOOL" pack reg "src/$p" || exit 1; done

# project <name> <cache> [<.knitrc line>...]: a project using ontop, installed, with its own cache
project() {
	local dir="$TEST_TMP/$1" cache="$TEST_TMP/$2"
	shift 2
	mkdir -p "$dir" && cd "$dir" || exit 1
	echo '{ "name": "app", "version": "1.0.0" }' >knit.json
	printf '%s\n' "$@" >.knitrc
	printf '#include <stdio.h>\n#include "ontop.h"\nint main(void) { printf("%%d\\n", ontop(20)); return 0; }\n' >main.c
	KNIT_CACHE="$cache" "$KNIT" install ontop --registry "$R" >/dev/null 2>&1 || not_ok "install into $dir"
	export KNIT_CACHE="$cache"
}
# the app, through knit env, prints 41
runs() { (eval "$("$KNIT" env 2>/dev/null)" && cc $KNIT_CFLAGS -o app main.c $KNIT_LIBS && [ "$(./app)" = 41 ]); }

# a folder as the remote cache
project m1 cache1 "binary-cache=file://$TEST_TMP/remote"
expect_run "a build pushed to a folder" 0 "" "built zed 1.0.0 (cmake) in * s
built ontop 1.0.0 (sources) in * s" -- "$KNIT" build --deps --push
[ "$(ls "$TEST_TMP/remote" | grep -c '^[0-9a-f]\{64\}\.tar\.zst$')" = 2 ] && ok || not_ok "the remote folder: $(ls "$TEST_TMP/remote")"
project m2 cache2 "binary-cache=file://$TEST_TMP/remote"
expect_run "another machine restores both" 0 "" "restored zed 1.0.0 (cmake) from the remote build cache
restored ontop 1.0.0 (sources) from the remote build cache" -- "$KNIT" build --deps
pc=$(readlink deps/.build/pkg/zed)/prefix/lib/pkgconfig/zed.pc
grep -q "^prefix=$TEST_TMP/cache2/builds/v1/" "$pc" && ! grep -q cache1 "$pc" && ok || not_ok "the restored .pc keeps the other machine's paths: $(head -1 "$pc")"
runs && ok || not_ok "the app on the restored builds"
expect_run "restored entries are whole" 0 "" "2 packages up to date" -- "$KNIT" build --deps
# knit ci on a fresh cache, the remote warm: every build downloaded, no source compiled (a CC
# wrapper logs each compile where it can write: not in the sandbox; it lives in HOME, which the
# sandbox shows)
mkdir -p "$HOME/bin" && printf '#!/bin/sh\nfor a in "$@"; do case "$a" in *.c) [ -w "%s" ] && echo "$a" >>"%s/compiles";; esac; done\nexec cc "$@"\n' "$TEST_TMP" "$TEST_TMP" >"$HOME/bin/cc-log" &&
	chmod +x "$HOME/bin/cc-log"
project w1 cache-w1 "binary-cache=file://$TEST_TMP/remote-w"
CC="$HOME/bin/cc-log" "$KNIT" build --deps --push >"$TEST_TMP/w1.log" 2>&1 || not_ok "the wrapper's builds: $(cat "$TEST_TMP/w1.log")"
[ "$(ls "$TEST_TMP/remote-w" | wc -l)" = 2 ] && ok || not_ok "the wrapper's builds were not pushed"
mkdir -p "$TEST_TMP/w2" && cd "$TEST_TMP/w2" && cp ../w1/knit.json ../w1/knit.lock ../w1/.knitrc ../w1/main.c . || exit 1
export KNIT_CACHE="$TEST_TMP/cache-w2"
rm -f "$TEST_TMP/compiles"
expect_run "knit ci on a fresh cache" 0 "*" "" -- "$KNIT" ci --registry "$R"
expect_run "then every build comes from the remote" 0 "" "restored zed 1.0.0 (cmake) from the remote build cache
restored ontop 1.0.0 (sources) from the remote build cache" -- env CC="$HOME/bin/cc-log" "$KNIT" build --deps --no-sandbox
[ ! -e "$TEST_TMP/compiles" ] && ok || not_ok "knit ci compiled: $(cat "$TEST_TMP/compiles")"
(export CC="$HOME/bin/cc-log"; runs) && ok || not_ok "the app on the downloaded builds"
echo 'int probe;' >probe.c && "$HOME/bin/cc-log" -c probe.c && grep -q 'probe\.c$' "$TEST_TMP/compiles" && ok ||
	not_ok "the wrapper logs no compile outside the sandbox"

# archives an older knit sent (.tgz) are read too
cp -r "$TEST_TMP/remote" "$TEST_TMP/remote-tgz"
for f in "$TEST_TMP"/remote-tgz/*.tar.zst; do zstd -qdc "$f" | gzip -n >"${f%.tar.zst}.tgz" && rm "$f"; done
project m2t cache2t "binary-cache=file://$TEST_TMP/remote-tgz"
expect_run "a .tgz remote is restored too" 0 "" "restored zed 1.0.0 (cmake) from the remote build cache
restored ontop 1.0.0 (sources) from the remote build cache" -- "$KNIT" build --deps
runs && ok || not_ok "the app on builds restored from .tgz archives"

# an archive whose file was edited (whole, but not what was built): refused by its files list
cp -r "$TEST_TMP/remote" "$TEST_TMP/remote-edit"
for f in "$TEST_TMP"/remote-edit/*.tar.zst; do
	x="$TEST_TMP/x" && rm -rf "$x" && mkdir "$x" && tar --zstd -xf "$f" -C "$x" &&
		lib=$(find "$x/prefix" -type f | sort | head -1) && chmod u+w "$lib" && echo tampered >>"$lib" &&
		(cd "$x" && find . ! -type d | sed 's|^\./||' | tar --zstd -cf "$f" --no-recursion -T -) || not_ok "editing $f"
done
project m2e cache2e "binary-cache=file://$TEST_TMP/remote-edit"
expect_run "an edited archive is a warning and a local build" 0 "" "knit: warning: zed 1.0.0: the remote build cache's file://$TEST_TMP/remote-edit/*.tar.zst: a build archive whose files do not match its files list; building it here
knit: warning: ontop 1.0.0: *files do not match its files list; building it here
built zed 1.0.0 (cmake) in * s
built ontop 1.0.0 (sources) in * s" -- "$KNIT" build --deps
runs && ok || not_ok "the app after the edited archives"

# a damaged archive: a warning, a local build
for f in "$TEST_TMP"/remote/*.tar.zst; do head -c 100 "$f" >"$f.cut" && mv "$f.cut" "$f"; done
project m3 cache3 "binary-cache=file://$TEST_TMP/remote"
expect_run "a damaged archive is a warning and a local build" 0 "" "knit: warning: zed 1.0.0: the remote build cache's file://$TEST_TMP/remote/*.tar.zst: *; building it here
knit: warning: ontop 1.0.0: *; building it here
built zed 1.0.0 (cmake) in * s
built ontop 1.0.0 (sources) in * s" -- "$KNIT" build --deps
runs && ok || not_ok "the app after the damaged archives"
printf 'binary-cache=ftp://x\n' >.knitrc
expect_run "a bad binary-cache setting" 1 "" "knit: error: the setting 'binary-cache' must be a file:///folder or an http(s):// URL, not 'ftp://x'" -- "$KNIT" build --deps

# nginx, PUT through its WebDAV module
port=$(free_port)
web="$TEST_TMP/web" && mkdir -p "$web/root/cache" "$web/tmp"
user_line="" && [ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$web/nginx.conf" <<E
$user_line
worker_processes 1;
pid $web/nginx.pid;
error_log $web/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $web/tmp; proxy_temp_path $web/tmp; fastcgi_temp_path $web/tmp;
  uwsgi_temp_path $web/tmp; scgi_temp_path $web/tmp;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:$port;
    root $web/root;
    location /cache/ { dav_methods PUT; create_full_put_path on; }
    location /broken/ { return 500; }
  }
}
E
nginx -c "$web/nginx.conf" -p "$web" || { not_ok "nginx did not start"; finish; }
trap 'kill "$(cat "$web/nginx.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 50); do [ -s "$web/nginx.pid" ] && break; sleep 0.1; done
H="http://127.0.0.1:$port/cache"
project h1 cache-h1 "binary-cache=$H" "binary-cache-push=true"
expect_run "builds PUT to nginx (binary-cache-push=true)" 0 "" "built zed 1.0.0 (cmake) in * s
built ontop 1.0.0 (sources) in * s" -- "$KNIT" build --deps
[ "$(ls "$web/root/cache" | grep -c '\.tar\.zst$')" = 2 ] && ok || not_ok "nginx holds: $(ls "$web/root/cache")"
project h2 cache-h2 "binary-cache=$H"
expect_run "another machine GETs them" 0 "" "restored zed 1.0.0 (cmake) from the remote build cache
restored ontop 1.0.0 (sources) from the remote build cache" -- "$KNIT" build --deps
runs && ok || not_ok "the app on builds from nginx"
# a server that answers 500, and one that is gone: warnings, local builds
project h3 cache-h3 "binary-cache=http://127.0.0.1:$port/broken" "binary-cache-push=true"
expect_run "a server error is a warning" 0 "" "knit: warning: zed 1.0.0: the remote build cache answered HTTP 500 for */broken/*.tar.zst; building it here
knit: warning: ontop 1.0.0: the remote build cache answered HTTP 500 for */broken/*.tar.zst; building it here
built zed 1.0.0 (cmake) in * s
built ontop 1.0.0 (sources) in * s
knit: warning: zed 1.0.0: the remote build cache answered HTTP 500 to the PUT of */broken/*.tar.zst
knit: warning: ontop 1.0.0: the remote build cache answered HTTP 500 to the PUT of */broken/*.tar.zst" -- "$KNIT" build --deps
kill "$(cat "$web/nginx.pid")"
sleep 0.3
project h4 cache-h4 "binary-cache=$H" "fetch-retries=0"
expect_run "a server that is gone is a warning" 0 "" "knit: warning: zed 1.0.0: the remote build cache: *: Couldn't connect to server; building it here
knit: warning: ontop 1.0.0: the remote build cache: *: Couldn't connect to server; building it here
built zed 1.0.0 (cmake) in * s
built ontop 1.0.0 (sources) in * s" -- "$KNIT" build --deps
runs && ok || not_ok "the app after the server went"
finish
