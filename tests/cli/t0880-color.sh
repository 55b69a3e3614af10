#!/usr/bin/env bash
# Colour: on a terminal (script(1) gives knit one) the "knit: error:" and
# "knit: warning:" prefixes, the status line's phase word and doctor's
# verdicts are coloured; in a pipe, with NO_COLOR, with --color=never or
# --no-color anywhere before "--", or with TERM=dumb, not a byte of escape;
# --color=always colours a pipe too, and beats NO_COLOR.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache" TERM=xterm
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME NO_COLOR
mkdir -p "$HOME" "$TEST_TMP/proj" && cd "$TEST_TMP" || exit 1
command -v script >/dev/null || { not_ok "script (util-linux) is needed"; finish; exit 1; }
red=$(printf '\033[31m') yellow=$(printf '\033[33m') cyan=$(printf '\033[36m') reset=$(printf '\033[m')

# on_tty COMMAND...: its output on a terminal, carriage returns dropped
on_tty() {
	local cmd="" a
	for a in "$@"; do cmd+=" '$a'"; done
	script -qfec "$cmd" /dev/null 2>&1 | tr -d '\r'
}
has() { # DESCRIPTION TEXT OUTPUT
	[[ $3 == *"$2"* ]] && ok || not_ok "$1: no [$(printf %s "$2" | cat -v)] in [$(printf %s "$3" | cat -v)]"
}
plain() { # DESCRIPTION OUTPUT
	[[ $2 != *$'\033'* ]] && ok || not_ok "$1: an escape in [$(printf %s "$2" | cat -v)]"
}

out=$(on_tty "$KNIT" frobnicate)
has "an error on a terminal" "${red}knit: error:${reset} 'frobnicate' is not a knit command" "$out"
plain "an error in a pipe" "$("$KNIT" frobnicate 2>&1)"
plain "NO_COLOR on a terminal" "$(NO_COLOR=1 on_tty "$KNIT" frobnicate)"
has "an empty NO_COLOR is unset" "${red}knit: error:" "$(NO_COLOR= on_tty "$KNIT" frobnicate)"
plain "--color=never on a terminal" "$(on_tty "$KNIT" --color=never frobnicate)"
plain "--no-color after the command" "$(on_tty "$KNIT" install --no-color --bogus)"
plain "TERM=dumb" "$(TERM=dumb on_tty "$KNIT" frobnicate)"
has "--color=always in a pipe" "${red}knit: error:${reset} unknown option '--bogus'" "$("$KNIT" install --bogus --color=always 2>&1)"
has "a bare --color is always" "${red}knit: error:" "$("$KNIT" install --bogus --color 2>&1)"
has "--color=always beats NO_COLOR" "${red}knit: error:" "$(NO_COLOR=1 "$KNIT" install --bogus --color=always 2>&1)"
has "the last one wins" "${red}knit: error:" "$("$KNIT" --no-color install --bogus --color=always 2>&1)"
plain "the last one wins, the other way" "$("$KNIT" --color=always install --bogus --color=never 2>&1)"
plain "--color=auto in a pipe" "$("$KNIT" --color=auto frobnicate 2>&1)"
expect_run "a bad --color" 1 "" "knit: error: --color takes auto, always or never, got 'sometimes'" -- "$KNIT" ls --color=sometimes
expect_run "--color after -- is the script's" 0 "--color=always" "" -- sh -c "cd proj && echo '{ \"name\": \"app\", \"version\": \"1.0.0\", \"scripts\": { \"echo\": \"echo\" } }' >knit.json && '$KNIT' run -s echo -- --color=always"

# a warning, and the status line's phase words, from an install on a terminal
mkdir -p src/alpha
echo '{ "name": "alpha", "version": "1.0.0", "bin": { "cc": "cc.sh" } }' >src/alpha/knit.json
printf '#!/bin/sh\n' >src/alpha/cc.sh
python3 "$TOOL" pack reg src/alpha >/dev/null || exit 1
cd proj || exit 1
echo '{ "name": "app", "version": "1.0.0" }' >knit.json
out=$(on_tty "$KNIT" install alpha --registry "file://$TEST_TMP/reg")
has "the status line's phase word" "${cyan}resolving${reset}: " "$out"
has "the linking phase" "${cyan}linking${reset} 1 package into deps/" "$out"
has "a warning on a terminal" "${yellow}knit: warning:${reset} " "$out"
rm -rf deps knit.lock "$KNIT_CACHE"
out=$("$KNIT" install alpha --registry "file://$TEST_TMP/reg" 2>&1)
has "the warning in a pipe" "knit: warning: " "$out"
plain "no colour and no status line in a pipe" "$out"

# doctor's verdicts
has "doctor's ok on a terminal" "$(printf '\033[32m')ok  ${reset}  tool cc: " "$(on_tty "$KNIT" doctor --registry "file://$TEST_TMP/reg")"
plain "doctor in a pipe" "$("$KNIT" doctor --registry "file://$TEST_TMP/reg" 2>&1)"

finish
