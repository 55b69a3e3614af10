/*
 * A small owning map of strings to strings, in the order keys were first
 * set: a package's commands ("bin": command -> path), its pkg-config
 * modules (module -> range) and a packument's dist-tags (tag -> version).
 * Linear lookups: these maps hold a handful of entries (knit_strmap_add
 * fills one from a file without them).
 *
 * Ownership: keys and values are copies, freed by knit_strmap_release.
 */
#ifndef KNIT_UTIL_STRMAP_H
#define KNIT_UTIL_STRMAP_H

#include <stddef.h>

struct knit_strmap_entry {
	char *key, *value;
};

struct knit_strmap {
	struct knit_strmap_entry *items;
	size_t n, alloc;
};

/* Sets key to value (both copied); a key set before keeps its place and takes the new value. */
void knit_strmap_set(struct knit_strmap *m, const char *key, const char *value);
/*
 * Appends key -> value (both copied) without looking for key: for a caller
 * that knows key is not in m yet (a manifest, having refused repeated
 * names), where a hostile file's many entries would make each lookup cost.
 */
void knit_strmap_add(struct knit_strmap *m, const char *key, const char *value);
/* The value of key, or NULL. */
const char *knit_strmap_get(const struct knit_strmap *m, const char *key);
void knit_strmap_release(struct knit_strmap *m);

#endif
