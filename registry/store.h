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
 * out, a hard link to anything outside, a device or a fifo). Links are
 * checked once every entry is written, by resolving each beneath the
 * package as extracted (util/beneath.h): a chain of links that each look
 * harmless but together climb out is refused too.
 *
 * Limits, each refused with a message naming the package and the entry:
 * KNIT_STORE_MAX_DEPTH folders (npm packages in the wild stay under about
 * 20; 64 keeps a deps/ path well under PATH_MAX and every walk shallow),
 * KNIT_STORE_MAX_PATH bytes of path inside the package,
 * KNIT_STORE_MAX_ENTRIES entries, and max-unpacked-size bytes of files in
 * all (the sum of their sizes as written, hard links counted as copies).
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
#define KNIT_STORE_MAX_DEPTH 64
#define KNIT_STORE_MAX_PATH 1024
#define KNIT_STORE_MAX_ENTRIES 200000
#define KNIT_STORE_DEFAULT_MAX_UNPACKED (1ull << 30) /* 1 GiB */

bool knit_store_has(const char *cache_dir, const struct knit_integrity *id);
/*
 * Extracts the tarball (gzip'd tar, already verified to match id) into the
 * store, refusing it when its files add up to more than max_unpacked bytes
 * (0: KNIT_STORE_DEFAULT_MAX_UNPACKED). 0, or KNIT_EIO / KNIT_EPARSE with
 * one line naming pkg in *err; nothing of a refused package is left behind.
 */
/*
 * Removes the extractions that killed knit processes left in <cache>/store/tmp
 * (pkg-<pid>-*: the owner is gone and nothing holds the folder's flock;
 * pkg-* of older knit: a day old). The store is shared by concurrent knit
 * processes, so proof of death is needed. Only that one folder is read.
 */
void knit_store_clean_tmp(const char *cache_dir);
int knit_store_put(const char *cache_dir, const struct knit_integrity *id, const void *tgz,
		   size_t len, const char *pkg, unsigned long long max_unpacked, struct strbuf *err);

#endif
