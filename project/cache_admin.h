/*
 * What the cache holds, and cleaning it: knit cache ls and knit cache
 * clean. The cache has four kinds of entries (knit-cache(1)):
 *
 *   source    a store entry (store.h): a package's files, linked into projects
 *   mirror    a git repository's local mirror (git.h), that git packages come from
 *   build     a built package (build_cache.h)
 *   metadata  the packument cache: what registries answered, kept for revalidation
 *
 * An entry is in use when a project holds it: a source whose files have
 * hard links in a deps/, a build whose key file a deps/.build/hold/ links.
 * A clean never removes an entry in use, and with an age only the entries
 * not used for that long (a source's or build's last use is when a project
 * last linked or checked it; a mirror's its last fetch; metadata's when it
 * was written).
 */
#ifndef KNIT_PROJECT_CACHE_ADMIN_H
#define KNIT_PROJECT_CACHE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

enum knit_cache_kind { KNIT_CACHE_SOURCE, KNIT_CACHE_MIRROR, KNIT_CACHE_BUILD, KNIT_CACHE_METADATA };

/* Which kinds a listing or a clean covers: a set of these bits. */
#define KNIT_CACHE_SOURCES (1u << KNIT_CACHE_SOURCE | 1u << KNIT_CACHE_MIRROR)
#define KNIT_CACHE_BUILDS (1u << KNIT_CACHE_BUILD)
#define KNIT_CACHE_ALL (KNIT_CACHE_SOURCES | KNIT_CACHE_BUILDS | 1u << KNIT_CACHE_METADATA)

struct knit_cache_item {
	enum knit_cache_kind kind;
	char *label;              /* "zlib@1.3.1", "zlib 1.3.1", a mirror's URL, "package metadata" */
	char *id;                 /* the entry's folder name: "sha512-<hex>", a key, "<hash>.git"; metadata: a file */
	unsigned long long bytes; /* disk use */
	unsigned long long files; /* metadata: how many files the item stands for; else 1 */
	long long last_used;      /* seconds since the epoch */
	bool in_use;
};

struct knit_cache_items {
	struct knit_cache_item *v;
	size_t n, alloc;
};

/* The kind's name as knit cache ls prints it: "source", "mirror", "build", "metadata". */
const char *knit_cache_kind_name(enum knit_cache_kind kind);

/*
 * Every entry of the kinds asked for, sorted by kind, label and id; the
 * metadata as one item. 0, or KNIT_EIO with one line in *err.
 */
int knit_cache_list(const char *cache_dir, unsigned kinds, struct knit_cache_items *out, struct strbuf *err);
void knit_cache_items_release(struct knit_cache_items *items);

struct knit_cache_clean_opts {
	unsigned kinds;          /* KNIT_CACHE_* bits */
	long long older_than;    /* seconds unused, or -1: any age */
	bool dry_run;            /* decide and report; remove nothing */
};

struct knit_cache_clean_result {
	size_t removed, kept_in_use, kept_recent;
	unsigned long long bytes_removed;
};

/* Told each entry a clean removes (or would remove, dry): metadata as one item for all its files. */
typedef void (*knit_cache_removed_fn)(void *ctx, const struct knit_cache_item *item);

/*
 * Removes every entry of the kinds asked for that is not in use and,
 * with older_than, not used for that long. An entry a project takes
 * meanwhile is kept. 0, or KNIT_EIO with one line in *err (what was
 * removed before stays removed).
 */
int knit_cache_clean(const char *cache_dir, const struct knit_cache_clean_opts *o, knit_cache_removed_fn removed,
		     void *ctx, struct knit_cache_clean_result *res, struct strbuf *err);

#endif
