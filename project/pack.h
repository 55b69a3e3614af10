/*
 * knit pack: a project as an npm-compatible package tarball, the same bytes
 * every time for the same files.
 *
 * What goes in: the files knit.json's `files` patterns cover, else every
 * file except deps/ and build/ at the top; either way less what
 * .knitignore (else .gitignore) files exclude, the top one only without
 * `files`. Always knit.json, README* and LICENSE* / LICENCE*
 * at the top and the `bin` files; never version-control folders, deps/,
 * node_modules, .knitrc / .npmrc (they hold tokens), knit.lock, the
 * project's own package.json, or *.tgz at the top. Symbolic links are
 * never packed nor followed, as npm pack leaves them out: a warning names
 * each one that would have been.
 *
 * Refused, failing the pack with the file named, unless the file is left
 * out anyway (ignore files, `files`): any name starting with .knitrc or
 * .npmrc (a backup or an editor's copy of the settings, at any depth), and
 * any file holding a secret from the settings (a token, _auth or _password
 * value of 8 bytes or more, knit_config_is_secret).
 *
 * How: entries sorted by path under package/, each a regular file with mode
 * 0644 (0755 when executable or a bin), owner 0, mtime 1985-10-26T08:15:00Z
 * as npm writes, plus a package.json generated from knit.json so that npm
 * tools see an ordinary package; gzip level 9 with no timestamp.
 *
 * Ownership: a knit_pack owns everything in it; knit_pack_release frees it.
 */
#ifndef KNIT_PROJECT_PACK_H
#define KNIT_PROJECT_PACK_H

#include "project/manifest.h"
#include "project/session.h"
#include "util/config.h"
#include "util/integrity.h"
#include "util/glob.h"
#include "util/strbuf.h"

#include <stdbool.h>

struct knit_publish_req;

struct knit_pack_file {
	char *path;  /* relative to the package, as in the tarball after package/ */
	unsigned mode;
	unsigned long long size;
};

struct knit_pack {
	struct knit_manifest manifest; /* knit.json as read for packing */
	char *name, *version;
	bool is_private;           /* "private": true: never published */
	char *package_json;        /* the generated package.json, as packed */
	struct knit_pack_file *files; /* sorted by path, package.json included */
	size_t n, alloc;
	struct strbuf tgz;
	struct knit_integrity integrity; /* sha512 of tgz */
	char shasum[41];                 /* hex sha1 of tgz */
	unsigned long long unpacked_size;
	char *readme, *readme_filename; /* the top README's text and name, for registries to show; NULL if none */
};

/*
 * Packs the project whose knit.json is in dir. The session (may be NULL)
 * gives the settings, whose secrets no packed file may contain, and takes
 * the warnings: each link left out, and what the `c` section needs that is
 * not packed. 0, or KNIT_ENOTFOUND (no
 * knit.json), KNIT_EPARSE (knit.json at fault), KNIT_EINVALID_ARG (a file
 * refused, above) or KNIT_EIO, with one line in *err naming the file.
 */
int knit_pack_make(struct knit_pack *p, const char *dir, const struct knit_session *s, struct strbuf *err);
void knit_pack_release(struct knit_pack *p);
/*
 * The request that publishes p (registry/publish.h) with tag (NULL:
 * "latest"), once p passes the checks that keep it installable by the
 * registry's users: not "private": true; every dependency a version range
 * or a tag, no git or file: source (devDependencies, which its users never
 * install, may be anything); a pre-release only with a tag, as npm 11 asks, so that "latest"
 * stays on a release. 0, or KNIT_EINVALID_ARG with one line naming the
 * package and the field, and *req untouched.
 *
 * *req points into p and into *integrity (which gets the tarball's
 * "sha512-..."): both must outlive it.
 */
int knit_pack_publish_req(const struct knit_pack *p, const char *tag, struct knit_publish_req *req,
			  struct strbuf *integrity, struct strbuf *err);
/* The tarball's file name, as npm names it: "@acme/foo" 1.0.0 -> "acme-foo-1.0.0.tgz". */
void knit_pack_filename(const char *name, const char *version, struct strbuf *out);

#endif
