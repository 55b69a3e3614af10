#!/usr/bin/env bash
# knit against a real npm registry: Verdaccio 6.8.0 on 127.0.0.1, no uplinks.
# Login, whoami, publish, install; npm publishing for knit and knit for npm;
# scoped packages; dist-tags, deprecation, unpublishing; clear errors for no
# token and a wrong one; the token never in any output.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG
mkdir -p "$HOME"
verdaccio_start
cd "$TEST_TMP" || exit 1
R=$VERDACCIO
all_output="$TEST_TMP/all-output"
: >"$all_output"
# run_k: runs knit, keeping every byte it prints for the token check at the end
# (stderr through a file, not a process substitution, which may finish after
# the caller has read what knit printed)
run_k() {
	local e="$TEST_TMP/k.err" rc
	"$KNIT" "$@" 2>"$e" | tee -a "$all_output"
	rc=${PIPESTATUS[0]}
	cat "$e" >>"$all_output"
	cat "$e" >&2
	return "$rc"
}
k() { run_k "$@"; }

expect_run "whoami before login" 1 "" "knit: error: not logged in to $R; run 'knit login --registry $R'" -- k whoami --registry "$R"
expect_run "login needs --username without a terminal" 1 "" "knit: error: login needs --username when standard input is not a terminal" -- k login --registry "$R" </dev/null
expect_run "login signs up a new user" 0 "logged in as alice on $R (token kept in $HOME/.knitrc)" "" -- k login --registry "$R" --username alice <<<"alice-pass-1"
[ "$(stat -c %a "$HOME/.knitrc")" = 600 ] && ok || not_ok "~/.knitrc is not 0600"
grep -q "^//127.0.0.1:${R##*:}/:_authToken=." "$HOME/.knitrc" && ok || not_ok "token key in ~/.knitrc"
TOKEN=$(sed -n 's/^\/\/.*:_authToken=//p' "$HOME/.knitrc")
expect_run "whoami" 0 "alice" "" -- k whoami --registry "$R"
expect_run "login again as an existing user" 0 "logged in as alice on $R*" "" -- k login --registry "$R" --username alice <<<"alice-pass-1"
expect_run "a wrong password" 1 "" "knit: error: login as 'alice': $R refused the user name or password" -- k login --registry "$R" --username alice <<<"wrong"
if command -v script >/dev/null; then
	# the password comes after the prompt, as a person types it, so the echo is off by then
	(printf 'alice\n'; sleep 1; printf 'alice-pass-1\n') | script -qec "'$KNIT' login --registry '$R'" /dev/null >"$TEST_TMP/tty.log" 2>&1
	grep -q "Username:" "$TEST_TMP/tty.log" && grep -q "logged in as alice" "$TEST_TMP/tty.log" && ! grep -q "alice-pass-1" "$TEST_TMP/tty.log" &&
		ok || not_ok "login on a terminal: $(cat "$TEST_TMP/tty.log")"
	TOKEN=$(sed -n 's/^\/\/.*:_authToken=//p' "$HOME/.knitrc")
fi
echo "registry=$R" >"$HOME/.knitrc.tmp" && cat "$HOME/.knitrc" >>"$HOME/.knitrc.tmp" && mv "$HOME/.knitrc.tmp" "$HOME/.knitrc"

# knit publishes, knit installs
"$KNIT" init -y --template lib libv >/dev/null && cd libv || exit 1
expect_run "publish" 0 "*+ libv@0.1.0
published to $R with tag latest" "" -- k publish
expect_run "publish the same version again" 1 "*" "knit: error: libv@0.1.0: already in $R (HTTP 409: this package is already present)" -- k publish
sed -i 's/"version": "0.1.0"/"version": "0.2.0"/' knit.json
expect_run "publish --tag beta" 0 "*with tag beta" "" -- k publish --tag beta
cd "$TEST_TMP" && "$KNIT" init -y app >/dev/null && cd app || exit 1
expect_run "install from Verdaccio" 0 "*1 package in deps/ (1 fetched, *" "" -- k install libv
[ -f deps/libv/include/libv.h ] && grep -q "\"resolved\": \"$R/libv/-/libv-0.1.0.tgz\"" knit.lock && ok || not_ok "deps/ and knit.lock"
curl -s "$R/libv" | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["readme"].startswith("# libv"), d.get("readme")' && ok || not_ok "Verdaccio shows no README for libv"
expect_run "install a dist-tag" 0 "*1 package in deps/ *" "" -- k install libv@beta
grep -q '"version": "0.2.0"' knit.lock && ok || not_ok "libv@beta is 0.2.0"

# npm installs what knit published: knit's packuments and tarballs suit other clients
mkdir -p "$TEST_TMP/npm-app" && cd "$TEST_TMP/npm-app" && echo '{"name": "npm-app", "version": "1.0.0"}' >package.json
npm install --registry "$R/" --no-audit --no-fund --silent libv@0.1.0 >/dev/null 2>&1 &&
	[ -f node_modules/libv/include/libv.h ] && [ -f node_modules/libv/knit.json ] && ok || not_ok "npm install of a package knit published"

# knit installs what npm published
mkdir -p "$TEST_TMP/npm-pkg/include" && cd "$TEST_TMP/npm-pkg" || exit 1
echo '{"name": "@acme/npmlib", "version": "1.2.3", "description": "published by npm", "license": "MIT"}' >package.json
echo "#define NPMLIB 1" >include/npmlib.h
printf 'registry=%s/\n//%s/:_authToken=%s\n' "$R" "${R#http://}" "$TOKEN" >"$TEST_TMP/npmrc"
npm publish --userconfig "$TEST_TMP/npmrc" --registry "$R/" >/dev/null 2>&1 && ok || not_ok "npm publish"
cd "$TEST_TMP/app" || exit 1
expect_run "install a scoped package npm published" 0 "* packages in deps/ *" "" -- k install @acme/npmlib
[ -f deps/@acme/npmlib/include/npmlib.h ] && grep -q '"@acme/npmlib": "^1.2.3"' knit.json && ok || not_ok "the npm package in deps/"
expect_run "view what npm published" 0 "published by npm" "" -- k view @acme/npmlib description

# a scoped package published by knit
cd "$TEST_TMP/libv" && sed -i 's/"name": "libv"/"name": "@acme\/libv"/' knit.json
expect_run "publish scoped" 0 "*+ @acme/libv@0.2.0*" "" -- k publish
expect_run "view scoped" 0 "0.2.0" "" -- k view @acme/libv version

# dist-tags, deprecation and unpublishing through npm's requests
expect_run "dist-tag add" 0 "+next: libv@0.2.0" "" -- k dist-tag add libv@0.2.0 next
expect_run "dist-tag ls" 0 "*next: 0.2.0*" "" -- k dist-tag ls libv
expect_run "dist-tag rm" 0 "-next: libv" "" -- k dist-tag rm libv next
expect_run "deprecate" 0 "deprecated 1 version of libv (0.1.0)" "" -- k deprecate libv@0.1.0 "use 0.2.0"
expect_run "deprecation shows" 0 "use 0.2.0" "" -- k view libv@0.1.0 deprecated
expect_run "unpublish" 0 "- libv@0.2.0" "" -- k unpublish libv@0.2.0
expect_run "gone from the versions" 0 '\[
  "0.1.0"
\]' "" -- k view libv versions
[ "$(curl -s -o /dev/null -w '%{http_code}' "$R/libv/-/libv-0.2.0.tgz")" = 404 ] && ok || not_ok "the unpublished tarball is still served"

# no token, a wrong token
cd "$TEST_TMP/libv" && sed -i 's/"version": "0.2.0"/"version": "0.3.0"/' knit.json
expect_run "publish without a token" 1 "*" "knit: error: @acme/libv@0.3.0: http://localhost:${R##*:} needs you to log in (HTTP 401: authorization required to publish package @acme/libv); run 'knit login --registry http://localhost:${R##*:}'" -- k publish --registry "http://localhost:${R##*:}"
cp "$HOME/.knitrc" "$TEST_TMP/knitrc.good"
sed -i 's/_authToken=.*/_authToken=not-a-real-token/' "$HOME/.knitrc"
expect_run "publish with a wrong token" 1 "*" "knit: error: @acme/libv@0.3.0: $R refused the credentials sent (HTTP 401: *); log in again with 'knit login --registry $R'" -- k publish
expect_run "whoami with a wrong token" 1 "" "knit: error: *$R*" -- k whoami
cp "$TEST_TMP/knitrc.good" "$HOME/.knitrc"
expect_run "logout" 0 "logged out of $R" "" -- k logout
grep -q "_authToken" "$HOME/.knitrc" && not_ok "logout left the token" || ok
expect_run "logout again" 1 "" "knit: error: not logged in to $R (no //127.0.0.1:${R##*:}/:_authToken in the settings)" -- k logout

# the token never appears in anything knit printed, nor in the registry's log
grep -qF "$TOKEN" "$all_output" && not_ok "the token appeared in knit's output" || ok
grep -qF "$TOKEN" "$TEST_TMP/verdaccio/log" && not_ok "the token appeared in Verdaccio's log" || ok
grep -qF "alice-pass-1" "$all_output" && not_ok "the password appeared in knit's output" || ok
finish
