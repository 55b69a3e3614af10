/*
 * Version solving: exactly one version per package name, conflict-driven
 * (PubGrub, as dart-lang/pub's doc/solver.md describes it), preferring
 * locked versions, and explaining every failure in sentences.
 *
 * The solver never fetches anything itself: it asks a knit_source for the
 * versions of a name and their dependencies. The source may work
 * asynchronously: prefetch() starts loading and must not block, load()
 * waits. The solver prefetches every dependency of a version it picks
 * before it waits on any of them, so a registry can fetch many packuments
 * at once while the solver works.
 *
 * Ownership: everything the source returns stays the source's and must
 * live until the solution is released. knit_solve() fills a solution that
 * the caller releases with knit_solution_release().
 */
#ifndef KNIT_RESOLVER_SOLVER_H
#define KNIT_RESOLVER_SOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "resolver/semver.h"
#include "util/strmap.h"
#include "util/strbuf.h"

/* A dependency: a package name and the range it must satisfy. */
struct knit_dep {
	const char *name;
	const char *range;
};

struct knit_pkg_version {
	const char *version;           /* as the registry spells it */
	struct knit_version parsed;
	const struct knit_dep *deps;
	size_t ndeps;
	const char *deprecated;        /* the registry's message, or NULL */
	/* carried for installing, unused by the solver; any may be NULL */
	const char *tarball;           /* dist.tarball */
	const char *integrity;         /* dist.integrity (SRI) */
	const char *shasum;            /* dist.shasum (hex SHA-1) */
};

struct knit_pkg {
	const char *name;
	const struct knit_pkg_version *versions; /* ascending by precedence */
	size_t nversions;
	const char *latest;            /* dist-tags.latest, or NULL */
	struct knit_strmap tags;       /* every dist-tag: tag -> version; the source's */
};

struct knit_source {
	void *ctx;
	/* Starts loading name's metadata if it is not loaded yet. Never blocks. */
	void (*prefetch)(void *ctx, const char *name);
	/*
	 * Waits for name's metadata: 0 and *out, KNIT_ENOTFOUND when the
	 * registry has no such package, or another error (the solve stops and
	 * returns it; the source explains it through message()).
	 */
	int (*load)(void *ctx, const char *name, const struct knit_pkg **out);
	/* Optional: a one-line description of the last load() error for name. */
	const char *(*message)(void *ctx, const char *name);
};

/* "cannot load '<name>': <why>" into err for load()'s error rc: the source's message, else rc's. */
void knit_source_load_error(const struct knit_source *src, const char *name, int rc, struct strbuf *err);

enum knit_resolution {
	KNIT_RESOLUTION_HIGHEST = 0, /* npm's choice: latest tag, else the highest */
	KNIT_RESOLUTION_LOWEST,      /* the lowest satisfying versions */
};

struct knit_solve_request {
	const char *root_name;
	const char *root_version;
	const struct knit_dep *deps;       /* the root's dependencies and devDependencies */
	size_t ndeps;
	const struct knit_dep *overrides;  /* name -> range, forced wherever name appears */
	size_t noverrides;
	const struct knit_dep *lock;       /* name -> version to keep while it still fits */
	size_t nlock;
	const char *const *unlock;         /* names the lock must not hold (knit update) */
	size_t nunlock;
	enum knit_resolution resolution;
	/*
	 * Optional: told of each version the solver decides on (a later
	 * conflict may undo the decision), so that the caller can start
	 * downloading before the solve ends.
	 */
	void (*on_decide)(void *ctx, const char *name, const struct knit_pkg_version *pv);
	void *on_decide_ctx;
};

struct knit_solution_entry {
	const char *name;                   /* the source's string */
	const struct knit_pkg_version *pv;  /* the chosen version, the source's */
	const struct knit_pkg *pkg;
};

struct knit_solution {
	size_t n;
	struct knit_solution_entry *pkgs; /* sorted by name; the root is not included */
	size_t decisions;                 /* versions tried, counting retries */
};

/*
 * Solves req against src. Returns 0 and fills *out; KNIT_ENOSOLUTION and
 * appends the explanation (sentences, then hints) to *why; or the source's
 * error, with a one-line message appended to *why.
 */
int knit_solve(const struct knit_solve_request *req, const struct knit_source *src,
	       struct knit_solution *out, struct strbuf *why);
void knit_solution_release(struct knit_solution *s);

#endif
