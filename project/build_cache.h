/*
 * Built packages in the content store, shared by every project of the
 * machine, one entry per build key (build_deps.h):
 *
 *   <cache>/builds/v1/<key id>/           an entry, immutable once renamed there
 *       prefix/                          what the build installed
 *       key, link.cmake, link.mk, consumer, pc/, log
 *       files                            every file's SHA-512 and mode, and every
 *                                        link's target: what verifies the entry
 *   <cache>/builds/v1/<key id>.lock      held while the entry is made
 *   <cache>/builds/v1/tmp/               entries being made, and their build trees
 *
 * An entry is made in tmp/ and renamed into place whole, after the paths of
 * its temporary folder in its text files (.pc, CMake files, libtool's .la,
 * *-config scripts) were rewritten to its final one and everything in it
 * made read-only (files 0444 or 0555, folders 0555, as in the store); two processes that need
 * one key build it once (the second waits on the lock, then takes the
 * entry). A project links deps/.build/pkg/<t> to the entry; an entry is
 * verified against its files list each time a project links it, and a
 * damaged one is removed and built again.
 */
#ifndef KNIT_PROJECT_BUILD_CACHE_H
#define KNIT_PROJECT_BUILD_CACHE_H

#include <stdbool.h>

#include "util/strbuf.h"

struct knit_build_cache {
	struct strbuf root; /* <cache>/builds/v1, absolute and resolved */
};

/* Makes root's folders. 0, or KNIT_EIO with one line in *err. */
int knit_build_cache_open(struct knit_build_cache *bc, const char *cache_dir, struct strbuf *err);
void knit_build_cache_close(struct knit_build_cache *bc);

/* <root>/<key id> */
void knit_build_cache_entry(const struct knit_build_cache *bc, const char *key_id, struct strbuf *out);

/* Takes the key's lock (waiting for another process that holds it): a file descriptor, or -1 with *err. */
int knit_build_cache_lock(const struct knit_build_cache *bc, const char *key_id, struct strbuf *err);
void knit_build_cache_unlock(int fd);

/*
 * A fresh folder in tmp/ for the key (made), into *out. 0, or KNIT_EIO
 * with one line in *err.
 */
int knit_build_cache_stage(const struct knit_build_cache *bc, const char *key_id, const char *what,
			   struct strbuf *out, struct strbuf *err);

/*
 * Seals the staged folder as the key's entry: its text files' mentions of
 * stage become the entry's path, its files list is written, and it is
 * renamed into place. 0, or KNIT_EIO with one line in *err (the stage is
 * left for the caller to remove).
 */
int knit_build_cache_seal(const struct knit_build_cache *bc, const char *key_id, const char *stage,
			  struct strbuf *err);

/*
 * Whether the key's entry exists and matches its files list: 1 yes, 0 no
 * entry, -1 damaged (then it is removed, and *err says what was wrong).
 */
int knit_build_cache_check(const struct knit_build_cache *bc, const char *key_id, struct strbuf *err);

/*
 * The hex SHA-256 of what dir holds (every file's path, mode and SHA-512,
 * every link's target; .git, deps and node_modules folders left out), for
 * the key of a package that has no integrity: a file: folder. 0, or
 * KNIT_EIO with one line in *err.
 */
int knit_build_cache_tree_digest(const char *dir, struct strbuf *out, struct strbuf *err);

/*
 * The key's entry as one tar archive (paths relative to it, links as
 * links), compressed with zstd (.tar.zst) or, when zstd is false or the
 * libarchive here lacks it, gzip (.tgz; *zstd set false), into *out, for
 * a remote cache. 0, or KNIT_EIO with one line in *err.
 */
int knit_build_cache_pack(const struct knit_build_cache *bc, const char *key_id, bool *zstd, struct strbuf *out,
			  struct strbuf *err);
/*
 * An archive from a remote cache (.tar.zst or .tgz, told by its content) made the key's entry: unpacked into tmp/
 * (files and links only, every path and link target below it), checked
 * against its files list, its paths (those of the entry it was made as, in
 * its "origin" file) made this machine's, listed again and renamed into
 * place. Under the key's lock. 0, or KNIT_EPARSE (an archive that is not
 * whole or not safe) or KNIT_EIO, with one line in *err; nothing is left.
 */
int knit_build_cache_unpack(const struct knit_build_cache *bc, const char *key_id, const void *archive, size_t len,
			    struct strbuf *err);

/* One damaged entry knit_build_cache_verify found: its key, "<name> <version>" (or "?"), what differs. */
typedef int (*knit_build_damaged_fn)(void *ctx, const char *key_id, const char *label, const char *why,
				     struct strbuf *err);
/*
 * Every entry of the build cache under cache_dir checked against its files
 * list (each file read and hashed), each under its key's lock; a damaged
 * one reported to damaged and, when remove, removed. *checked and *bad
 * count them. 0, or an error with one line in *err (or damaged's).
 */
int knit_build_cache_verify(const char *cache_dir, bool remove, knit_build_damaged_fn damaged, void *ctx,
			    size_t *checked, size_t *bad, struct strbuf *err);

/*
 * Records that a project uses the key's entry: its last use (the mtime of
 * its files list, when an hour old or more) and, with hold, a hard link of
 * its key file at hold (replacing what is there), which keeps the entry
 * through a knit cache clean while the project has it. Best effort: a
 * hold on another filesystem than the cache is not made.
 */
void knit_build_cache_mark_used(const struct knit_build_cache *bc, const char *key_id, const char *hold);

/* One entry, as knit_build_cache_list gives it. */
struct knit_build_entry_info {
	const char *key_id;
	const char *label;        /* "<name> <version>", or "?" */
	unsigned long long bytes; /* the disk blocks its files take */
	long long last_used;      /* made, or last linked by a project (within an hour) */
	bool in_use;              /* a project holds it (knit_build_cache_mark_used) */
};
typedef int (*knit_build_entry_fn)(void *ctx, const struct knit_build_entry_info *e, struct strbuf *err);
/*
 * Calls fn for every entry of the build cache under cache_dir, in no
 * particular order. 0, fn's answer, or KNIT_EIO with one line in *err.
 */
int knit_build_cache_list(const char *cache_dir, knit_build_entry_fn fn, void *ctx, struct strbuf *err);
/*
 * Removes the key's entry under its lock, unless a project holds it by
 * then (*removed says). 0, or KNIT_EIO with one line in *err.
 */
int knit_build_cache_remove(const char *cache_dir, const char *key_id, bool *removed, struct strbuf *err);

/* Removes a folder of tmp/ (a stage or a build tree); best effort. */
void knit_build_cache_discard(const char *path);

#endif
