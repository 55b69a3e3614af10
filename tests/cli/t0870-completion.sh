#!/usr/bin/env bash
# knit completion: the bash script, sourced in a bash and called as bash
# calls it, completes commands (from knit_commands[]), a command's options
# (from its own table), scripts for run and locked packages for
# uninstall/update/why; the hidden entry point never prints an error; the
# zsh and fish scripts parse, and complete when those shells are here.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" "$TEST_TMP/proj" && cd "$TEST_TMP/proj" || exit 1
cat >knit.json <<'JSON'
{ "name": "app", "version": "1.0.0", "scripts": { "serve": "true", "seed": "true", "test": "true" },
  "dependencies": { "alpha": "^1.0.0" } }
JSON
cat >knit.lock <<'JSON'
{
  "lockfileVersion": 1,
  "packages": {
    "alpha": { "dependencies": { "beta": "^2.0.0" }, "version": "1.0.0" },
    "beta": { "dependencies": {}, "version": "2.0.0" }
  },
  "root": { "dependencies": { "alpha": "^1.0.0" } }
}
JSON
"$KNIT" completion bash >"$TEST_TMP/knit.bash" || not_ok "completion bash"

# complete WORDS...: COMPREPLY, sorted, on one line, for the command line "knit WORDS" with the cursor at the end
complete_bash() {
	bash -c '. "$1"; shift; COMP_WORDS=(knit "$@"); COMP_CWORD=$#; _knit; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$TEST_TMP/knit.bash" "$@"
}
check() { # DESCRIPTION WANT WORDS...
	local desc=$1 want=$2 got
	shift 2
	got=$(complete_bash "$@")
	[ "$got" = "$want" ] && ok || not_ok "$desc: got [$got], want [$want]"
}
check "commands by prefix" "init install " in
check "commands by prefix" "cache ci completion config " c
# every command of knit help, none more
want=$("$KNIT" help | awk '/^Commands:/ { on = 1; next } on && /^    [a-z]/ { print $1 } on && /^$/ { exit }' | sort | tr '\n' ' ')
check "every command" "$want" ""
check "global options" "--color= --help --no-color --version " --
check "install's options, from its table" "--registry= --resolution= " install --re
check "a flag" "--frozen-lockfile " install --fr
check "cache's options" "--builds --dry-run --help --older-than= --sources " cache --
check "after an option that takes a value: the shell's own" "" install --registry ""
check "bash splits --registry=" "" install --registry = ""
check "run: the scripts of knit.json" "seed serve " run se
check "uninstall: the project's dependencies" "alpha " uninstall ""
check "why: every locked package" "alpha beta " why ""
check "update: every locked package" "beta " update b
check "help: the commands" "install " help inst
check "completion: the shells" "bash fish zsh " completion ""
check "nothing after a script's --" "" run serve -- ""
check "not a command" "" frobnicate ""
check "options before the command" "--silent " run --s

# the entry point: no error, no output on stderr, status 0, even with nothing to read
mkdir -p "$TEST_TMP/empty" && cd "$TEST_TMP/empty" || exit 1
expect_run "no knit.json: nothing for run" 0 "" "" -- "$KNIT" --knit-complete -- run ""
echo '{ broken' >knit.json
echo '{ broken' >knit.lock
expect_run "a broken knit.json and knit.lock: nothing, quietly" 0 "" "" -- "$KNIT" --knit-complete -- uninstall ""
expect_run "a broken knit.json for run" 0 "" "" -- "$KNIT" --knit-complete -- run ""
expect_run "no words" 0 "*install*" "" -- "$KNIT" --knit-complete
cd "$TEST_TMP/proj" || exit 1
expect_run "an unknown shell" 1 "" "knit: error: 'tcsh' is not a shell knit completes; the shells are bash, zsh and fish" -- "$KNIT" completion tcsh

"$KNIT" completion zsh >"$TEST_TMP/_knit" || not_ok "completion zsh"
"$KNIT" completion fish >"$TEST_TMP/knit.fish" || not_ok "completion fish"
if command -v zsh >/dev/null; then
	zsh -n "$TEST_TMP/_knit" && ok || not_ok "zsh -n"
else
	echo "# zsh is not installed: its script not checked"
fi
if command -v fish >/dev/null; then
	fish -n "$TEST_TMP/knit.fish" && ok || not_ok "fish -n"
	# fish completes a command line itself: complete -C
	got=$(HOME="$TEST_TMP/home" fish -c "source $TEST_TMP/knit.fish; complete -C 'knit run se'" | cut -f1 | sort | tr '\n' ' ')
	[ "$got" = "seed serve " ] && ok || not_ok "fish: run se: got [$got]"
	got=$(HOME="$TEST_TMP/home" fish -c "source $TEST_TMP/knit.fish; complete -C 'knit install --fr'" | cut -f1 | tr '\n' ' ')
	[ "$got" = "--frozen-lockfile " ] && ok || not_ok "fish: install --fr: got [$got]"
else
	echo "# fish is not installed: its script not checked"
fi

finish
