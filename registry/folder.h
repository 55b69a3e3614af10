/*
 * A registry kept as a folder, read through file:// or served by any static
 * web server: <root>/<name>/index.json holds a package's document (its
 * "packument") and <root>/<name>/-/<base>-<version>.tgz its tarballs, where
 * <base> is the name without its scope.
 *
 * Writers take an exclusive lock on <root>/<name>/.lock, so two publishes
 * of one package never lose a version; each file is replaced atomically, so
 * readers see the old document or the new one.
 *
 * folder.c also holds the folder backend (registry/backend.h), which
 * publishes, tags, deprecates and unpublishes through knit_folder_edit.
 */
#ifndef KNIT_REGISTRY_FOLDER_H
#define KNIT_REGISTRY_FOLDER_H

#include "util/strbuf.h"

#include <stdbool.h>

struct cJSON;

/* Whether url names a folder registry (file://). */
bool knit_folder_is(const char *url);
/* The folder of a file:// URL, percent-decoded. 0, or KNIT_EINVALID_ARG and a message. */
int knit_folder_root(const char *url, struct strbuf *out, struct strbuf *err);
/* The file:// URL of an absolute path, percent-encoded where needed. */
void knit_folder_url(const char *path, struct strbuf *out);

/*
 * Changes one package's document. *doc is the current one, or NULL when the
 * package is not there yet; pkg_dir is <root>/<name>, which exists. The
 * edit may replace *doc (the old one is then the edit's to free; NULL
 * removes the package's document) and may add files under pkg_dir before
 * the document names them. 0 keeps the result; anything else leaves the
 * document as it was.
 */
typedef int (*knit_packument_edit_fn)(struct cJSON **doc, const char *pkg_dir, void *ctx,
				      struct strbuf *err);
/* Runs once the new document is in place, still under the lock: for removing files it no longer names. */
typedef void (*knit_packument_after_fn)(const char *pkg_dir, void *ctx);

/*
 * Locks the package, reads its document, runs edit, writes the result
 * (or removes the document when edit left NULL), then runs after (may be
 * NULL). Makes <root>/<name> when create is set (a publish), else a missing
 * package is KNIT_ENOTFOUND. Errors name the file.
 */
int knit_folder_edit(const char *root, const char *name, bool create, knit_packument_edit_fn edit,
		     knit_packument_after_fn after, void *ctx, struct strbuf *err);
/* Reads a package's document into *doc. 0, KNIT_ENOTFOUND, or KNIT_EPARSE / KNIT_EIO. */
int knit_folder_read(const char *root, const char *name, struct cJSON **doc, struct strbuf *err);
/* Writes doc as <root>/<name>/index.json, atomically. */
int knit_folder_write(const char *root, const char *name, const struct cJSON *doc, struct strbuf *err);

/*
 * Points every dist.tarball in the registry at base_url (no trailing
 * slash): <base_url>/<name>/-/<file>, for a static web server that serves
 * the folder; with base_url NULL, at the folder itself through file://
 * (after moving it). Every tarball named must be in the folder. *packages
 * and *versions count what was rewritten.
 */
int knit_folder_index(const char *root, const char *base_url, size_t *packages, size_t *versions,
		      struct strbuf *err);

#endif
