/*
 * The project's deps/ folder: deps/<name>/ (scoped: deps/@scope/name/) for
 * each package, linked from the store (hard link, else reflink, else copy).
 * A new deps/ is built beside the old one and swapped in with one atomic
 * exchange, so an interrupted install leaves the old deps/ whole. deps/
 * records what it holds in deps/.knit-state; when that already matches,
 * nothing is touched.
 */
#ifndef KNIT_PROJECT_DEPS_H
#define KNIT_PROJECT_DEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

struct knit_dep_link {
	const char *name;
	const char *version;
	const char *integrity; /* SRI, recorded in the state */
	const char *store_dir; /* the package's folder in the store */
};

/*
 * Makes project_dir/deps hold exactly these packages. *changed says whether
 * it did anything. 0, or KNIT_EIO with a line in *err (deps/ unchanged).
 */
/* Whether project_dir/deps already holds exactly these packages. */
bool knit_deps_in_place(const char *project_dir, const struct knit_dep_link *pkgs, size_t n);
int knit_deps_sync(const char *project_dir, const struct knit_dep_link *pkgs, size_t n,
		   bool *changed, struct strbuf *err);

#endif
