#!/usr/bin/env bash
# Hostile arguments: every command that takes package specs or names, and
# the option values, given '', '@', '@scope/', '@scope', 'name@' and the
# longest argument Linux passes (MAX_ARG_STRLEN, 128 KiB; the megabyte is
# tests/unit/test_pkgname.c's, in-process). Each fails with one line,
# "knit: error: ...", and exit 1, or succeeds where it means something;
# none crashes (under -DKNIT_SANITIZE=ON, 'install ""' read past its end).
. "$(dirname "$0")/lib.sh"
isolated_registry 3 1
export KNIT_REGISTRY="file://$TEST_TMP/reg"
x=$(python3 -c 'import os; print(sorted(d for d in os.listdir("reg") if d.startswith("lib"))[0])')
mkdir app && cd app || exit 1
printf '{"name": "demo", "version": "1.0.0"}\n' >knit.json
big=$(head -c 131000 /dev/zero | tr '\0' a)
cut="$(head -c 64 /dev/zero | tr '\0' a)..." # knit_pkgname_quote: the first 64 bytes
scut="@$(head -c 63 /dev/zero | tr '\0' a)..."

# one_line DESCRIPTION STDERR-GLOB -- command...: exit 1 and exactly one line on stderr, matching
one_line() {
	local desc=$1 want=$2 err rc
	shift 3
	"$@" >/dev/null 2>"$TEST_TMP/stderr" && rc=0 || rc=$?
	err=$(cat "$TEST_TMP/stderr")
	# shellcheck disable=SC2053
	if [ "$rc" != 1 ] || [ "$(wc -l <"$TEST_TMP/stderr")" != 1 ] || [[ "$err" != $want ]]; then
		not_ok "$desc: exit $rc, stderr [$(head -c 300 "$TEST_TMP/stderr")]"
	else
		ok
	fi
}

# the spec and name parsers: the name rules' own message, naming the argument
spec_cmds=("install" "update" "uninstall" "why" "view" "deprecate:msg" "unpublish" "dist-tag add" "dist-tag rm:t" "dist-tag ls")
for c in "${spec_cmds[@]}"; do
	read -r -a cmd <<<"${c%%:*}"
	more=()
	[[ $c == *:* ]] && more=("${c#*:}")
	one_line "${cmd[*]} ''" "knit: error: '' is not a valid package name: it is empty" -- "$KNIT" "${cmd[@]}" "" "${more[@]}"
	one_line "${cmd[*]} @" "knit: error: '@' is not a valid package name: it has an @scope but no '/name' after it" -- "$KNIT" "${cmd[@]}" @ "${more[@]}"
	one_line "${cmd[*]} @scope" "knit: error: '@scope' is not a valid package name: it has an @scope but no '/name' after it" -- "$KNIT" "${cmd[@]}" @scope "${more[@]}"
	one_line "${cmd[*]} @scope/" "knit: error: '@scope/' is not a valid package name: it has no name after its @scope" -- "$KNIT" "${cmd[@]}" @scope/ "${more[@]}"
	one_line "${cmd[*]} <128 KiB>" "knit: error: '$cut' is not a valid package name: it is longer than 214 characters" -- "$KNIT" "${cmd[@]}" "$big" "${more[@]}"
	one_line "${cmd[*]} @<128 KiB>/x" "knit: error: '$scut' is not a valid package name: it is longer than 214 characters" -- "$KNIT" "${cmd[@]}" "@$big/x" "${more[@]}"
done
# the splitting commands say which part of name@rest is wrong
for c in install view deprecate:msg unpublish "dist-tag add"; do
	read -r -a cmd <<<"${c%%:*}"
	more=()
	[[ $c == *:* ]] && more=("${c#*:}")
	one_line "${cmd[*]} @scope@1" "knit: error: '@scope@1': '@scope' is not a valid package name: it has an @scope but no '/name' after it" -- "$KNIT" "${cmd[@]}" @scope@1 "${more[@]}"
	one_line "${cmd[*]} @scope/@1" "knit: error: '@scope/@1': '@scope/' is not a valid package name: it has no name after its @scope" -- "$KNIT" "${cmd[@]}" @scope/@1 "${more[@]}"
	one_line "${cmd[*]} github:a/b" "knit: error: 'github:a/b' needs the package's name in front: <name>@github:a/b" -- "$KNIT" "${cmd[@]}" github:a/b "${more[@]}"
done

# name@: the latest where that means something, a clear refusal where a version is needed
expect_run "view $x@" 0 "$x@*" "" -- "$KNIT" view "$x@"
one_line "unpublish $x@" "knit: error: unpublish takes one exact version: $x@<version>, not a range or a tag" -- "$KNIT" unpublish "$x@"
one_line "dist-tag add $x@" "knit: error: dist-tag add needs an exact version: $x@<version>" -- "$KNIT" dist-tag add "$x@"
one_line "dist-tag rm $x@" "knit: error: dist-tag rm takes a package name without a version, got '$x@'" -- "$KNIT" dist-tag rm "$x@" t
one_line "uninstall $x@" "knit: error: '$x@' is not a valid package name: it has characters other than a-z 0-9 - . _ (and one @scope/ in front)" -- "$KNIT" uninstall "$x@"
# a range that is neither range nor tag: the solver's explanation, its sentences and hint
expect_run "install $x@<128 KiB of range>" 1 "" "knit: error: no versions satisfy knit.json:
Because demo depends on $x $big which is not a valid range, version solving failed.
hint: '$big' is neither a semver range nor a known tag of $x" -- "$KNIT" install "$x@$big"
expect_run "install $x@" 0 "*knit.json updated*" "" -- "$KNIT" install "$x@"
python3 -c "import json,sys; d=json.load(open('knit.json')); sys.exit(not d['dependencies']['$x'].startswith('^'))" && ok || not_ok "install $x@ saved $(cat knit.json)"

# option values: a URL where a registry goes, before anything is read
for c in install ci update uninstall:$x outdated view:$x whoami logout; do
	cmd=${c%%:*}
	more=()
	[[ $c == *:* ]] && more=("${c#*:}")
	for v in "" @ @scope/ @scope name@; do
		one_line "$cmd --registry '$v'" "knit: error: *registry '$v' is not an http://, https:// or file:// URL, or a folder's path" -- "$KNIT" "$cmd" --registry "$v" "${more[@]}"
	done
	one_line "$cmd --registry=<128 KiB>" "knit: error: *registry '$cut' is not an http://, https:// or file:// URL, or a folder's path" -- "$KNIT" "$cmd" "--registry=$big" "${more[@]}"
	one_line "$cmd --registry (no value)" "knit: error: option '--registry' needs a value" -- "$KNIT" "$cmd" --registry
done
# the other values that must be one of a few
for v in "" @ @scope/ @scope name@ "$big"; do
	one_line "install --resolution" "knit: error: --resolution takes 'highest' or 'lowest', not '*'" -- "$KNIT" install --resolution "$v"
	one_line "ls --depth" "knit: error: --depth takes a number of levels, not '*'" -- "$KNIT" ls --depth "$v"
	one_line "init --template" "knit: error: there is no template '*" -- "$KNIT" init --template "$v" "$TEST_TMP/init"
	one_line "why --lockfile" "knit: error: *" -- "$KNIT" why --lockfile "$v" "$x"
	one_line "registry index --base-url" "knit: error: --base-url '*' is not an http://, https:// or file:// URL, or a folder's path" -- "$KNIT" registry index --base-url "$v" "$TEST_TMP/reg"
done
[ ! -e "$TEST_TMP/init" ] && ok || not_ok "a refused init made its folder"
finish
