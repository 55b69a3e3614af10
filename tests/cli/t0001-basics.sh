#!/usr/bin/env bash
# knit's own surface: version, help, unknown commands and options.
. "$(dirname "$0")/lib.sh"

expect_run "--version" 0 "knit [0-9]*.[0-9]*.[0-9]*" "" -- "$KNIT" --version
expect_run "no command shows help, exit 1" 1 "usage: knit <command>*" "" -- "$KNIT"
expect_run "help lists commands" 0 "*semver*" "" -- "$KNIT" help
expect_run "help <command>" 0 "usage: knit semver*" "" -- "$KNIT" help semver
expect_run "<command> --help" 0 "usage: knit semver*" "" -- "$KNIT" semver --help
expect_run "unknown command suggests" 1 "" "knit: error: 'semvr' is not a knit command; did you mean 'semver'?" -- "$KNIT" semvr
expect_run "unknown command, nothing close" 1 "" "knit: error: 'zzzzzz' is not a knit command; see 'knit help'" -- "$KNIT" zzzzzz
expect_run "unknown global option suggests" 1 "" "knit: error: unknown option '--versoin'; did you mean '--version'?" -- "$KNIT" --versoin
expect_run "help for an unknown command" 1 "" "knit: error: 'semverr' is not a knit command; did you mean 'semver'?" -- "$KNIT" help semverr
expect_run "help takes one command" 1 "" "knit: error: help takes at most one command*" -- "$KNIT" help a b
expect_run "unknown option of help suggests" 1 "" "knit: error: unknown option '--hepl'; did you mean '--help'?" -- "$KNIT" help --hepl

# npm's aliases run their command, and show its usage as their own help
for pair in i:install add:install isntall:install rm:uninstall remove:uninstall un:uninstall \
	up:update list:ls info:view show:view ic:ci clean-install:ci explain:why run-script:run t:test; do
	expect_run "alias ${pair%%:*} is ${pair#*:}" 0 "usage: knit ${pair#*:}*" "" -- "$KNIT" "${pair%%:*}" --help
	expect_run "help ${pair%%:*}" 0 "usage: knit ${pair#*:}*" "" -- "$KNIT" help "${pair%%:*}"
done
expect_run "help lists the aliases" 0 "*add, i, in*(install)*" "" -- "$KNIT" help
# typos of aliases suggest their command; a word as close to commands of two effects suggests none
expect_run "a typo of an alias" 1 "" "knit: error: 'upgarde' is not a knit command; did you mean 'update'?" -- "$KNIT" upgarde
expect_run "a swap is one edit" 1 "" "knit: error: 'tset' is not a knit command; did you mean 'test'?" -- "$KNIT" tset
for w in c rn ini ix; do
	expect_run "'$w' is as close to two kinds of command" 1 "" "knit: error: '$w' is not a knit command; see 'knit help'" -- "$KNIT" "$w"
done
finish
