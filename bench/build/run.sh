#!/usr/bin/env bash
# knit build against the floor: the ten real libraries of
# tests/cli/t0810-real-libraries.sh (Debian's source packages), built cold
# by `knit build --deps -j N` and by their own build systems' commands run
# directly with the same settings (what vcpkg's ports run: configure, build,
# install into a prefix, one after another; Make and autotools in a copy of the tree, as knit
# does), on a tmpfs, alternating run by run. Prints each run and the
# medians; knit's overhead over the floor is the figure to watch (goal:
# under 5%). A benchmark, not a test: it asserts nothing.
# Then the same ten restored in a second project from the warm local build
# cache, and on a machine whose build cache is empty from a warm remote one:
# a folder (file://) that one untimed build pushed to, and the same folder
# served by nginx on 127.0.0.1 (http://).
#   bench/build/run.sh [--knit build/knit] [--runs 3] [--jobs 2]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
KNIT=$top/build/knit runs=3 jobs=$(nproc)
while [ $# -gt 0 ]; do
	case $1 in
	--knit) KNIT=$(realpath "$2"); shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	*) echo "usage: $0 [--knit PATH] [--runs N] [--jobs N]" >&2; exit 2 ;;
	esac
done
. "$top/bench/build/libraries.sh"
export KNIT KNIT_SOURCE_DIR=$top
. "$top/tests/cli/lib.sh" # debian_source, and a scratch folder that goes away
trap - EXIT
work=$(mktemp -d /dev/shm/knit-bench-build.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
tarballs=()
for p in "${KNIT_REAL_LIBRARIES[@]}"; do tarballs+=("$(debian_source "$p")") || exit 1; done
export HOME="$work/home" KNIT_CACHE="$work/cache" PATH="$(dirname "$KNIT"):$PATH"
unset KNIT_REGISTRY KNIT_CONFIG CFLAGS
mkdir -p "$HOME"
knit_real_libraries_prepare "$work/src" "${tarballs[@]}" || exit 1
for d in "$work"/src/*/; do (cd "$d" && knit publish --no-verify --registry "file://$work/reg" >/dev/null) || exit 1; done
mkdir "$work/app" && cd "$work/app" && echo '{ "name": "app", "version": "1.0.0" }' >knit.json
knit install "${KNIT_REAL_PACKAGES[@]}" --registry "file://$work/reg" >/dev/null || exit 1

ms() { date +%s%N | cut -c1-13; }
floor_once() { # the same configure, build and install commands knit runs, by hand
	local out=$work/floor
	rm -rf "$out" && mkdir -p "$out"
	for d in "$work"/app/deps/*/; do
		local name root opts=()
		name=$(basename "$d")
		mapfile -t opts < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1])).get("c",{}).get("options",[])))' "$d/knit.json" | sed '/^$/d')
		root=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("c",{}).get("root",""))' "$d/knit.json")
		d=$d/$root
		if [ -f "$d/CMakeLists.txt" ] && [ "$name" != lz4 ]; then
			cmake -S "$d" -B "$out/$name/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$out/$name/prefix" \
				-DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
				-DBUILD_TESTING=OFF "${opts[@]}" >/dev/null 2>&1 &&
				cmake --build "$out/$name/build" --parallel "$jobs" >/dev/null &&
				cmake --install "$out/$name/build" >/dev/null || return 1
		elif [ -f "$d/configure" ] || [ -f "$d/configure.ac" ]; then
			mkdir -p "$out/$name" && cp -R "$d/." "$out/$name/src" && (
				cd "$out/$name/src" && { [ -f configure ] || autoreconf -fi >/dev/null 2>&1; } &&
					./configure --prefix="$out/$name/prefix" --libdir="$out/$name/prefix/lib" --enable-static \
						--disable-shared --with-pic "${opts[@]}" >/dev/null 2>&1 &&
					make -j"$jobs" >/dev/null 2>&1 && make install >/dev/null 2>&1
			) || return 1
		else
			mkdir -p "$out/$name" && cp -R "$d/." "$out/$name/src" &&
				make -C "$out/$name/src" -j"$jobs" PREFIX="$out/$name/prefix" >/dev/null 2>&1 &&
				make -C "$out/$name/src" install PREFIX="$out/$name/prefix" >/dev/null 2>&1 || return 1
		fi
	done
}
# cold: nothing in the build cache
knit_once() { rm -rf "$work/app/deps/.build" "$KNIT_CACHE/builds" && (cd "$work/app" && knit build --deps -j "$jobs" >/dev/null 2>&1); }
# untimed, once: the same, pushing each build to a folder, the remote cache of the warm-remote runs
push_once() {
	rm -rf "$work/app/deps/.build" "$KNIT_CACHE/builds" "$work/remote" &&
		(cd "$work/app" && echo "binary-cache=file://$work/remote" >.knitrc && knit build --deps --push -j "$jobs" >/dev/null 2>&1; rc=$?; rm .knitrc; exit $rc)
}
# warm local: a second project with the same lock, the build cache full (ci, then build --deps)
warm_local() {
	rm -rf "$work/app2" && mkdir "$work/app2" && cp "$work/app/knit.json" "$work/app/knit.lock" "$work/app2/" &&
		(cd "$work/app2" && knit ci >/dev/null 2>&1 && knit build --deps >/dev/null 2>&1)
}
# warm remote (URL): the same on a machine whose build cache is empty, the remote one full
warm_remote() {
	rm -rf "$work/app3" "$KNIT_CACHE/builds" && mkdir "$work/app3" && cp "$work/app/knit.json" "$work/app/knit.lock" "$work/app3/" &&
		echo "binary-cache=$1" >"$work/app3/.knitrc" &&
		(cd "$work/app3" && knit ci >/dev/null 2>&1 && knit build --deps >/dev/null 2>&1)
}

push_once || { echo "the build pushing to the remote cache failed" >&2; exit 1; }
port=$(free_port)
nginx_pid=$("$top/../shared/bench/serve-registry.sh" "$work/remote" "$port") || { echo "nginx did not start" >&2; exit 1; }
trap 'kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
archives=$(du -sb "$work/remote" --exclude=.nginx | cut -f1)
k=() f=() wl=() wr=() wh=()
for i in $(seq "$runs"); do
	t0=$(ms); knit_once || { echo "knit build failed" >&2; exit 1; }; t1=$(ms)
	floor_once || { echo "the direct build failed" >&2; exit 1; }; t2=$(ms)
	warm_local || { echo "the warm local build failed" >&2; exit 1; }; t3=$(ms)
	warm_remote "file://$work/remote" || { echo "the warm remote (folder) build failed" >&2; exit 1; }; t4=$(ms)
	warm_remote "http://127.0.0.1:$port" || { echo "the warm remote (nginx) build failed" >&2; exit 1; }; t5=$(ms)
	k+=($((t1 - t0))) f+=($((t2 - t1))) wl+=($((t3 - t2))) wr+=($((t4 - t3))) wh+=($((t5 - t4)))
	awk -v i="$i" -v k="${k[-1]}" -v f="${f[-1]}" -v l="${wl[-1]}" -v r="${wr[-1]}" -v h="${wh[-1]}" \
		'BEGIN { printf "run %d: knit build --deps %6.2f s   direct commands %6.2f s   warm local %5.2f s   warm remote: folder %5.2f s, nginx %5.2f s\n", i, k / 1000, f / 1000, l / 1000, r / 1000, h / 1000 }'
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
km=$(median "${k[@]}") fm=$(median "${f[@]}") lm=$(median "${wl[@]}") rm_=$(median "${wr[@]}") hm=$(median "${wh[@]}")
awk -v j="$jobs" -v r="$runs" -v k="$km" -v f="$fm" 'BEGIN { printf "\nten libraries, cold, -j %s, %s runs (medians): knit %.2f s, direct %.2f s, knit/direct %.3f (overhead %+.1f%%)\n", j, r, k / 1000, f / 1000, k / f, (k - f) * 100 / f }'
awk -v l="$lm" -v r="$rm_" -v h="$hm" -v a="$archives" 'BEGIN { printf "warm local build cache (ci + build --deps in a second project): %.2f s; warm remote, the local one empty (%.1f MB of archives): folder %.2f s, nginx on 127.0.0.1 %.2f s\n", l / 1000, a / 1e6, r / 1000, h / 1000 }'
