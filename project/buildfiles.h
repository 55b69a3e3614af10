/*
 * Build files for the packages in deps/, written by every install that
 * changes them:
 *
 *   deps/knit.cmake          runs knit build --deps when configured, then a
 *                            target knit::<name> per package (an interface
 *                            library whose flags and archives come from the
 *                            package's prefix, deps/.build/pkg/<t>/link.cmake),
 *                            linked to its dependencies' targets, and
 *                            knit::deps linking the project's direct
 *                            dependencies
 *   deps/knit.mk             the same for Make: includes each link.mk (made by
 *                            knit build --deps), $(KNIT_CFLAGS), $(KNIT_LIBS),
 *                            $(KNIT_LDLIBS)
 * Every package is built into a prefix of its own by knit build
 * (project/build_deps.h), which writes what the prefix gives consumers:
 * link.cmake, link.mk, deps/.pkgconfig/<t>.pc (knit_buildfiles_built) and
 * deps/knit.env for knit env (knit_buildfiles_env).
 *
 * A sources-kind package's files come from the `c` section of its
 * knit.json (else package.json); without one, its sources are the .c files
 * anywhere under src/ and its include folder include/ when it exists, else
 * its root (knit_buildfiles_sources). A scoped name @scope/name becomes
 * scope.name in target and pkg-config names.
 */
#ifndef KNIT_PROJECT_BUILDFILES_H
#define KNIT_PROJECT_BUILDFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "builder/builder.h"
#include "project/manifest.h"
#include "resolver/lockfile.h"
#include "util/strbuf.h"
#include "util/strmap.h"

struct knit_build_pkg {
	const char *name, *version;
	const char *dir;              /* where its files can be read now (the store) */
	const struct knit_deps *deps; /* its dependencies; only the names matter */
	const struct knit_manifest *manifest; /* knit_manifest_read_package() of dir */
	const char *const *files;     /* its regular files, relative to dir (a store index's); NULL: dir is read */
	size_t nfiles;
};

struct knit_buildfile {
	struct strbuf path; /* relative to deps/ */
	struct strbuf text;
};

struct knit_buildfiles {
	struct knit_buildfile *files;
	size_t n, alloc;
};

/*
 * Checks every package's `c` section (and a sources-kind package's files)
 * and makes the texts, touching nothing: a package with a bad `c` section,
 * whose system libraries pkg-config does not find in the versions it asks
 * for (project/syslibs.h), or whose own pkg-config module is one that the
 * project (project_pkgconfig, may be NULL) or a package takes from the
 * system, fails the install before deps/ changes. direct: the project's
 * dependency lists (names matter). 0, or an error with one line naming the
 * package: KNIT_EPARSE for its `c` section, KNIT_EINVALID_ARG for a library
 * taken twice, or knit_syslibs_check's (KNIT_ENOTFOUND, KNIT_ENOMATCH,
 * KNIT_EINVALID_RANGE, KNIT_EIO) for its system libraries.
 */
int knit_buildfiles_make(struct knit_buildfiles *bf, const struct knit_strmap *project_pkgconfig,
			 const struct knit_build_pkg *pkgs, size_t n, const struct knit_deps *direct,
			 size_t ndirect, struct strbuf *err);
/*
 * Writes them under deps_dir: fresh (a new deps/ not yet in place) writes
 * every file; otherwise only those whose text changed. Build files are
 * derived data, written without fsync like the rest of deps/.
 */
int knit_buildfiles_write(const struct knit_buildfiles *bf, const char *deps_dir, bool fresh,
			  bool *changed, struct strbuf *err);
void knit_buildfiles_release(struct knit_buildfiles *bf);

/*
 * A sources-kind package's .c files and include folders ("" for its root),
 * relative to pkg->dir, checked: no link followed, none leaving the
 * package, names the build files can carry. 0, or KNIT_EPARSE with one
 * line naming the package.
 */
int knit_buildfiles_sources(const struct knit_build_pkg *pkg, struct knit_paths *sources,
			    struct knit_paths *include, struct strbuf *err);

/*
 * The files knit build writes for a built package, from what its prefix
 * gives (builder.h's knit_consumer): link.cmake (target_* calls on
 * knit_<t>, which knit.cmake makes), link.mk (KNIT_CFLAGS_<t>,
 * KNIT_LIBS_<t>, KNIT_LDLIBS_<t>, which knit.mk uses) and <t>.pc for
 * deps/.pkgconfig, whose Requires are requires (its dependencies' <t> and
 * its system modules); every value quoted for its file.
 */
void knit_buildfiles_built(const char *name, const char *version, const struct knit_consumer *c,
			   const struct knit_paths *requires, struct strbuf *cmake, struct strbuf *mk,
			   struct strbuf *pc);

/*
 * deps/knit.env, for knit env: PKG_CONFIG_PATH, KNIT_CFLAGS and KNIT_LIBS
 * as shell assignments, from every package's consumer description (cs, in
 * dependency order: dependencies first). deps_abs: deps/, absolute.
 */
void knit_buildfiles_env(const char *deps_abs, const struct knit_consumer *cs, size_t n, struct strbuf *out);

/* "@acme/libfoo" -> "acme.libfoo"; other names unchanged. */
void knit_build_name(const char *pkg, struct strbuf *out);

#endif
