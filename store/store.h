/*
 * The global content-addressed store: each verified package tarball is
 * extracted once, under its digest, and linked into projects from there.
 *
 *   <cache>/store/v2/<algo>-<hex>/package/  a package's files (package/ stripped)
 *   <cache>/store/v2/<algo>-<hex>/index     what they were when written (store_index.h)
 *   <cache>/store/v2/git-<commit>/          a git commit's files, the same way
 *   <cache>/store/tmp/                      entries being made, and damaged ones being removed
 *
 * (store/v1, from knit before the index, is not read: its entries are made
 * again under v2.) An entry is made in a temporary folder, sealed (every
 * file hashed into the index as extracted, files created 0444 or 0555 and
 * folders made 0555,
 * everything on disk) and renamed into place with its index in one step,
 * so a reader sees a whole entry or none, even after a power cut, and any
 * number of knit processes can share the store: the loser of a race drops
 * its copy. The index sits beside package/, not in it, so that what is
 * linked into deps/ is exactly the package. Every use checks the entry
 * against its index (sizes and mtimes; digests too when asked), because
 * deps/ files are hard links into it and an edit there edits the store.
 *
 * knit writes the files itself, openat() relative to the package folder
 * with O_NOFOLLOW, and refuses the whole package when any entry would land
 * outside it (.., an absolute path, a link pointing out, a hard link to
 * anything outside, a device or a fifo).
 * Links are checked once every entry is written, by resolving each
 * beneath the package as extracted (util/beneath.h): a chain of links that
 * each look harmless but together climb out is refused too.
 *
 * Limits, each refused with a message naming the package and the entry:
 * KNIT_STORE_MAX_DEPTH folders (npm packages in the wild stay under about
 * 20; 64 keeps a deps/ path well under PATH_MAX and every walk shallow),
 * KNIT_STORE_MAX_PATH bytes of path inside the package,
 * KNIT_STORE_MAX_ENTRIES entries, and max-unpacked-size bytes of files in
 * all (the sum of their sizes as written, hard links counted as copies).
 */
#ifndef KNIT_STORE_STORE_H
#define KNIT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/integrity.h"
#include "util/strbuf.h"

/* The package folder of a digest's entry (<entry>/package), whether or not it exists yet. */
void knit_store_path(const char *cache_dir, const struct knit_integrity *id, struct strbuf *out);
/* The package folder of a git commit's entry (<cache>/store/v2/git-<commit>/package), whether or not it exists yet. */
void knit_store_git_path(const char *cache_dir, const char *commit, struct strbuf *out);
#define KNIT_STORE_MAX_DEPTH 64
#define KNIT_STORE_MAX_PATH 1024
#define KNIT_STORE_MAX_ENTRIES 200000
#define KNIT_STORE_DEFAULT_MAX_UNPACKED (1ull << 30) /* 1 GiB */

/* Whether the store holds an entry for id (not whether it is whole: knit_store_check says). */
bool knit_store_has(const char *cache_dir, const struct knit_integrity *id);
/* Whether the entry whose package folder is pkg_dir (.../<id>/package) is in the store: its index is there. */
bool knit_store_entry_exists(const char *pkg_dir);
/*
 * Checks the entry whose package folder is pkg_dir against its index
 * (and marks it used: its index's mtime, when an hour old or more):
 * sizes and mtimes, and with full every file's digest and no file added.
 * 0 when whole; KNIT_ENOTFOUND when there is no entry; KNIT_EPARSE when it
 * is damaged, with what differs first in *why ("src/a.c: size").
 */
int knit_store_check(const char *pkg_dir, bool full, struct strbuf *why);
struct knit_store_index;
/* As knit_store_check, and when the entry is whole its index into *idx (the caller releases it). */
int knit_store_check_keep(const char *pkg_dir, bool full, struct knit_store_index *idx, struct strbuf *why);
/*
 * Moves the entry of pkg_dir out of the store (into store/tmp) and
 * removes it, read-only folders included; an entry already gone is fine.
 * 0, or KNIT_EIO with one line in *err.
 */
int knit_store_evict(const char *cache_dir, const char *pkg_dir, struct strbuf *err);
/*
 * A new entry: makes an empty temporary folder under store/tmp, named in
 * *tmp, flock'ed through *owner (knit_store_clean_tmp leaves it alone);
 * the caller writes the package's files into <tmp>/package (not yet
 * there), then calls knit_store_publish, or knit_store_abort on failure.
 * 0, or KNIT_EIO with one line in *err.
 */
int knit_store_begin(const char *cache_dir, struct strbuf *tmp, int *owner, struct strbuf *err);
/* Removes a knit_store_begin folder and releases its owner descriptor. */
void knit_store_abort(const char *tmp, int owner);
/*
 * Seals <tmp>/package, writes the index beside it, syncs the filesystem
 * (syncfs: every file and folder of the entry on disk), and renames tmp
 * into place as the entry of pkg_dir (a knit_store_path or
 * knit_store_git_path), then fsyncs the folder holding it. tmp is gone
 * afterwards, whatever happened. 0 (also when another knit published the
 * entry first), or KNIT_EIO / KNIT_EPARSE with one line naming pkg in *err.
 * owner (knit_store_begin's) is closed.
 */
int knit_store_publish(const char *tmp, int owner, const char *pkg_dir, const char *pkg, struct strbuf *err);
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
/* As knit_store_put, reading the tarball from fd (from its offset on; left open). */
int knit_store_put_fd(const char *cache_dir, const struct knit_integrity *id, int fd, const char *pkg,
		      unsigned long long max_unpacked, struct strbuf *err);
/*
 * As knit_store_put (fd -1) or knit_store_put_fd, and on success *index
 * holds the entry's index as it was sealed (the caller releases it): what
 * a check would read back, for linking without one. When another process
 * stored the same entry first, it is that entry's twin, path for path.
 */
struct knit_store_index;
int knit_store_put_keep(const char *cache_dir, const struct knit_integrity *id, const void *tgz, size_t len,
			int fd, const char *pkg, unsigned long long max_unpacked, struct knit_store_index *index,
			struct strbuf *err);

/*
 * Called for each damaged entry by knit_store_verify: its package folder
 * and what differs; it may knit_store_evict it. Non-zero (with a line in
 * *err) stops the walk.
 */
typedef int (*knit_store_damaged_fn)(void *ctx, const char *pkg_dir, const char *why, struct strbuf *err);
/*
 * Fully checks every entry of the store (knit_store_check with full),
 * calling damaged for each damaged one. *checked and *bad count the
 * entries. 0, the callback's answer, or KNIT_EIO with one line in *err
 * when the store cannot be read.
 */
int knit_store_verify(const char *cache_dir, knit_store_damaged_fn damaged, void *ctx, size_t *checked,
		      size_t *bad, struct strbuf *err);

/* One entry of the store, as knit_store_list gives it. */
struct knit_store_entry_info {
	const char *pkg_dir;      /* <cache>/store/v2/<name>/package */
	const char *name;         /* <algo>-<hex> or git-<commit> */
	unsigned long long bytes; /* the disk blocks its files take */
	long long last_used;      /* its index's mtime: when it was made, or last checked for a project (within an hour) */
	bool in_use;              /* a file of it has a hard link outside the store: a project's deps/ holds it */
};
typedef int (*knit_store_entry_fn)(void *ctx, const struct knit_store_entry_info *e, struct strbuf *err);
/*
 * Calls fn for every entry of the store, in no particular order (fn may
 * knit_store_evict it). 0, fn's answer, or KNIT_EIO with one line in *err
 * when the store cannot be read; an absent store has no entries.
 */
int knit_store_list(const char *cache_dir, knit_store_entry_fn fn, void *ctx, struct strbuf *err);

#endif
