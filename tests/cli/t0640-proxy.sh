#!/usr/bin/env bash
# Proxies from the settings, npm's way: proxy (http://), https-proxy,
# noproxy. The registry's host does not resolve, so only the proxy can
# reach it; a test server stands in as the proxy and records each request
# target (a proxied one names the whole URL).
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
R=http://registry.invalid
python3 "$GEN" web --packages 20 --seed 5 --base-url "$R" >/dev/null || exit 1
python3 "$KNIT_SOURCE_DIR/tests/cli/fault_server.py" web --port-file proxy.port --log proxy.log --lifetime 120 &
proxy_pid=$!
trap 'kill $proxy_pid 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 100); do [ -f proxy.port ] && break; sleep 0.05; done
port=$(cat proxy.port)
mkdir app && cp web/project/package.json app/knit.json && cd app || exit 1
closure=$(python3 -c 'import json; print(json.load(open("../web/universe.json"))["closure"])')

printf 'registry=%s/\nproxy=http://127.0.0.1:%s/\n' "$R" "$port" >.knitrc
expect_run "install through the proxy" 0 "*$closure packages in deps/ ($closure fetched, *" "" -- "$KNIT" install
grep -q "^$R/.*\.tgz$" ../proxy.log && grep -q "^$R/[^/]*$" ../proxy.log && ok || not_ok "the proxy saw no absolute URLs: $(head -3 ../proxy.log)"
[ "$(grep -cv "^$R/" ../proxy.log)" = 0 ] && ok || not_ok "a request reached the proxy not in proxy form"

# https-proxy is for https:// URLs only: http ones still take proxy
rm -rf deps knit.lock "$KNIT_CACHE"
printf 'registry=%s/\nhttps-proxy=http://127.0.0.1:9/\nproxy=http://127.0.0.1:%s/\n' "$R" "$port" >.knitrc
expect_run "http URLs take proxy, not https-proxy" 0 "*$closure packages in deps/ *" "" -- "$KNIT" install

# noproxy: the registry's host is reached directly, and so does not resolve
rm -rf deps knit.lock "$KNIT_CACHE"
printf 'registry=%s/\nproxy=http://127.0.0.1:%s/\nnoproxy=localhost,registry.invalid\n' "$R" "$port" >.knitrc
expect_run "noproxy" 1 "" "knit: error: cannot load '*': $R/*: Couldn't resolve host name*" -- "$KNIT" install
[ ! -e knit.lock ] && ok || not_ok "a failed install wrote knit.lock"

# without settings, libcurl's environment variables apply
printf 'registry=%s/\n' "$R" >.knitrc
expect_run "http_proxy from the environment" 0 "*$closure packages in deps/ *" "" -- env http_proxy="http://127.0.0.1:$port" "$KNIT" install
finish
