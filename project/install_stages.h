/*
 * The stages of knit_install (install.h), in the order install.c runs them,
 * each in a file of its own, around one plan:
 *
 *   install_plan.c   what deps/ is to hold: knit.lock as it is (knit ci, or
 *                    an install whose knit.json did not change), else a
 *                    resolution (lock-first, through the session's source);
 *                    knit.json against knit.lock (drift) is checked here
 *   install_place.c  every planned package in the store: downloaded,
 *                    verified and extracted unless the store has it whole;
 *                    git packages exported, folder packages found
 *   install_link.c   the packages' manifests, deps/ prepared beside the old
 *                    one with its bin links, the build files and the trusted
 *                    install scripts run in it before the swap
 *   install_build.c  deps/knit.cmake, knit.mk, knit.env and .pkgconfig/ for
 *                    the plan, made before deps/ changes
 *   manifest_edit.c  knit install <spec> and knit uninstall: knit.json's
 *                    dependencies before solving and its text after
 *
 * install.c keeps the sequence, the project lock and the one transaction
 * (txn.h) that writes deps/, the build files, knit.lock and knit.json.
 *
 * Ownership: a knit_plan owns its items and every string in them;
 * knit_plan_release frees them.
 */
#ifndef KNIT_PROJECT_INSTALL_STAGES_H
#define KNIT_PROJECT_INSTALL_STAGES_H

#include "buildfiles.h"
#include "depsdir.h"
#include "install.h"
#include "manifest.h"
#include "session.h"
#include "sources.h"
#include "tarballs.h"
#include "resolver/lockfile.h"
#include "store/store.h"
#include "store/store_index.h"
#include "util/integrity.h"

/* One package to have in deps/. */
struct knit_plan_item {
	char *name, *version;
	enum knit_spec_kind kind;
	char *resolved;      /* knit.lock's "resolved": the tarball URL, git+<url>#<commit> or file:<path> */
	char *sri, *shasum;  /* as the registry or knit.lock gave them; either may be NULL */
	char *git_url;       /* git: the repository */
	char commit[41];     /* git: the commit */
	char *state_id;      /* git and file: what deps/.knit-state records instead of an integrity */
	struct knit_deps deps; /* its own dependencies, name -> range as it declares them */
	/* filled in by install_place.c */
	struct knit_integrity id; /* registry packages: parsed from sri, else shasum */
	struct strbuf store_dir;  /* where its files are: the store entry, or the folder itself */
	struct knit_store_index index; /* the entry's, when a check read it (has_index): deps/ is linked from it */
	bool has_index;
	char *symlink_to;         /* file: deps/<name>'s link target */
};

struct knit_plan {
	struct knit_plan_item *items;
	size_t n;
	bool from_lock; /* the items are knit.lock's, not a resolution's */
};

/* --- install_plan.c -------------------------------------------------------------------- */

struct knit_plan_request {
	const struct knit_install_opts *opts;
	const struct knit_manifest *manifest; /* knit.json with the edits of this run made */
	const struct knit_lockfile *lock;     /* knit.lock, or NULL when there is none */
	const char *lock_path;                /* for messages */
	bool edits;                           /* knit.json changes in this run */
	struct knit_tarballs *tarballs;       /* the solver's decisions start downloads here; may be NULL */
	struct knit_progress *progress;       /* counts packuments during the resolve */
};

/*
 * The plan: knit ci refuses a knit.lock that knit.json drifted from; then
 * knit.lock's packages, or a resolution's. Deprecated versions are warned
 * about through the session. 0, or an error in *err (for KNIT_ENOSOLUTION
 * the whole explanation).
 */
int knit_plan_make(struct knit_plan *plan, struct knit_session *s, const struct knit_plan_request *req,
		   struct strbuf *err);
/* The knit.lock the plan stands for, its root section from m. Release with knit_lockfile_release. */
void knit_plan_lockfile(const struct knit_plan *plan, const struct knit_manifest *m, struct knit_lockfile *out);
const struct knit_plan_item *knit_plan_find(const struct knit_plan *plan, const char *name);
void knit_plan_release(struct knit_plan *plan);

/* --- install_place.c ------------------------------------------------------------------- */

struct knit_place_opts {
	const char *project_dir;
	bool verify;       /* every store entry checked down to its files' digests */
	bool deps_current; /* deps/ holds exactly the plan already: an entry's presence is enough */
	struct knit_tarballs *tarballs;
	struct knit_progress *progress;
};

struct knit_place_result {
	size_t fetched, stored; /* tarballs downloaded, and extracted into the store */
	bool repaired;          /* a damaged store entry was removed: deps/ may hold its files */
};

/* Fills in each item's id, store_dir and symlink_to, fetching what the store lacks. 0, or an error in *err. */
int knit_place(struct knit_plan *plan, struct knit_session *s, const struct knit_place_opts *o,
	       struct knit_place_result *res, struct strbuf *err);

/* --- install_link.c -------------------------------------------------------------------- */

struct knit_link {
	struct knit_depsdir_link *links;        /* one per plan item, as deps/ links them */
	struct knit_manifest *manifests;    /* per item, once knit_link_load_manifests ran; else NULL */
	const struct knit_plan *plan;
	const struct knit_manifest *project; /* knit.json, for trustedDependencies */
	struct knit_session *session;
	const struct knit_buildfiles *buildfiles; /* written into the new deps/ when set */
	bool buildfiles_written;
	struct knit_depsdir_counts counts; /* what the new deps/ took */
};

/*
 * The links of the plan. They point into its items: made before
 * knit_place they serve knit_link_in_place only, which compares names and
 * integrities; made after, everything.
 */
void knit_link_init(struct knit_link *l, const struct knit_plan *plan, const struct knit_manifest *project,
		    struct knit_session *s);
/* Whether deps/ already holds exactly the plan. */
bool knit_link_in_place(const struct knit_link *l, const char *project_dir);
/* Each package's manifest, read once from where it was placed, its commands for deps/.bin. */
int knit_link_load_manifests(struct knit_link *l, struct strbuf *err);
/*
 * The new deps/ for the transaction: built beside the old one, the build
 * files (when set) written into it and the trusted install scripts run in
 * it (the others named in a warning).
 */
int knit_link_prepare(struct knit_link *l, const char *project_dir, struct strbuf *tmp_name, struct strbuf *state,
		      struct strbuf *err);
void knit_link_release(struct knit_link *l);

/* --- install_build.c ------------------------------------------------------------------- */

/* Whether deps/ has its build files (deps/knit.cmake stands for them). */
bool knit_plan_buildfiles_exist(const char *project_dir);
/* The build files for the plan, from the packages' manifests (knit_link_load_manifests). */
int knit_plan_buildfiles(const struct knit_plan *plan, const struct knit_manifest *manifests,
			 const struct knit_manifest *project, const char *project_dir, struct knit_buildfiles *bf,
			 struct strbuf *err);

/* --- manifest_edit.c ------------------------------------------------------------------- */

/* What knit.json will ask for, in m: before solving, a spec's own range or the latest tag. */
int knit_manifest_edit_deps(struct knit_manifest *m, const struct knit_install_opts *o, struct strbuf *err);
/*
 * knit.json's text (read from path) with the changes, everything else as
 * written; the saved ranges (npm's rule) also go into m, for knit.lock's
 * root section.
 */
int knit_manifest_edit_text(struct knit_manifest *m, const char *path, const struct knit_install_opts *o,
			    const struct knit_plan *plan, struct strbuf *text, struct strbuf *err);

#endif
