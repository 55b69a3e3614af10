/*
 * knit outdated's answer: for each of the project's own registry
 * dependencies that is behind, the locked version, the one a fresh install
 * would take for its range (wanted) and the registry's latest, both chosen
 * by resolver/pick.h as the solver chooses. Git and folder dependencies are
 * not the registry's: knit update re-resolves them, and they are left out.
 *
 * Ownership: the rows' strings are the list's; knit_outdated_release frees them.
 */
#ifndef KNIT_PROJECT_OUTDATED_H
#define KNIT_PROJECT_OUTDATED_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "session.h"
#include "resolver/lockfile.h"

struct knit_outdated_row {
	char *name;
	char *current; /* the locked version, or NULL: not in knit.lock */
	char *wanted;  /* NULL: nothing satisfies the range */
	char *latest;  /* NULL: the registry has no latest tag that parses */
	bool dev;      /* from devDependencies */
};

struct knit_outdated {
	struct knit_outdated_row *rows; /* in knit.json's order, dependencies first */
	size_t n, alloc;
};

/*
 * The rows of m's dependencies that are behind (lock may be NULL). 0, or the
 * source's error with "cannot load '<name>': <why>" in *err.
 */
int knit_outdated_list(struct knit_session *s, const struct knit_manifest *m, const struct knit_lockfile *lock,
		       struct knit_outdated *out, struct strbuf *err);
void knit_outdated_release(struct knit_outdated *o);

#endif
