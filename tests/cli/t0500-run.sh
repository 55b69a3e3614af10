#!/usr/bin/env bash
# knit run, start and test: pre and post scripts, the environment, arguments,
# exit statuses and signals passed through, signals sent to knit forwarded.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMP" || exit 1
mkdir app && cd app || exit 1
cat >knit.json <<'E'
{
  "name": "app",
  "version": "1.2.3",
  "scripts": {
    "prebuild": "echo pre:$knit_lifecycle_event",
    "build": "echo build:$knit_lifecycle_event:$knit_package_name@$knit_package_version:$(pwd)",
    "postbuild": "echo post:$knit_lifecycle_event",
    "args": "printf '[%s]'",
    "fail": "echo failing; exit 7",
    "prestop": "exit 4",
    "stop": "echo never",
    "suicide": "kill -TERM $$",
    "tool": "mytool hello",
    "wait": "trap 'echo got-TERM >$OUT; exit 0' TERM; echo $$ >$PIDFILE; while :; do sleep 0.05; done",
    "start": "echo starting",
    "test": "echo testing \"$@\""
  }
}
E
root=$(pwd)

expect_run "knit run lists the scripts" 0 "scripts in knit.json:*  build
    echo build:*" "" -- "$KNIT" run
expect_run "pre, main and post, in order, with the lifecycle variables" 0 \
	"pre:prebuild
build:build:app@1.2.3:$root
post:postbuild" "> prebuild: *
> build: *
> postbuild: *" -- "$KNIT" run build
expect_run "-s hides the command lines" 0 "pre:prebuild*" "" -- "$KNIT" run -s build
expect_run "arguments after -- are quoted" 0 "\[a b\]\[it's\]\[\$HOME\]\[--flag\]" "" -- "$KNIT" run -s args -- "a b" "it's" '$HOME' --flag
# as pnpm: what follows the script's name is the script's, options too; a first "--" is dropped
expect_run "options after the name go to the script" 0 "\[--verbose\]\[-s\]\[x\]" "" -- "$KNIT" run -s args --verbose -s x
expect_run "a -- right after the name is dropped" 0 "\[--verbose\]\[--\]" "" -- "$KNIT" run -s args -- --verbose --
expect_run "-h after the name is the script's" 0 "\[-h\]" "" -- "$KNIT" run -s args -h
expect_run "knit's options before the name are knit's" 1 "" "knit: error: unknown option '--verbose'*" -- "$KNIT" run --verbose args
expect_run "knit test passes options it does not know" 0 "testing --watch" "*" -- "$KNIT" test -s --watch
expect_run "the exit status passes through" 7 "failing" "knit: error: script 'fail' exited with status 7" -- "$KNIT" run -s fail
expect_run "a failing pre script stops the run" 4 "" "knit: error: script 'prestop' exited with status 4" -- "$KNIT" run -s stop
expect_run "an unknown script lists the scripts" 1 "" "knit: error: no script 'biuld' in knit.json; did you mean 'build'? (scripts: prebuild, build, *)" -- "$KNIT" run biuld
expect_run "knit start" 0 "starting" "*" -- "$KNIT" start
expect_run "knit test with arguments" 0 "testing x" "*" -- "$KNIT" test -s -- x

# deps/.bin comes first on PATH
mkdir -p deps/.bin && printf '#!/bin/sh\necho "mytool says $1"\n' >deps/.bin/mytool && chmod +x deps/.bin/mytool
expect_run "deps/.bin is on PATH" 0 "mytool says hello" "*" -- "$KNIT" run -s tool

# a script killed by a signal: knit dies of the same signal
"$KNIT" run -s suicide 2>/dev/null
rc=$?
[ "$rc" = 143 ] && ok || not_ok "a script killed by SIGTERM: knit exited $rc, not by SIGTERM (143)"

# SIGTERM sent to knit reaches the script
export OUT="$TEST_TMP/got" PIDFILE="$TEST_TMP/pid"
"$KNIT" run -s wait 2>/dev/null &
knit_pid=$!
for _ in $(seq 100); do [ -s "$PIDFILE" ] && break; sleep 0.05; done
kill -TERM "$knit_pid"
wait "$knit_pid"
rc=$?
[ "$(cat "$OUT" 2>/dev/null)" = got-TERM ] && ok || not_ok "SIGTERM was not forwarded to the script"
[ "$rc" = 0 ] && ok || not_ok "the script handled SIGTERM and exited 0, knit exited $rc"

# Ctrl-C on a server that shuts down cleanly: knit reports the server's
# status (0), after the server has exited. A test's background job has
# SIGINT ignored, so knit starts from a launcher that sets it back.
cd "$TEST_TMP" && mkdir serve && cd serve || exit 1
cat >srv <<'E'
#!/bin/sh
trap 'sleep 0.3; echo "stopped $1" >>"$OUT"; exit 0' INT TERM
# ready once its trap is set: alone, its PID says so; in a pair, a file of its own
if [ -n "$1" ]; then : >"$OUT.$1"; else echo $$ >"$PIDFILE"; fi
while :; do sleep 0.05; done
E
chmod +x srv
cat >knit.json <<'E'
{ "name": "serve", "version": "1.0.0",
  "scripts": { "start": "./srv", "pair": "./srv a & ./srv b & while [ ! -e $OUT.a ] || [ ! -e $OUT.b ]; do sleep 0.05; done; echo $$ >$PIDFILE; wait" } }
E
with_sigint() { exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
started() { for _ in $(seq 100); do [ -s "$PIDFILE" ] && return; sleep 0.05; done; }
# SIGNAL... -- knit args: runs knit, sends it each SIGNAL (half a second
# apart), or with @SIGNAL the script's process group, as a terminal does
stop_with() {
	local sigs=()
	while [ "$1" != -- ]; do sigs+=("$1"); shift; done
	shift
	rm -f "$OUT" "$OUT.a" "$OUT.b" "$PIDFILE"
	with_sigint "$KNIT" "$@" >"$TEST_TMP/serve.out" 2>"$TEST_TMP/serve.err" &
	local knit_pid=$! sig
	started
	for sig in "${sigs[@]}"; do
		case $sig in
		@*) kill "-${sig#@}" -- "-$(cat "$PIDFILE")" ;;
		*) kill "-$sig" "$knit_pid" ;;
		esac
		sleep 0.5
	done
	wait "$knit_pid"
	rc=$?
	stopped=$(sort "$OUT" 2>/dev/null | tr '\n' ' ')
}
stop_with INT -- start -s
[ "$rc" = 0 ] && [ "$stopped" = "stopped  " ] && ok || not_ok "SIGINT to knit start: exit $rc (want 0, the server's), server said '$stopped'"
lacks "error" "no error for a server that stopped cleanly" -- cat "$TEST_TMP/serve.err"
stop_with @INT -- start -s
[ "$rc" = 0 ] && [ "$stopped" = "stopped  " ] && ok || not_ok "SIGINT to the script's group: exit $rc (want 0), server said '$stopped'"
lacks "error" "no error for a server that stopped cleanly on ^C at the terminal" -- cat "$TEST_TMP/serve.err"
# the shell dies of SIGTERM at once, its two servers still shutting down
stop_with TERM -- run -s pair
[ "$rc" = 0 ] && [ "$stopped" = "stopped a stopped b " ] && ok || not_ok "SIGTERM: knit returned $rc before the servers behind the shell had stopped ('$stopped')"
# a shell's background jobs ignore SIGINT: a second ^C asks with SIGTERM
stop_with INT INT -- run -s pair
[ "$rc" = 0 ] && [ "$stopped" = "stopped a stopped b " ] && ok || not_ok "a second ^C did not stop the servers behind the shell: exit $rc, '$stopped'"

# bad input: one line naming the file and the field, exit 1
cd "$TEST_TMP" && mkdir bad && cd bad || exit 1
expect_run "no knit.json" 1 "" "knit: error: no knit.json here" -- "$KNIT" run build
echo '{"scripts": {"build": 42}}' >knit.json
expect_run "a script that is not a string" 1 "" "knit: error: knit.json: 'scripts.build' must be a string (a shell command)" -- "$KNIT" run build
echo '{"scripts": ["build"]}' >knit.json
expect_run "scripts that is not an object" 1 "" "knit: error: knit.json: 'scripts' must be an object of script name to command" -- "$KNIT" run
echo '{"scripts": {"build": "x",}}' >knit.json
expect_run "malformed knit.json" 1 "" "knit: error: knit.json:1:*" -- "$KNIT" run build
echo '{"name": "x"}' >knit.json
expect_run "no scripts at all" 0 "knit.json has no scripts" "" -- "$KNIT" run
expect_run "no scripts, one asked for" 1 "" "knit: error: no script 'build' in knit.json, which has no scripts" -- "$KNIT" run build
finish
