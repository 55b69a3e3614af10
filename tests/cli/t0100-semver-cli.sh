#!/usr/bin/env bash
# knit semver against node-semver's own command, argument vector by argument
# vector: same stdout, same exit status.
. "$(dirname "$0")/lib.sh"
semver_js="$(node_semver_dir)/bin/semver.js"

while IFS= read -r line; do
	[ -z "$line" ] && continue
	eval "set -- $line"
	k_out=$("$KNIT" semver "$@" 2>/dev/null) && k_rc=0 || k_rc=$?
	n_out=$(node "$semver_js" "$@" 2>/dev/null) && n_rc=0 || n_rc=$?
	if [ "$k_out" == "$n_out" ] && [ "$k_rc" == "$n_rc" ]; then
		ok
	else
		not_ok "knit semver $line: knit [$k_out] exit $k_rc, node [$n_out] exit $n_rc"
	fi
done <<'CASES'
1.2.3
1.2.3 1.0.0 2.0.0-rc.1 -r ^1
1.2.3 1.0.0 2.0.0-rc.1 -r '>=1.0.0' -r '<1.2.3'
-r ^2 1.2.3
not-a-version
-i minor 1.2.3
-i premajor --preid beta 1.2.3
-i prerelease --preid rc -n 1 1.2.3
-i prerelease -n false --preid rc 1.2.3
-i prerelease -n false --preid rc 1.2.3-rc
-i release 1.2.3-beta
-i release 1.2.3
-i 1.2.3
-i foo 1.2.3
-i minor 1.2.3 1.2.4
-i minor -r ^1 1.2.3
--range=^1.0.0 1.0.0 0.9.0 1.5.0
'>=1.0.0'
-p -r '>1.0.0' 2.0.0-rc.1
-r '>1.0.0' 2.0.0-rc.1
--lose 1.2.3
-rv 1.0.0 2.0.0 1.5.0
--reverse 1.0.0 2.0.0 1.5.0
-c v2.3 foo3.4.5 'version 7'
-c --rtl 1.2.3.4
-c -p 1.2.3-rc.1+b
-l 01.2.3 =1.2.4 'v 1.2.5'
-l -r '~1.2' 1.2.9 1.3.0-0 01.2.10
1.2.3+b 1.2.3+a 1.2.3
-v 1.2.3 -v
-r
-r '' 1.2.3
'1.2.3 - 2.3.4' 2.0.0
-r '1.2.3 - 2.3.4' 2.0.0 2.3.4 2.3.5
-r '1.x || >=2.5.0 || 5.0.0 - 7.2.3' 1.2.3 2.4.0 6.0.0 8.0.0
-i minor --preid=alpha 1.2.3
-n 1 -i preminor --preid a 1.2.3
9007199254740991.0.0 9007199254740992.0.0
-r '^9007199254740991' 9007199254740991.0.0
CASES
finish
