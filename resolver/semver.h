/*
 * npm's semantic versioning, exactly as node-semver 7.8.6 behaves.
 *
 * Versions and ranges are parsed once into plain structs; testing a parsed
 * version against a parsed range allocates nothing. Every function that takes
 * text takes a pointer and a length, so NUL bytes and invalid UTF-8 are just
 * more invalid input (node sees invalid UTF-8 as U+FFFD, and so does knit).
 *
 * Flags follow node-semver's options: KNIT_SEMVER_LOOSE is `{loose: true}`,
 * KNIT_SEMVER_INCLUDE_PRERELEASE is `{includePrerelease: true}`.
 *
 * Ownership: a struct filled by a *_parse function owns its memory until the
 * matching *_release; functions returning `char *` return malloc'd strings
 * that the caller frees.
 */
#ifndef KNIT_RESOLVER_SEMVER_H
#define KNIT_RESOLVER_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define KNIT_SEMVER_LOOSE 1u
#define KNIT_SEMVER_INCLUDE_PRERELEASE 2u

/* node-semver's MAX_LENGTH and Number.MAX_SAFE_INTEGER. */
#define KNIT_SEMVER_MAX_LENGTH 256
#define KNIT_SEMVER_MAX_SAFE_INTEGER 9007199254740991ULL

/* The version of node-semver whose behaviour this module reproduces. */
#define KNIT_SEMVER_NODE_VERSION "7.8.6"

enum knit_ident_kind {
	KNIT_IDENT_STRING = 0, /* has a letter or a hyphen */
	KNIT_IDENT_BIGNUM = 1, /* digits only, but >= MAX_SAFE_INTEGER: kept as text */
	KNIT_IDENT_NUMBER = 2, /* digits only and < MAX_SAFE_INTEGER: a number */
};

/* One pre-release or build identifier. str points into the version's own block. */
struct knit_semver_ident {
	const char *str;
	uint32_t len;
	uint32_t kind;
	double num; /* the identifier as JavaScript's Number() reads it, for digits */
};

struct knit_version {
	uint64_t major, minor, patch;
	/*
	 * When packed: major << 42 | minor << 21 | patch << 1 | (no pre-release),
	 * so that most comparisons are one integer compare. Packed only when each
	 * number is below 2^20; the parse and copy functions keep it right, and
	 * code that changes the numbers must call knit_version_repack().
	 */
	uint64_t key;
	uint16_t npre, nbuild;
	uint8_t packed;
	/* npre pre-release identifiers then nbuild build identifiers; owned; NULL if none */
	struct knit_semver_ident *ids;
};

#define KNIT_VERSION_INIT { .ids = NULL }

/*
 * Parses text as a version (node-semver `new SemVer(text, options)`).
 * Returns 0, or KNIT_EINVALID_VERSION and leaves *out empty.
 */
int knit_version_parse(struct knit_version *out, const char *text, size_t len, unsigned flags);
void knit_version_release(struct knit_version *v);
/* Recomputes key and packed after major, minor, patch or npre changed. */
void knit_version_repack(struct knit_version *v);
/* Deep copy; dst must be released by the caller. */
void knit_version_copy(struct knit_version *dst, const struct knit_version *src);

/* -1, 0 or 1 by precedence; build metadata is ignored (node-semver compare). */
int knit_version_compare(const struct knit_version *a, const struct knit_version *b);
/* Like compare, ties broken by build metadata (node-semver compareBuild). */
int knit_version_compare_build(const struct knit_version *a, const struct knit_version *b);
int knit_version_compare_main(const struct knit_version *a, const struct knit_version *b);
static inline bool knit_version_is_prerelease(const struct knit_version *v) { return v->npre != 0; }

/*
 * Writes the canonical form ("1.2.3-beta.1", no build) as snprintf does:
 * returns the length it needs, writes at most size bytes including the NUL.
 */
size_t knit_version_format(const struct knit_version *v, char *buf, size_t size);
/* Returns the canonical form, malloc'd. */
char *knit_version_to_string(const struct knit_version *v);

/* --- ranges ---------------------------------------------------------------- */

enum knit_cmp_op {
	KNIT_OP_ANY = 0, /* matches everything; node-semver's Comparator.ANY */
	KNIT_OP_EQ,
	KNIT_OP_GT,
	KNIT_OP_GTE,
	KNIT_OP_LT,
	KNIT_OP_LTE,
};

struct knit_comparator {
	enum knit_cmp_op op;
	struct knit_version v; /* unused for KNIT_OP_ANY */
};

struct knit_comparator_set {
	size_t n;
	struct knit_comparator *c;
	/*
	 * In a packed range: the keys of the releases the set admits, inclusive;
	 * [UINT64_MAX, UINT64_MAX] when none (no key reaches 2^62).
	 */
	uint64_t lo, hi;
};

/* A range: the union of its sets, each the intersection of its comparators. */
struct knit_range {
	unsigned flags;
	bool packed; /* every comparator is ANY or packed: the fast test applies */
	bool owned;  /* sets is one malloc'd block holding everything below it */
	size_t nsets;
	struct knit_comparator_set *sets;
};

#define KNIT_RANGE_INIT { 0, false, false, 0, NULL }

/*
 * Parses text as a range (node-semver `new Range(text, options)`).
 * Returns 0, or KNIT_EINVALID_RANGE and leaves *out empty.
 */
int knit_range_parse(struct knit_range *out, const char *text, size_t len, unsigned flags);
void knit_range_release(struct knit_range *r);

/* new Comparator(text, options): 0 or KNIT_EINVALID_RANGE. Release c->v after. */
int knit_comparator_parse(struct knit_comparator *c, const char *text, size_t len, unsigned flags);

/* range.test() for what the inline fast path below does not cover. */
bool knit__range_test_full(const struct knit_range *r, const struct knit_version *v);

/*
 * node-semver range.test(version): allocates nothing. Inline because the
 * resolver calls it in its innermost loops: a release against a packed
 * range is one interval check per set (keys of a release and a pre-release
 * never tie, so each set of comparators is an interval of keys).
 */
static inline bool knit_range_test(const struct knit_range *r, const struct knit_version *v)
{
	if (r->packed && v->packed && !v->npre) {
		/* branch-free: lo <= key <= hi as one unsigned compare per set */
		bool hit = false;
		for (size_t i = 0; i < r->nsets; i++)
			hit |= v->key - r->sets[i].lo <= r->sets[i].hi - r->sets[i].lo;
		return hit;
	}
	return knit__range_test_full(r, v);
}
bool knit_comparator_test(const struct knit_comparator *c, const struct knit_version *v);

/* The canonical form node-semver's validRange() prints ("*" for any). Malloc'd. */
char *knit_range_to_string(const struct knit_range *r);
/* A comparator's value: ">=1.2.3", "" for ANY. Malloc'd. */
char *knit_comparator_to_string(const struct knit_comparator *c);

/* --- functions over text, each named after its node-semver counterpart ------ */

/* satisfies(version, range, options): false for any invalid input. */
bool knit_semver_satisfies(const char *version, size_t vlen, const char *range, size_t rlen,
			   unsigned flags);
/* validRange(): canonical form, "*" for any, NULL when invalid. Malloc'd. */
char *knit_semver_valid_range(const char *range, size_t len, unsigned flags);
/* clean(): malloc'd canonical version or NULL. */
char *knit_semver_clean(const char *version, size_t len, unsigned flags);

/* How inc() reads its identifierBase argument. */
enum knit_inc_base {
	KNIT_INC_BASE_UNSET = 0, /* undefined: numbering starts at 0 */
	KNIT_INC_BASE_ZERO,      /* a value whose Number() is 0 or NaN */
	KNIT_INC_BASE_ONE,       /* a value whose Number() is non-zero */
	KNIT_INC_BASE_FALSE,     /* false: no numeric suffix */
};
/* Maps a command-line -n value the way node-semver's CLI and inc() do. */
enum knit_inc_base knit_semver_inc_base_from_string(const char *s);
/*
 * inc(version, release, options, identifier, identifierBase). identifier may
 * be NULL (undefined). Returns the malloc'd new version, or NULL when
 * node-semver returns null.
 */
char *knit_semver_inc(const char *version, size_t len, const char *release, unsigned flags,
		      const char *identifier, enum knit_inc_base base);
/* true if release is one of node-semver's RELEASE_TYPES or "release". */
bool knit_semver_is_release_type(const char *release);

/* coerce(version, {rtl, includePrerelease}): fills *out, returns 0 or KNIT_EINVALID_VERSION. */
int knit_semver_coerce(struct knit_version *out, const char *text, size_t len, unsigned flags,
		       bool rtl);
/* diff(a, b): "major", "premajor", ..., "prerelease", or NULL when equal. Static string. */
const char *knit_semver_diff(const struct knit_version *a, const struct knit_version *b);
/* truncate(version, releaseType): malloc'd, NULL when node-semver gives null. */
char *knit_semver_truncate(const char *version, size_t len, const char *release, unsigned flags);

/* Comparator and range relations. */
bool knit_comparator_intersects(const struct knit_comparator *a, const struct knit_comparator *b,
				unsigned flags);
bool knit_range_intersects(const struct knit_range *a, const struct knit_range *b, unsigned flags);
/* subset(sub, dom): every version in sub is in dom. */
bool knit_range_subset(const struct knit_range *sub, const struct knit_range *dom, unsigned flags);
/*
 * minVersion(range): 0 and *out filled, KNIT_ENOMATCH when no version can
 * match, or KNIT_EINVALID_VERSION where node-semver throws (a bound of
 * MAX_SAFE_INTEGER under >, with options set).
 */
int knit_range_min_version(const struct knit_range *r, struct knit_version *out);
/* outside(version, range, hilo): hilo is '>' (gtr) or '<' (ltr). */
bool knit_range_outside(const struct knit_range *r, const struct knit_version *v, char hilo);

/*
 * maxSatisfying / minSatisfying over candidate strings: the index of the
 * chosen one, or -1. Invalid candidates are skipped.
 */
long knit_semver_max_satisfying(const char *const *versions, size_t n, const struct knit_range *r);
long knit_semver_min_satisfying(const char *const *versions, size_t n, const struct knit_range *r);

/*
 * The indices 0..n-1 of versions into order[], sorted by precedence
 * (ascending, or descending), equal ones kept in their order, as sort and
 * rsort leave them.
 */
void knit_semver_order(size_t *order, const struct knit_version *versions, size_t n, bool descending);

/*
 * simplifyRange(versions, range): the shortest of the range's raw text and a
 * union of runs over the sorted known versions. Malloc'd. The versions must
 * be valid; their order is not changed.
 */
char *knit_semver_simplify(const struct knit_version *versions, size_t n,
			   const struct knit_range *r, const char *raw);

#endif
