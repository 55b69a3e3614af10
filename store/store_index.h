/*
 * The index of one store entry: every folder, file and link of the
 * package's folder, with its size, mtime and (files) SHA-256, recorded when
 * the entry is sealed, so that a later use can tell whether anything was
 * edited, truncated, deleted or added since (deps/ files are hard links
 * into the store: an edit in one project's deps/ is an edit of the store).
 *
 * On disk, a text file with a version line and one line per item, sorted
 * by path (bytes compared), at most KNIT_STORE_INDEX_MAX bytes:
 *
 *   knit store index 1
 *   d <sec>.<nsec> <path>                       a folder ("." is the package folder)
 *   f <sec>.<nsec> <size> <sha256 hex> <path>   a file (x: an executable one)
 *   l <sec>.<nsec> <target> <path>              a symbolic link
 *
 * Paths and targets are %-escaped: '%', spaces, control bytes and 0x7f as
 * %XX, so that a hostile name cannot break a line.
 */
#ifndef KNIT_STORE_STORE_INDEX_H
#define KNIT_STORE_STORE_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define KNIT_STORE_INDEX_MAX (64u << 20)

struct knit_store_item {
	char type;                 /* 'd', 'f', 'x' (an executable file) or 'l' */
	char *path;                /* relative to the package folder, "." for itself */
	char *target;              /* 'l': the link's target; else NULL */
	unsigned long long size;   /* 'f', 'x' */
	long long sec;             /* mtime */
	long nsec;
	unsigned char digest[32];  /* 'f', 'x': SHA-256 of the content */
};

struct knit_store_index {
	struct knit_store_item *items; /* sorted by path */
	size_t n, alloc;
};

/*
 * Seals the freshly written package folder dir: walks it (iteratively:
 * any depth, no recursion), hashes every file, makes files 0444 (0555 when
 * executable) and folders 0555, and fills *out (the caller releases it;
 * making it durable is knit_store_publish's part). 0, or KNIT_EIO / KNIT_EPARSE (a device,
 * a fifo, too many items) with one line naming pkg in *err; dir is then
 * unfit for the store.
 */
int knit_store_index_seal(const char *dir, const char *pkg, struct knit_store_index *out,
			  struct strbuf *err);

/*
 * Files the caller wrote into dir itself, read-only from the start (0444,
 * or 0555 when executable), hashed as it wrote them: sealing takes their
 * digests by path instead of opening and reading each file again. A path
 * written twice counts as its last write. A file not in the set, or whose
 * size or mode differs, is read as usual.
 */
struct knit_store_written {
	char *path; /* relative to dir, as the index names it; owned by the set */
	unsigned long long size;
	unsigned char digest[32];
	size_t order; /* when it was added: the last write of a path wins */
};
struct knit_store_written_set {
	struct knit_store_written *items;
	size_t n, alloc;
	bool sorted;
};
/* Adds path's digest (path copied). */
void knit_store_written_add(struct knit_store_written_set *set, const char *path, unsigned long long size,
			    const unsigned char digest[32]);
void knit_store_written_release(struct knit_store_written_set *set);
/* knit_store_index_seal, with the digests of the files in written (may be NULL); sorts written. */
int knit_store_index_seal_written(const char *dir, const char *pkg, struct knit_store_written_set *written,
				  struct knit_store_index *out, struct strbuf *err);
/*
 * Whether dir still matches idx: 0 when it does; KNIT_EPARSE when it does
 * not, with the first difference in *why ("src/a.c: size"; files before
 * folders, so that a deleted file is named rather than its folder, and an
 * mtime last). Quick
 * (full false): each item's type, size and mtime, one fstatat each. Full:
 * the whole tree walked and every file hashed, so that an edit that kept
 * the size and mtime, or an added file, is found too.
 */
int knit_store_index_check(const char *dir, const struct knit_store_index *idx, bool full,
			   struct strbuf *why);

/* Appends idx's text (the format above) to out. */
void knit_store_index_format(const struct knit_store_index *idx, struct strbuf *out);
/* Parses an index's text into *out (the caller releases it). 0, or KNIT_EPARSE. */
int knit_store_index_parse(struct knit_store_index *out, const char *text, size_t len);
void knit_store_index_release(struct knit_store_index *idx);

#endif
