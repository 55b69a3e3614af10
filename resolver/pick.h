/*
 * Which version of a package to take, by npm-pick-manifest's rules. The
 * solver asks it among the versions that every range on a name allows, and
 * knit outdated asks it for one range (its "wanted"), so that what outdated
 * says install would take is what install takes.
 *
 * The rules (npm-pick-manifest lib/index.js), for KNIT_RESOLUTION_HIGHEST:
 *   1. the version dist-tags.latest names, when it is allowed and not
 *      deprecated;
 *   2. else the highest allowed version that is not deprecated;
 *   3. else the highest allowed version.
 * KNIT_RESOLUTION_LOWEST (not npm's) takes the lowest allowed version that
 * is not deprecated, else the lowest allowed.
 *
 * Pre-releases follow node-semver without includePrerelease: a range admits
 * 1.2.0-beta.1 only when one of its comparators names 1.2.0 with a
 * pre-release tag, so "^1.0.0" never takes a pre-release, even a latest one.
 * A dist-tag where a range should be ("latest", "next") stands for the one
 * version it names, pre-release or deprecated as it may be.
 *
 * What npm-pick-manifest does and knit does not: engines (knit packages
 * declare none), --before, staged and policy-restricted versions, and
 * taking a pre-release latest for the range "*" (rule 1 tests the range's
 * text there; the solver has only the set of versions its ranges allow).
 */
#ifndef KNIT_RESOLVER_PICK_H
#define KNIT_RESOLVER_PICK_H

#include "resolver/solver.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * The index into pkg->versions of the version to take among those
 * allowed(ctx, i) admits (i an index into pkg->versions), by the rules
 * above; -1 when it admits none.
 */
int64_t knit_pick_version(const struct knit_pkg *pkg, enum knit_resolution resolution,
			  bool (*allowed)(void *ctx, size_t i), void *ctx);

/*
 * The version to take for spec, a range (parsed loosely, as npm does) or,
 * when it is not one, a dist-tag; NULL when nothing fits or spec is
 * neither. The solver's set for one spec (solver_range_bits) is the same.
 */
const struct knit_pkg_version *knit_pick_spec(const struct knit_pkg *pkg, const char *spec,
					      enum knit_resolution resolution);

/*
 * What npm outdated calls "latest": the version dist-tags.latest names
 * unless it is deprecated, else knit_pick_spec(pkg, "*"); NULL when pkg
 * has no version that either gives.
 */
const struct knit_pkg_version *knit_pick_latest(const struct knit_pkg *pkg);

/* The index of version in pkg->versions: the same string, else the same precedence (loose); -1 if none. */
int64_t knit_pkg_find_version(const struct knit_pkg *pkg, const char *version);

/* The index of the version dist-tag tag names, -1 when there is no such tag or pkg lacks its version. */
int64_t knit_pkg_tag_version(const struct knit_pkg *pkg, const char *tag);

#endif
