#!/usr/bin/env bash
# The README's quick start runs as written: its lines, in order, in one
# shell, in a scratch folder with a fresh home; "# prints X and Y" comments
# are checked against the output, and `knit start` is run until its server
# answers, then stopped with SIGINT, which must end knit with status 0.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache" PATH="$(dirname "$KNIT"):$PATH"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" "$TEST_TMP/work" && cd "$TEST_TMP/work" || exit 1
[ "$(command -v knit)" = "$KNIT" ] || { not_ok "knit on PATH is $(command -v knit), not $KNIT"; finish; }

# the second sh block after "## Quick start" (the first builds knit itself)
mapfile -t lines < <(awk '/^## Quick start/ { q = 1; next } q && /^## / { exit }
	q && /^```sh$/ { blocks++; inside = 1; next } inside && /^```$/ { inside = 0; next }
	inside && blocks == 2' "$KNIT_SOURCE_DIR/README.md")
[ "${#lines[@]}" -ge 8 ] && ok || not_ok "the quick start has ${#lines[@]} lines"

PORT=$(free_port)
export PORT
for line in "${lines[@]}"; do
	cmd=$(printf '%s' "$line" | sed -E 's/[[:space:]]+#[^'\'']*$//')
	comment=$(printf '%s' "$line" | sed -nE 's/.*[[:space:]]#[[:space:]]*(.*)$/\1/p')
	if [ "$cmd" = "knit start" ]; then
		eval "exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' $cmd" \
			>"$TEST_TMP/start.out" 2>"$TEST_TMP/start.err" &
		pid=$!
		for _ in $(seq 600); do grep -q "listening" "$TEST_TMP/start.out" 2>/dev/null && break; sleep 0.1; done
		out=$(curl -s "http://127.0.0.1:$PORT/")
		[ "$out" = "Hello, World!" ] && ok || not_ok "'$cmd': GET / answered '$out' ($(tail -3 "$TEST_TMP/start.err"))"
		kill -INT "$pid"
		wait "$pid"
		rc=$?
		[ "$rc" = 0 ] && ok || not_ok "'$cmd' stopped with ^C: exit $rc, not 0 ($(tail -3 "$TEST_TMP/start.err"))"
		continue
	fi
	eval "$cmd" >"$TEST_TMP/out" 2>"$TEST_TMP/err" # here, not in a subshell: cd stays
	rc=$?
	out=$(cat "$TEST_TMP/out")
	[ "$rc" = 0 ] && ok || not_ok "'$cmd' exited $rc: $(tail -3 "$TEST_TMP/err")"
	case $comment in
	prints*)
		want=$(printf '%s' "${comment#prints }" | sed 's/ and /\n/g')
		[ "$out" = "$want" ] && ok || not_ok "'$cmd' printed '$out', the README says '$want'"
		;;
	esac
	case $cmd in
	"knit ls") for p in hello@0.1.0 greet@0.1.0; do
			case $out in *"$p"*) ok ;; *) not_ok "'knit ls' does not show $p: $out" ;; esac
		done ;;
	esac
done
[ "$(basename "$PWD")" = hello ] && [ -f knit.lock ] && [ -d deps/greet ] && ok || not_ok "no hello/knit.lock and deps/greet after the quick start (in $PWD)"
finish
