/*
 * Internals of the semver module: JavaScript string semantics that
 * node-semver relies on, and its regular expressions run through PCRE2,
 * whose backtracking matches JavaScript's. Not part of resolver/'s face.
 *
 * The design: every step of node-semver's pipeline has a hand-written fast
 * path for the common shapes and falls back to the exact regex for anything
 * else. tests/unit/test_semver_paths.c checks both paths agree.
 */
#ifndef KNIT_RESOLVER_SEMVER_INTERNAL_H
#define KNIT_RESOLVER_SEMVER_INTERNAL_H

#include "semver.h"
#include "../util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* --- JavaScript string semantics ------------------------------------------ */

/* Byte length of the JS whitespace character (\s, trim()) at s, or 0. */
size_t knit__js_ws_at(const char *s, size_t len);
/* Byte length of the JS whitespace character that ends s, or 0. */
size_t knit__js_ws_before(const char *s, size_t len);
/* String.prototype.trim(): narrows [*s, *s + *len). */
void knit__js_trim(const char **s, size_t *len);
/* Appends s with every run of JS whitespace replaced by one space. */
void knit__js_collapse_ws(struct strbuf *out, const char *s, size_t len);
/* true if needle occurs in the len bytes at s. */
bool knit__contains(const char *s, size_t len, const char *needle);
/* true if every byte is ASCII. */
bool knit__is_ascii(const char *s, size_t len);
/* Appends s with each maximal invalid UTF-8 subpart replaced by U+FFFD. */
void knit__utf8_sanitize(struct strbuf *out, const char *s, size_t len);
/* Length in UTF-16 code units of valid UTF-8 text (JavaScript's .length). */
size_t knit__utf16_len(const char *s, size_t len);
/* Appends String(d) as JavaScript prints a number. */
void knit__js_number_append(struct strbuf *out, double d);
/* Appends String(+digits + 1): the arithmetic node-semver does on captures. */
void knit__js_digits_plus_one(struct strbuf *out, const char *digits, size_t len);
/* Number(s) as JavaScript converts a string; NaN for garbage. */
double knit__js_to_number(const char *s);

/* --- node-semver's regular expressions ------------------------------------ */

enum knit__re {
	KNIT_RE_FULL,
	KNIT_RE_LOOSE,
	KNIT_RE_XRANGE,
	KNIT_RE_XRANGE_LOOSE,
	KNIT_RE_TILDE,
	KNIT_RE_TILDE_LOOSE,
	KNIT_RE_CARET,
	KNIT_RE_CARET_LOOSE,
	KNIT_RE_COMPARATOR,
	KNIT_RE_COMPARATOR_LOOSE,
	KNIT_RE_HYPHEN,
	KNIT_RE_HYPHEN_LOOSE,
	KNIT_RE_TILDE_TRIM,
	KNIT_RE_CARET_TRIM,
	KNIT_RE_STAR,
	KNIT_RE_GTE0,
	KNIT_RE_GTE0_PRE,
	KNIT_RE_BUILD_UNBOUNDED,
	KNIT_RE_PRERELEASE,
	KNIT_RE_PRERELEASE_LOOSE,
	KNIT_RE_COERCE,
	KNIT_RE_COERCE_FULL,
	KNIT_RE__COUNT
};

#define KNIT_RE_MAX_CAPS 16

/* A capture: ptr NULL when the group did not take part (JS undefined). */
struct knit__cap {
	const char *ptr;
	size_t len;
};

struct knit__match {
	size_t start, end; /* byte offsets of the whole match */
	struct knit__cap cap[KNIT_RE_MAX_CAPS];
};

/*
 * Searches s from byte offset `from` (anchored patterns match only where
 * their ^ allows). Returns true and fills *m on a match.
 */
bool knit__re_exec(enum knit__re re, const char *s, size_t len, size_t from,
		   struct knit__match *m);

/* --- shared between the version, range and function files ----------------- */

/*
 * Packed keys: numbers below 2^20 each, so every key is below 2^62 and
 * UINT64_MAX can stand for "no key" in the intervals of empty sets.
 */
#define KNIT__PACK_LIMIT (UINT64_C(1) << 20)
#define KNIT__PACK(M, m, p, release) ((M) << 42 | (m) << 21 | (p) << 1 | (uint64_t)(release))

/*
 * Builds a version from the captured parts of FULL/LOOSE (all already
 * checked by the grammar). Returns 0 or KNIT_EINVALID_VERSION (a number
 * beyond MAX_SAFE_INTEGER).
 */
int knit__version_from_parts(struct knit_version *out, struct knit__cap major,
			     struct knit__cap minor, struct knit__cap patch,
			     struct knit__cap pre, struct knit__cap build);
/*
 * Scans a dot-separated identifier list on the greedy first path of
 * node-semver's grammar; NULL when only the exact regex can tell.
 */
const char *knit__scan_ids(const char *p, const char *end, bool prerelease, bool loose);
/*
 * The hand-written path alone: 0, KNIT_EINVALID_VERSION (grammar matched,
 * number too large), or 1 when only the exact regex can tell.
 */
int knit__version_parse_fast(struct knit_version *out, const char *s, size_t len, unsigned flags);
/*
 * Fills *out with major.minor.patch and the pre-release pre (NULL: none),
 * which must already be valid identifiers. 0 or KNIT_EINVALID_VERSION.
 */
int knit__version_set(struct knit_version *out, uint64_t major, uint64_t minor, uint64_t patch,
		      const char *pre, size_t prelen);
/* Version parsing for text that is already trimmed and valid UTF-8, no length check. */
int knit__version_parse_trimmed(struct knit_version *out, const char *s, size_t len,
				unsigned flags);
/* The exact (regex) path alone, for the path-agreement tests. */
int knit__version_parse_exact(struct knit_version *out, const char *text, size_t len,
			      unsigned flags);
/* Appends the canonical form. */
void knit__version_append(struct strbuf *out, const struct knit_version *v);
/* Sets kind and num of an identifier from its text. */
void knit__ident_classify(struct knit_semver_ident *id);
/* compareIdentifiers() on two identifiers. */
int knit__ident_compare(const struct knit_semver_ident *a, const struct knit_semver_ident *b);

/*
 * knit_range_parse() into caller storage when the range fits in size bytes
 * (then knit_range_release() frees nothing), else into malloc'd memory.
 */
int knit__range_parse_in(struct knit_range *out, const char *text, size_t len, unsigned flags,
			 void *storage, size_t size);
/*
 * Tests a packed release against range text without building the range:
 * 1 or 0, or -1 when only a full parse can tell (unusual syntax, or an
 * invalid range).
 */
int knit__range_test_text(const char *text, size_t len, unsigned flags, const struct knit_version *v);
/* Range parsing with the fast paths switched off, for the path-agreement tests. */
int knit__range_parse_exact(struct knit_range *out, const char *text, size_t len,
			    unsigned flags);
/* true when the comparator is node-semver's null set "<0.0.0-0". */
bool knit__comparator_is_null_set(const struct knit_comparator *c);
/* Appends a comparator's value (">=1.2.3", "" for ANY). */
void knit__comparator_append(struct strbuf *out, const struct knit_comparator *c);


/* --- building ranges: shared by semver_range.c, semver_pipeline.c and
 * semver_direct.c ---------------------------------------------------------- */

/* How a range is being parsed: the options, and whether hand paths are off. */
struct knit__pipeline {
	unsigned flags;
	bool exact;
};

/*
 * The comparators of one set while a range is built. Owned lists (the
 * pipeline's) hold malloc'd comparators whose versions own their ids;
 * borrowed ones (the direct path's) point into a stack arena.
 */
struct knit__comp_list {
	struct knit_comparator *c;
	size_t n, alloc;
	bool borrowed;
};

struct knit__set_list {
	struct knit__comp_list *sets;
	size_t n, alloc;
};

void knit__comp_list_release(struct knit__comp_list *l);
void knit__set_list_release(struct knit__set_list *sl);
/* parseRange()'s rules for one set: a null set alone, no duplicates, no ANY beside others. */
void knit__normalize_set(struct knit__comp_list *l);
/* Narrows the inclusive key interval [*lo, *hi] by one comparator. */
void knit__narrow(uint64_t *lo, uint64_t *hi, enum knit_cmp_op op, uint64_t key);

/* trimComparatorWhitespace(): appends s with "> 1" joined to ">1". */
void knit__trim_comparator_ws(const struct knit__pipeline *pl, struct strbuf *out, const char *s,
			      size_t len);

/*
 * node-semver's whole string pipeline over the ||-separated parts of text
 * (any bytes), into *sl: 0 or KNIT_EINVALID_RANGE.
 */
int knit__parse_pipeline(const struct knit__pipeline *pl, struct knit__set_list *sl,
			 const char *text, size_t len);
/*
 * new Comparator(token) for one token with no whitespace: 0,
 * KNIT__COMP_DROPPED (loose mode, not a loose comparator), or
 * KNIT_EINVALID_RANGE (node-semver throws).
 */
#define KNIT__COMP_DROPPED 1
int knit__comparator_from_token(const struct knit__pipeline *pl, struct knit_comparator *out,
				const char *s, size_t len);

#define KNIT__DIRECT_MAX_COMPS 32
#define KNIT__DIRECT_MAX_IDS 64
#define KNIT__DIRECT_MAX_SETS 16

/*
 * Stack storage for the direct path: it never calls malloc. In eval mode it
 * stores nothing and instead tests one packed release (key) as it goes,
 * each set being an interval of keys.
 */
struct knit__direct_arena {
	struct knit_comparator c[KNIT__DIRECT_MAX_COMPS];
	size_t nc;
	struct knit_semver_ident ids[KNIT__DIRECT_MAX_IDS];
	size_t nids;
	struct knit__comp_list sets[KNIT__DIRECT_MAX_SETS];
	size_t nsets;
	bool full;
	bool eval, matched;
	uint64_t key, lo, hi;
};

/* Common range syntax straight into the arena: 0, or 1 to leave it to the pipeline. */
int knit__parse_direct(const struct knit__pipeline *pl, struct knit__direct_arena *a,
		       const char *s, size_t len);

#endif
