/*
 * The global content-addressed store: each verified package tarball is
 * extracted once, under its digest, and linked into projects from there.
 *
 *   <cache>/store/v1/<algo>-<hex>/      a package's files (package/ stripped)
 *   <cache>/store/tmp/                  extractions in progress
 *
 * An extraction goes to a temporary folder and is renamed into place only
 * when every entry was written, so a reader sees a whole package or none,
 * and any number of knit processes can share the store: the loser of a
 * race drops its copy. knit writes the files itself, openat() relative to
 * the package folder with O_NOFOLLOW, and refuses the whole package when
 * any entry would land outside it (.., an absolute path, a link pointing
 * out, a hard link to anything outside, a device or a fifo).
 */
#ifndef KNIT_REGISTRY_STORE_H
#define KNIT_REGISTRY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "registry/integrity.h"
#include "util/strbuf.h"

/* The store folder for a digest, whether or not it exists yet. */
void knit_store_path(const char *cache_dir, const struct knit_integrity *id, struct strbuf *out);
/* The store folder of a git commit's files (<cache>/store/v1/git-<commit>), whether or not it exists yet. */
void knit_store_git_path(const char *cache_dir, const char *commit, struct strbuf *out);
bool knit_store_has(const char *cache_dir, const struct knit_integrity *id);
/*
 * Extracts the tarball (gzip'd tar, already verified to match id) into the
 * store. 0, or KNIT_EIO / KNIT_EPARSE with one line naming pkg in *err;
 * nothing of a refused package is left behind.
 */
/*
 * Removes the extractions that killed knit processes left in <cache>/store/tmp
 * (pkg-<pid>-*: the owner is gone and nothing holds the folder's flock;
 * pkg-* of older knit: a day old). The store is shared by concurrent knit
 * processes, so proof of death is needed. Only that one folder is read.
 */
void knit_store_clean_tmp(const char *cache_dir);
int knit_store_put(const char *cache_dir, const struct knit_integrity *id, const void *tgz,
		   size_t len, const char *pkg, struct strbuf *err);

#endif
