# Helpers for the end-to-end tests: sourced by tests/cli/t*.sh.
# $KNIT is the binary under test, $KNIT_SOURCE_DIR the checkout.
set -u
: "${KNIT:?set KNIT to the knit binary}"
: "${KNIT_SOURCE_DIR:?set KNIT_SOURCE_DIR to the checkout}"
# knit on PATH, as users have it: deps/knit.cmake and knit.mk run "knit build --deps"
export PATH="$(dirname "$KNIT"):$PATH"

passed=0
failed=0
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/knit-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

ok() { passed=$((passed + 1)); }
not_ok() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# lacks [-E] TEXT DESCRIPTION -- command...: the command succeeds and neither its stdout nor
# its stderr holds TEXT (a fixed string; with -E, an extended regex). A failing command fails
# the check by itself, so that "no match" is never read off an output that was never made.
lacks() {
	local how=-F
	[ "$1" = -E ] && { how=-E; shift; }
	local text=$1 desc=$2 rc
	shift 3
	"$@" >"$TEST_TMP/lacks.out" 2>&1 && rc=0 || rc=$?
	if [ "$rc" != 0 ]; then
		not_ok "$desc: the command failed (exit $rc): $(head -c 400 "$TEST_TMP/lacks.out")"
	elif grep -q "$how" -- "$text" "$TEST_TMP/lacks.out"; then
		not_ok "$desc"
	else
		ok
	fi
}

# expect_run DESCRIPTION EXIT STDOUT-GLOB STDERR-GLOB -- command...
expect_run() {
	local desc=$1 want_rc=$2 want_out=$3 want_err=$4
	shift 5
	local out err rc
	out=$("$@" 2>"$TEST_TMP/stderr") && rc=0 || rc=$?
	err=$(cat "$TEST_TMP/stderr")
	# shellcheck disable=SC2053
	if [ "$rc" != "$want_rc" ] || [[ "$out" != $want_out ]] || [[ "$err" != $want_err ]]; then
		not_ok "$desc: exit $rc, stdout [$out], stderr [$err]"
	else
		ok
	fi
}

# npm_cached NAME MODULE PACKAGE-JSON: installs PACKAGE-JSON's dependencies
# once into the test cache (tests run in parallel: one installs, the
# others wait on the lock) and prints the folder of MODULE there.
npm_cached() {
	local cache="${KNIT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/knit-tests}/$1"
	mkdir -p "$cache"
	(
		flock 9
		if [ ! -f "$cache/node_modules/$2/package.json" ]; then
			command -v npm >/dev/null || { echo "node and npm are needed for this test (.ci/run installs them)" >&2; exit 1; }
			printf '%s\n' "$3" >"$cache/package.json"
			(cd "$cache" && npm install --no-audit --no-fund --silent >&2) || exit 1
		fi
	) 9>"$cache.lock" || exit 1
	echo "$cache/node_modules/$2"
}

# debian_source PACKAGE: the upstream tarball (.orig.tar.*) of Debian's
# source package for this machine's suite, fetched once into the test cache
# with apt-get source --download-only (adding a deb-src entry first when
# apt has none and we are root); prints its path.
debian_source() {
	local cache="${KNIT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/knit-tests}/debian-src"
	mkdir -p "$cache"
	(
		flock 9
		cd "$cache" || exit 1
		ls "$1"_*.orig.tar.* >/dev/null 2>&1 && exit 0
		if ! apt-get source --download-only -qq "$1" >/dev/null 2>&1; then
			[ "$(id -u)" = 0 ] || { echo "apt-get source $1 failed, and adding a deb-src entry needs root" >&2; exit 1; }
			local suite
			suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
			printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$suite" >/etc/apt/sources.list.d/knit-deb-src.sources
			apt-get update -qq >/dev/null 2>&1
			apt-get source --download-only -qq "$1" >/dev/null 2>&1 || { echo "apt-get source $1 failed" >&2; exit 1; }
		fi
	) 9>"$cache.lock" || exit 1
	ls "$cache/$1"_*.orig.tar.* | grep -v '\.asc$' | grep -v -- '-www\.' | head -1
}

# The pinned node-semver the semver module reproduces.
node_semver_dir() {
	npm_cached semver-7.8.6 semver '{"private": true, "dependencies": {"semver": "7.8.6"}}'
}

# Verdaccio 6.8.0 (the last to run on Node 20), with the node-fetch
# override that lets npm resolve it from a registry that serves only
# "latest" tags (../shared/reference/registry-protocol.md).
verdaccio_dir() {
	npm_cached verdaccio-6.8.0 verdaccio '{"private": true, "dependencies": {"verdaccio": "6.8.0"},
  "overrides": {"verdaccio-audit": {"node-fetch": "2.7.0"}}}'
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts Verdaccio on 127.0.0.1 with no uplinks and open sign-up, storage
# in $TEST_TMP/verdaccio; sets VERDACCIO (its URL, no trailing slash) and
# VERDACCIO_PID. It is stopped by PID when the test exits.
verdaccio_start() {
	local dir port
	dir=$(verdaccio_dir) || exit 1
	port=$(free_port)
	mkdir -p "$TEST_TMP/verdaccio/storage"
	cat >"$TEST_TMP/verdaccio/config.yaml" <<Y
storage: $TEST_TMP/verdaccio/storage
auth:
  htpasswd:
    file: $TEST_TMP/verdaccio/htpasswd
    max_users: 1000
    algorithm: bcrypt
    rounds: 4
uplinks: {}
packages:
  '@*/*':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
web:
  enable: false
middlewares:
  audit:
    enabled: false
max_body_size: 200mb
listen: 127.0.0.1:$port
log:
  type: stdout
  format: pretty
  level: warn
Y
	node "$dir/bin/verdaccio" --config "$TEST_TMP/verdaccio/config.yaml" >"$TEST_TMP/verdaccio/log" 2>&1 &
	VERDACCIO_PID=$!
	VERDACCIO="http://127.0.0.1:$port"
	trap 'kill $VERDACCIO_PID 2>/dev/null; wait $VERDACCIO_PID 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
	# node takes its time on a loaded machine: up to a minute
	local deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do
		curl -fsS -o /dev/null "$VERDACCIO/-/ping" 2>/dev/null && return 0
		kill -0 $VERDACCIO_PID 2>/dev/null || break
		sleep 0.05
	done
	echo "Verdaccio did not start; its log:" >&2
	cat "$TEST_TMP/verdaccio/log" >&2
	exit 1
}

# A private HOME and cache, no inherited knit settings, and a synthetic
# registry generated into $TEST_TMP/reg (read through file://); the working
# directory becomes $TEST_TMP.
GEN="$KNIT_SOURCE_DIR/../shared/bench/gen-registry.py"
TOOL="$KNIT_SOURCE_DIR/tests/cli/registry_tool.py"
# isolated_registry PACKAGES SEED
isolated_registry() {
	export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
	unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
	mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
	python3 "$GEN" reg --packages "$1" --seed "$2" --base-url "file://$TEST_TMP/reg" >/dev/null || exit 1
}

# Hostile-input suites: a sentinel tree around the project, listed before
# and after an attack, so that a test can assert that nothing outside the
# project and the cache changed.
#   sentinel_listing DIR [EXCLUDE...]: every path under DIR with its type and
#   mode (files: size and content digest; links: their target), sorted; the
#   EXCLUDE paths (relative to DIR) and everything below them are left out.
sentinel_listing() {
	local dir=$1
	shift
	local prune=()
	for x in "$@"; do prune+=(-path "./$x" -prune -o); done
	(cd "$dir" && find . "${prune[@]}" -printf '%y %m %p -> %l\n' | sort) |
		while IFS= read -r line; do
			case "$line" in
			"f "*) local p=${line#* * }; p=${p% -> *}; printf '%s %s %s\n' "$line" "$(stat -c %s "$dir/$p")" "$(sha256sum <"$dir/$p" | cut -c1-16)" ;;
			*) printf '%s\n' "$line" ;;
			esac
		done
}

finish() {
	echo "$(basename "$0" .sh): $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
