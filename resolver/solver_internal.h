/*
 * The solver's own structures: version sets as bitsets over a package's
 * known versions, terms, incompatibilities, and the partial solution.
 * Everything lives in one arena per solve and goes at once.
 */
#ifndef KNIT_RESOLVER_SOLVER_INTERNAL_H
#define KNIT_RESOLVER_SOLVER_INTERNAL_H

#include "solver.h"

#include <stdint.h>

/* --- arena ----------------------------------------------------------------- */

struct knit__arena_block;
struct knit__arena {
	struct knit__arena_block *head;
};
void *knit__arena_alloc(struct knit__arena *a, size_t size);
char *knit__arena_strdup(struct knit__arena *a, const char *s);
void knit__arena_release(struct knit__arena *a);

/* --- terms ----------------------------------------------------------------- */

/*
 * A term about one package: positive "P in set", or negative "P not
 * selected, or not in set". A package's versions are bits 0 to n-1 in
 * ascending order, and bit n is its phantom: a version that a range admits
 * but that does not exist. The phantom is never chosen; it lets "bar ^9.0.0"
 * with no such version, or a package missing from the registry, stay a
 * fact in the derivation ("no versions of bar match ^9.0.0") instead of
 * vanishing. No bit past the phantom is ever set. text is the range as
 * written when the set came from one (for messages), else NULL.
 */
struct knit__term {
	uint32_t pkg;
	bool positive;
	uint64_t *bits;
	const char *text;
};

enum knit__relation { REL_SATISFIED, REL_CONTRADICTED, REL_INCONCLUSIVE };

/* --- incompatibilities ----------------------------------------------------- */

enum knit__cause {
	CAUSE_ROOT,        /* {not root}: the root is at its own version */
	CAUSE_DEPENDENCY,  /* {P run, not Q range}: P depends on Q */
	CAUSE_NO_VERSIONS, /* {P set}: no version of P in set exists */
	CAUSE_NOT_FOUND,   /* {P}: the registry has no package P */
	CAUSE_DERIVED,     /* learned from two others */
};

/* Flags of a dependency whose target cannot be used as it is. */
#define DEP_MISSING 1u /* the target does not exist */
#define DEP_INVALID 2u /* the range is not valid semver */
#define DEP_NO_MATCH 4u /* no version of the target is in the range */

struct knit__incompat {
	uint32_t nterms;
	struct knit__term *terms;
	enum knit__cause cause;
	uint32_t c1, c2;          /* CAUSE_DERIVED: the two causes */
	uint32_t dep_pkg;         /* CAUSE_DEPENDENCY: the target, even when its term was dropped */
	const char *dep_range;
	unsigned dep_flags;
};

/* --- packages ---------------------------------------------------------------- */

enum knit__load_state { PKG_UNLOADED, PKG_LOADED, PKG_MISSING };

struct knit__range_cache_entry {
	const char *text;
	uint64_t *bits;
	bool invalid;
};

struct knit__listed_dep {
	uint32_t dep, lo, hi;
	const char *range;
};

struct knit__spkg {
	const char *name;
	const struct knit_pkg *info; /* NULL until loaded; the root's is synthetic */
	enum knit__load_state state;
	uint32_t nversions, nwords;
	int32_t locked;              /* index of the locked version, or -1 */

	/* the partial solution's view of this package */
	bool has_acc;                /* some assignment mentions it */
	struct knit__term acc;             /* their intersection */
	int32_t decision;            /* decided version index, or -1 */
	bool queued;                 /* in the list of packages to decide */

	uint32_t *incompats;         /* ids of incompatibilities mentioning it */
	size_t nincompats, aincompats;
	uint32_t *assigns;           /* its assignments, oldest first */
	size_t nassigns, aassigns;

	struct knit__range_cache_entry *ranges;
	size_t nranges, aranges;
	struct knit__listed_dep *listed;
	size_t nlisted, alisted;
};

struct knit__assignment {
	struct knit__term t;
	uint32_t level;
	int64_t cause;               /* incompatibility id, or -1 for a decision */
};

struct knit__solver {
	const struct knit_solve_request *req;
	const struct knit_source *src;
	struct knit__arena arena;

	struct knit__spkg *pkgs;
	size_t npkgs, apkgs;
	uint32_t *map;               /* open addressing: name -> package id + 1 */
	size_t map_size;
	uint32_t root;
	struct knit_pkg root_info;
	struct knit_pkg_version root_version;

	struct knit__incompat *incompats;
	size_t nincompats, aincompats;
	struct knit__assignment *assigns;
	size_t nassigns, aassigns;
	uint32_t level;              /* the number of decisions */
	uint32_t *queue;             /* packages with a positive term and no decision */
	size_t nqueue, aqueue;
	size_t decisions;

	int error;                   /* a source error that stops the solve */
	struct strbuf *why;
};

/* solver_pkg.c: packages, loading, ranges as sets, dependencies as incompatibilities */
uint32_t knit__solver_pkg_id(struct knit__solver *s, const char *name);
int knit__solver_pkg_load(struct knit__solver *s, uint32_t id);
uint64_t *knit__solver_range_bits(struct knit__solver *s, uint32_t pkg, const char *range, bool *invalid);
const char *knit__solver_dep_range(struct knit__solver *s, const char *name, const char *range);
/* Adds the incompatibilities of version v of pkg; returns false on a source error. */
bool knit__solver_add_dependencies(struct knit__solver *s, uint32_t pkg, uint32_t v, bool *conflict);

/* solver_term.c */
uint64_t *knit__bits_new(struct knit__solver *s, uint32_t pkg);
uint64_t *knit__bits_full(struct knit__solver *s, uint32_t pkg);
bool knit__bits_empty(const uint64_t *b, uint32_t nwords);
bool knit__bits_full_p(const struct knit__solver *s, uint32_t pkg, const uint64_t *b);
size_t knit__bits_count(const uint64_t *b, uint32_t nwords);
struct knit__term knit__term_intersect(struct knit__solver *s, const struct knit__term *a, const struct knit__term *b);
struct knit__term knit__term_negate(const struct knit__term *t);
bool knit__term_is_empty(const struct knit__solver *s, const struct knit__term *t);
bool knit__term_is_any(const struct knit__solver *s, const struct knit__term *t);
bool knit__term_subset(const struct knit__solver *s, const struct knit__term *a, const struct knit__term *b);
bool knit__term_disjoint(const struct knit__solver *s, const struct knit__term *a, const struct knit__term *b);
enum knit__relation knit__term_relation(const struct knit__solver *s, const struct knit__term *acc, const struct knit__term *t);

/* solver.c */
uint32_t knit__solver_add_incompat(struct knit__solver *s, struct knit__incompat in);

/* knit__solver_report.c */
void knit__solver_report(struct knit__solver *s, uint32_t terminal);
void knit__solver_format_set(const struct knit__solver *s, struct strbuf *out, const struct knit__term *t);

#endif
