/*
 * knit version <newversion | major | minor | ...>, as npm version does: the
 * next version by node-semver's inc() (resolver/semver.h), written into
 * knit.json's "version" with every other byte kept, the preversion,
 * version and postversion scripts around it, and, in a git work tree, a
 * commit of knit.json and a tag v<version>.
 *
 * The sequence, npm's (libnpmversion):
 *   1. the new version is worked out and checked, and in a git work tree
 *      the tree must be clean (untracked files allowed, as npm allows them)
 *      and the tag new: any failure here changes nothing;
 *   2. preversion runs (its failure changes nothing either);
 *   3. knit.json is written;
 *   4. version runs (it may stage files of its own for the commit);
 *   5. git add knit.json, git commit -m <message>, git tag -m <message>
 *      v<version>;
 *   6. postversion runs.
 * A failure in 4 to 6 leaves what was done done, as npm does, and says so.
 * knit.lock records no root version, so it is never part of the commit.
 */
#ifndef KNIT_PROJECT_VERSION_BUMP_H
#define KNIT_PROJECT_VERSION_BUMP_H

#include <stdbool.h>

#include "scripts.h"
#include "util/strbuf.h"

/*
 * The version that knit version <arg> makes of current (NULL: "0.0.0", as
 * npm takes a missing version): arg itself when it is a version (cleaned,
 * read loosely), else inc(current, arg, {loose}, preid) for arg one of
 * major, minor, patch, premajor, preminor, prepatch, prerelease. *out
 * malloc'd. 0, or with one line in *err: KNIT_EINVALID_VERSION for a
 * current version that is not one, KNIT_EINVALID_ARG for an arg that is
 * neither, or for the same version again without allow_same.
 */
int knit_version_next(const char *current, const char *arg, const char *preid, bool allow_same, char **out,
		      struct strbuf *err);

struct knit_version_bump {
	const char *root;      /* the project folder */
	const char *arg;       /* the new version or the increment */
	const char *preid;     /* for the pre-release increments; may be NULL */
	const char *message;   /* the commit's and tag's, each %s the version; NULL: "%s" */
	bool allow_same;       /* --allow-same-version */
	bool git;              /* commit and tag when root is in a git work tree */
	knit_script_announce_fn announce; /* each script's line before it runs; may be NULL */
	void *announce_ctx;
};

struct knit_version_bump_result {
	char *old_version, *new_version; /* malloc'd */
	bool committed;                  /* and tagged */
	struct knit_script_status status; /* when a script failed: which and how */
};

/*
 * Runs the sequence above. 0 when every step ran, with res->status.failed
 * NULL; 0 with res->status.failed set when a script failed (what ran
 * before it stays done); else an error with one line in *err ("git working
 * directory not clean", "tag 'v1.2.4' already exists", a git command's
 * failure with its last line of output). Release res with
 * knit_version_bump_result_release either way.
 */
int knit_version_bump_run(const struct knit_version_bump *o, struct knit_version_bump_result *res,
			  struct strbuf *err);
void knit_version_bump_result_release(struct knit_version_bump_result *res);

#endif
