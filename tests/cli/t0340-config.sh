#!/usr/bin/env bash
# knit config: set, get, list (tokens never printed), delete; the user file
# stays private; edits keep comments and other lines.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home"
unset KNIT_CONFIG KNIT_REGISTRY KNIT_CACHE XDG_CACHE_HOME
mkdir -p "$HOME" "$TEST_TMP/proj" && cd "$TEST_TMP/proj"
printf '# my settings\nstrict-ssl=true\n' > "$HOME/.knitrc"

expect_run "set" 0 "" "" -- "$KNIT" config set registry https://r.example/
expect_run "set a token" 0 "" "" -- "$KNIT" config set //r.example/:_authToken s3cret
expect_run "get" 0 "https://r.example/" "" -- "$KNIT" config get registry
expect_run "get a token" 0 "(protected)" "" -- "$KNIT" config get //r.example/:_authToken
expect_run "list" 0 "*registry=https://r.example/*//r.example/:_authToken=(protected)*; store: $HOME/.cache/knit" "" -- "$KNIT" config list
lacks s3cret "list printed the token" -- "$KNIT" config list
[ "$(printf '# my settings\nstrict-ssl=true\nregistry=https://r.example/\n//r.example/:_authToken=s3cret')" == "$(cat "$HOME/.knitrc")" ] && ok || not_ok "~/.knitrc: $(cat "$HOME/.knitrc")"
[ "$(stat -c %a "$HOME/.knitrc")" == 600 ] && ok || not_ok "~/.knitrc is not private"
expect_run "the project's file wins" 0 "file:///srv/reg" "" -- sh -c "'$KNIT' config --project set registry file:///srv/reg && '$KNIT' config get registry"
expect_run "KNIT_REGISTRY wins over both" 0 "https://env.example" "" -- env KNIT_REGISTRY=https://env.example "$KNIT" config get registry
expect_run "delete" 0 "" "" -- "$KNIT" config delete registry
expect_run "get what the project still sets" 0 "file:///srv/reg" "" -- "$KNIT" config get registry
expect_run "get something unset" 1 "" "" -- "$KNIT" config get nope
expect_run "delete something unset" 0 "" "knit: warning: 'nope' was not set in $HOME/.knitrc" -- "$KNIT" config delete nope
expect_run "a wrong action" 1 "" "knit: error: 'st' is not a config action; did you mean 'set'?" -- "$KNIT" config st a b
expect_run "a missing value" 1 "" "knit: error: config set takes a key and a value" -- "$KNIT" config set registry
printf 'registry=${KNIT_NOT_SET}\n' > .knitrc
expect_run "an unset variable" 1 "" "knit: error: .knitrc:1: \${KNIT_NOT_SET} is not set in the environment" -- "$KNIT" config get registry
finish
