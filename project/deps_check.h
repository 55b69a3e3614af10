/*
 * deps/ against knit.lock, as npm ls checks node_modules/: the locked
 * packages deps/ lacks (missing) and the package folders deps/ holds that
 * knit.lock does not name (extraneous, put there by hand).
 */
#ifndef KNIT_PROJECT_DEPS_CHECK_H
#define KNIT_PROJECT_DEPS_CHECK_H

#include "resolver/lockfile.h"
#include "util/strbuf.h"

#include <stddef.h>

struct knit_deps_check {
	char **missing;    /* locked names, in knit.lock's order; owned */
	size_t nmissing;
	char **extraneous; /* "name" or "@scope/name", sorted; owned */
	size_t nextraneous;
};

/*
 * Fills *out (release it with knit_deps_check_release, whatever the
 * result). Only folders and links count as packages: deps/'s own files
 * (knit.cmake, knit.mk, knit.env) and dot-named entries (.bin, .build,
 * .pkgconfig, .knit-state) are knit's. No deps/ at all: every locked
 * package is missing. 0, or KNIT_EIO with one line in *err.
 */
int knit_deps_check(const char *project_dir, const struct knit_lockfile *lf, struct knit_deps_check *out,
		    struct strbuf *err);
void knit_deps_check_release(struct knit_deps_check *c);

#endif
