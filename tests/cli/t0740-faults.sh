#!/usr/bin/env bash
# Registries that misbehave on purpose (tests/cli/fault_server.py): a silent
# server, a body that stops or ends early, 5xx and 429 sequences, bodies far
# larger than any package, and credentials in registry URLs and .knitrc.
# Each fault is checked for its exit status and message AND its bounds:
# seconds taken, knit's peak memory, nothing left outside the project and
# cache, no secret printed.
. "$(dirname "$0")/lib.sh"
isolated_registry 6 74
SERVER="$KNIT_SOURCE_DIR/tests/cli/fault_server.py"
export TMPDIR="$TEST_TMP/tmp" # spooled bodies: unlinked files, nothing may stay
mkdir -p "$TMPDIR"
W="$TEST_TMP/t" # the test's own files: the servers' folders, outputs, logs
mkdir -p "$W" && cp -r reg "$W/web"
mkdir app && cp reg/project/package.json app/knit.json

# serve ARGS...: a fault server on web/ with ARGS; sets P (its port) and
# points the tarball URLs at it
FPID=
serve() {
	[ -n "$FPID" ] && { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; }
	rm -f "$W/port"
	python3 "$SERVER" "${SERVE_ROOT:-$W/web}" --port-file "$W/port" --lifetime 240 "$@" &
	FPID=$!
	for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
	P=$(cat "$W/port")
	python3 "$TOOL" rebase "${SERVE_ROOT:-$W/web}" "http://127.0.0.1:$P"
}
trap '[ -n "$FPID" ] && kill "$FPID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

# measured CMD...: runs CMD (stdout and stderr to $W/out and err,
# at most 120 s); sets rc, secs (wall clock) and rss (knit's peak RSS, MiB)
measured() {
	read -r rc secs rss < <(python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "w") as o, open(sys.argv[2], "w") as e:
    try:
        rc = subprocess.call(sys.argv[3:], stdout=o, stderr=e, timeout=120)
    except subprocess.TimeoutExpired:
        rc = "timeout"
print(rc, int(time.monotonic() - t), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
' "$W/out" "$W/err" "$@")
	err=$(cat "$W/err")
}
# expect DESC RC STDERR-GLOB MAX-SECS [MAX-RSS-MIB]
expect() {
	# shellcheck disable=SC2053
	if [ "$rc" != "$2" ] || [[ "$err" != $3 ]] || [ "$secs" -gt "$4" ] || [ "$rss" -gt "${5:-400}" ]; then
		not_ok "$1: exit $rc in $secs s, peak $rss MiB, stderr [$err]"
	else
		ok
	fi
}
outside() { sentinel_listing "$TEST_TMP" app app-big cache t; }
fresh() { rm -rf "$TEST_TMP/app/deps" "$TEST_TMP/app/knit.lock" "$KNIT_CACHE"; }
before=$(outside)
cd app

# a silent server: it takes the connection and never answers. fetch-timeout
# (npm's, the ms one attempt may take) sets the stall limit at half of it:
# three attempts of 2 s, not 300 s each. The defaults' arithmetic (3 * 15 s
# + 0.6 s, under a minute) is util/fetch.h's and test_registry's.
printf 'fetch-timeout=4000\n' >.knitrc
serve --fault stall
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "a silent registry" 1 "knit: error: cannot load '*': http://127.0.0.1:$P/*: no data for 2 s (after 3 attempts)" 20

# the packuments answer, the tarballs stop halfway: headers and half a body, then nothing
serve --fault stall-body --only .tgz
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "a tarball that stalls" 1 "knit: error: cannot fetch *: http://127.0.0.1:$P/*.tgz: no data for 2 s (after 3 attempts)" 20
rm .knitrc

# the connection closes halfway through the announced body, every time
serve --fault short-body --only .tgz
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "a body cut short" 1 "knit: error: cannot fetch *: http://127.0.0.1:$P/*.tgz: the connection closed after * of the * bytes announced (after 3 attempts)" 20

# more bytes than the Content-Length: only the announced ones are read, and they are not the package
serve --fault long-body --only .tgz
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "a body longer than announced" 1 "knit: error: integrity mismatch for *: expected sha512-*, got sha512-*" 20

# 500, 503, then 429 with Retry-After: 1; fetch-retries=3 allows a fourth
# attempt, which succeeds after the wait the server asked for
serve --sequence 500,503,429 --retry-after 1 --log "$W/seq.log"
fresh
printf 'fetch-retries=3\n' >.knitrc
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "500, 503, 429, then success" 0 "" 30
[ "$secs" -ge 1 ] && ok || not_ok "Retry-After: 1 was not waited for ($secs s)"
n=$(grep -c -x "$(head -1 "$W/seq.log")" "$W/seq.log")
[ "$n" = 4 ] && ok || not_ok "the first path was asked $n times, not 4"
# the default, fetch-retries=2: three attempts, the third still refused
rm .knitrc
serve --sequence 500,503,429 --retry-after 1
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "fetch-retries' default" 1 "knit: error: cannot load '*': http://127.0.0.1:$P/*: HTTP 429 (after 3 attempts)" 30
printf 'fetch-retries=many\n' >.knitrc
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "fetch-retries that is not a number" 1 "knit: error: .knitrc:1: 'fetch-retries' must be a whole number of retries from 0 to 100, not 'many'" 5
rm .knitrc

# huge tarballs: one announcing 2 GiB is refused before a byte is kept
serve --fault huge --only .tgz --huge-size $((2 << 30))
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "a tarball announcing 2 GiB" 1 "knit: error: cannot fetch *: http://127.0.0.1:$P/*.tgz: announces 2147483648 bytes, more than the 1073741824 allowed" 20 200

# four 512 MiB tarballs at once: spooled to unlinked files, knit stays small
mkdir -p "$W/big"
python3 - "$W/big" <<'PY'
import json, os, sys
root = sys.argv[1]
deps = {}
for i in range(4):
    name = f"big-{i}"
    os.makedirs(f"{root}/{name}", exist_ok=True)
    doc = {"name": name, "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {
        "name": name, "version": "1.0.0",
        "dist": {"tarball": f"http://x/{name}/-/{name}-1.0.0.tgz",
                 "integrity": "sha512-" + "A" * 86 + "=="}}}}
    json.dump(doc, open(f"{root}/{name}/index.json", "w"))
    deps[name] = "^1.0.0"
json.dump({"name": "big-app", "version": "1.0.0", "dependencies": deps}, open(f"{root}/knit.json", "w"))
PY
mkdir -p "$TEST_TMP/app-big" && cp "$W/big/knit.json" "$TEST_TMP/app-big/"
SERVE_ROOT="$W/big" serve --fault huge --only .tgz --huge-size $((512 << 20))
cd "$TEST_TMP/app-big"
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
expect "four 512 MiB tarballs at once" 1 "knit: error: integrity mismatch for big-*@1.0.0: expected sha512-*, got sha512-*" 100 200
echo "four 512 MiB tarballs: $secs s, peak RSS $rss MiB" >&2
[ -z "$(ls -A "$TMPDIR")" ] && ok || not_ok "spooled bodies left in TMPDIR: $(ls -A "$TMPDIR")"
cd "$TEST_TMP/app"
rm -rf "$TEST_TMP/app-big"

# a gzip bomb with matching integrity: 256 KiB that unpack to 256 MiB of
# zeros. Extraction streams, so knit's memory stays small whatever the
# tarball unpacks to; refusing the size is max-unpacked-size's (t0710).
victim=$(python3 -c 'import json; d=json.load(open("knit.json")); print(sorted(d["dependencies"])[0])')
python3 - "$W/web" "$victim" "$TOOL" <<'PY'
import io, json, os, sys, tarfile, zlib
reg, name, tool = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(tool))
import registry_tool
version = json.load(open(registry_tool.packument(reg, name)))["dist-tags"]["latest"]
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=9) as t:
    for path in ("package/package.json",):
        body = json.dumps({"name": name, "version": version}).encode()
        ti = tarfile.TarInfo(path); ti.size = len(body); t.addfile(ti, io.BytesIO(body))
    ti = tarfile.TarInfo("package/zeros"); ti.size = 256 << 20
    t.addfile(ti, Zeros(ti.size))
data = raw.getvalue()
open(registry_tool.tarball_path(reg, name, version), "wb").write(data)
registry_tool.set_integrity(reg, name, version, data)
PY
serve
fresh
measured "$KNIT" install --registry "http://127.0.0.1:$P/"
case "$rc" in 0 | 1) [ "$rss" -le 200 ] && ok || not_ok "a gzip bomb: peak $rss MiB" ;; *) not_ok "a gzip bomb: exit $rc, stderr [$err]" ;; esac
echo "a gzip bomb (256 MiB unpacked): exit $rc in $secs s, peak RSS $rss MiB" >&2
cp -r "$TEST_TMP/reg/." "$W/web/" # the registry as it was

# credentials: a password in the registry URL and a token in .knitrc are
# never printed, whether the registry is down or failing
serve --fail-first 100
printf '//127.0.0.1:%s/:_authToken=tok-Sekrit-0042\n' "$P" >.knitrc
for url in "http://alice:secret@127.0.0.1:9/" "http://alice:secret@127.0.0.1:$P/"; do
	fresh
	measured "$KNIT" install --registry "$url"
	all=$(cat "$W/out" "$W/err")
	expect "a failing registry with a password: $url" 1 "knit: error: cannot load '*': http://alice:\*\*\*@127.0.0.1:*" 30
	case "$all" in *secret* | *Sekrit*) not_ok "a secret was printed: $all" ;; *) ok ;; esac
done
KNIT_REGISTRY="http://alice:secret@127.0.0.1:$P/" "$KNIT" config list >"$W/out" 2>&1
case "$(cat "$W/out")" in *secret* | *Sekrit*) not_ok "config list printed a secret: $(cat "$W/out")" ;; *alice:\*\*\*@*) ok ;; *) not_ok "config list: $(cat "$W/out")" ;; esac
rm .knitrc

kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; FPID=
[ "$(outside)" = "$before" ] && ok || not_ok "something outside the project and cache changed: $(diff <(echo "$before") <(outside))"
finish
