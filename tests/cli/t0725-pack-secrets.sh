#!/usr/bin/env bash
# knit pack and publish never carry a token out: symbolic links are left out
# (as npm pack does), whether they point out of the package (~/.knitrc) or
# inside it; a file named .knitrc* or .npmrc* (a backup, an editor's copy)
# that would be packed fails the pack naming it, and so does any file
# holding a token from the settings. Excluded files do not count.
. "$(dirname "$0")/lib.sh"
export HOME="$TEST_TMP/home" KNIT_CACHE="$TEST_TMP/cache"
unset KNIT_REGISTRY KNIT_CONFIG XDG_CACHE_HOME
mkdir -p "$HOME" && cd "$TEST_TMP" || exit 1
TOKEN=tok-5ec2e7-b0a5e1c4d9
printf '//r.example/:_authToken=%s\n' "$TOKEN" >"$HOME/.knitrc"

mkdir -p p/include p/src && cd p || exit 1
echo '{ "name": "libp", "version": "1.0.0" }' >knit.json
echo 'int p(void);' >include/p.h
echo 'int p(void) { return 1; }' >src/p.c
packed() { tar tzf libp-1.0.0.tgz | sort | tr '\n' ' '; }

# links: to the user's settings, to a folder outside, inside the package
ln -s "$HOME/.knitrc" notes.txt
ln -s "$HOME" homedir
ln -s include/p.h alias.h
expect_run "pack with links" 0 "*libp-1.0.0.tgz" \
	"knit: warning: 'alias.h' is a symbolic link: not packed (npm leaves links out too)
knit: warning: 'homedir' is a symbolic link: not packed (npm leaves links out too)
knit: warning: 'notes.txt' is a symbolic link: not packed (npm leaves links out too)" -- "$KNIT" pack
lacks "$TOKEN" "a link carried the token into the tarball" -- tar xzf libp-1.0.0.tgz -O
[ "$(packed)" = "package/include/p.h package/knit.json package/package.json package/src/p.c " ] && ok ||
	not_ok "links packed: $(packed)"
rm notes.txt homedir alias.h libp-1.0.0.tgz

# settings files under other names, at any depth
for f in .knitrc~ .knitrc.bak src/.npmrc.old; do
	cp "$HOME/.knitrc" "$f"
	expect_run "pack with $f" 1 "" "knit: error: refusing to pack '$f': a name starting with .knitrc or .npmrc is a settings file, which may hold a token; remove it or exclude it in .knitignore" -- "$KNIT" pack
	[ ! -e libp-1.0.0.tgz ] && ok || not_ok "$f: a tarball was written"
	expect_run "publish with $f" 1 "" "knit: error: refusing to pack '$f'*" -- "$KNIT" publish --dry-run --registry "file://$TEST_TMP/reg"
	rm "$f"
done
# excluded anyway: fine
cp "$HOME/.knitrc" .knitrc.bak && echo '.knitrc.bak' >.knitignore
expect_run "an excluded .knitrc.bak" 0 "*libp-1.0.0.tgz" "" -- "$KNIT" pack
rm .knitrc.bak .knitignore libp-1.0.0.tgz

# the token in any packed file
mkdir -p config && printf 'DEPLOY_TOKEN=%s\n' "$TOKEN" >config/deploy.env
expect_run "a file holding the token" 1 "" "knit: error: refusing to pack 'config/deploy.env': it holds the token of the setting '//r.example/:_authToken'; remove it or exclude it in .knitignore" -- "$KNIT" pack
[ ! -e libp-1.0.0.tgz ] && ok || not_ok "a tarball holding the token was written"
python3 - "$TOKEN" <<'E'
import json, sys
d = json.load(open("knit.json")); d["description"] = "see " + sys.argv[1]; json.dump(d, open("knit.json", "w"))
E
rm -r config
expect_run "knit.json holding the token" 1 "" "knit: error: refusing to pack 'knit.json': it holds the token*" -- "$KNIT" pack
finish
