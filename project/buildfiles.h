/*
 * Build files for the packages in deps/, written by every install that
 * changes them:
 *
 *   deps/knit.cmake          a target knit::<name> per package (a static
 *                            library from its sources, or an interface
 *                            library when it has none, or the package's own
 *                            CMake target), linked to its dependencies'
 *                            targets, and knit::deps linking the project's
 *                            direct dependencies
 *   deps/knit.mk             the same for Make: rules for one archive per
 *                            package, $(KNIT_CFLAGS), $(KNIT_LIBS), $(KNIT_LDLIBS)
 *   deps/.pkgconfig/<t>.pc   one pkg-config file per package
 *   deps/knit.env            the flags as shell assignments, for knit env
 *
 * A package's build facts come from the `c` section of its knit.json (else
 * package.json); without one, its sources are the .c files anywhere under
 * src/ and its include folder include/ when it exists, else its root. A
 * scoped name @scope/name becomes scope.name in target and pkg-config names.
 */
#ifndef KNIT_PROJECT_BUILDFILES_H
#define KNIT_PROJECT_BUILDFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "builder/builder.h"
#include "project/manifest.h"
#include "resolver/lockfile.h"
#include "util/strbuf.h"

struct knit_build_pkg {
	const char *name, *version;
	const char *dir;              /* where its files can be read now (the store) */
	const struct knit_deps *deps; /* its dependencies; only the names matter */
	const struct knit_manifest *manifest; /* knit_manifest_read_package() of dir */
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
 * Reads every package's files (globs) and makes the texts, touching
 * nothing: a package with a bad `c` section, or whose system libraries
 * pkg-config does not find in the versions it asks for (project/syslibs.h),
 * fails the install before deps/ changes. direct: the project's dependency lists (names matter).
 * 0, or an error with one line naming the package: KNIT_EPARSE for its `c`
 * section, or knit_syslibs_check's (KNIT_ENOTFOUND, KNIT_ENOMATCH,
 * KNIT_EINVALID_RANGE, KNIT_EIO) for its system libraries.
 */
int knit_buildfiles_make(struct knit_buildfiles *bf, const char *project_dir,
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
 * The files knit build writes for a package built by its own build system,
 * from what its prefix gives (builder.h's knit_consumer): link.cmake
 * (target_* calls on knit_<t>, which knit.cmake makes), link.mk
 * (KNIT_CFLAGS_<t>, KNIT_LIBS_<t>, KNIT_LDLIBS_<t>, which knit.mk uses) and
 * <t>.pc for deps/.pkgconfig; every value quoted for its file.
 */
void knit_buildfiles_built(const char *name, const char *version, const struct knit_consumer *c,
			   struct strbuf *cmake, struct strbuf *mk, struct strbuf *pc);

/* "@acme/libfoo" -> "acme.libfoo"; other names unchanged. */
void knit_build_name(const char *pkg, struct strbuf *out);

#endif
