/*
 * The project's deps/ folder: deps/<name>/ (scoped: deps/@scope/name/) for
 * each package, linked from the store (hard link, else reflink, else copy).
 * A new deps/ is built beside the old one and swapped in with one atomic
 * exchange, so an interrupted install leaves the old deps/ whole. deps/
 * records what it holds in deps/.knit-state; when that already matches,
 * nothing is touched.
 */
#ifndef KNIT_PROJECT_DEPSDIR_H
#define KNIT_PROJECT_DEPSDIR_H

#include <stdbool.h>
#include <stddef.h>

struct knit_store_index;
#include "util/strbuf.h"
#include "util/strmap.h"

struct knit_depsdir_link {
	const char *name;
	const char *version;
	const char *integrity; /* SRI, recorded in the state */
	const char *store_dir; /* the package's folder in the store */
	const struct knit_strmap *bins; /* its "bin": command -> path; may be NULL */
	const char *symlink_to; /* a folder dependency ("file:"): deps/<name> is a symbolic
				 * link with this target, relative to where the link is; then
				 * store_dir is the folder itself */
	const struct knit_store_index *index; /* the store entry's, just checked: deps/<name> is made from
				* it, without reading the entry's folders; may be NULL */
	bool trusted;          /* its install scripts may run: its files are copied, not linked,
				* so that they cannot change the store; trusting it anew
				* re-makes deps/ */
};

/*
 * Calls fn with the name of each package deps_dir holds ("zlib",
 * "@scope/name"): its folders and links, @scope folders looked into one
 * level deep; dot-named entries (.bin, .build, .knit-state) and files
 * (knit.cmake) are knit's own. No deps_dir: 0, fn never called. 0, or
 * KNIT_EIO with one line in *err for a folder that cannot be read.
 */
int knit_depsdir_each_package(const char *deps_dir, void (*fn)(void *ctx, const char *name), void *ctx,
			      struct strbuf *err);

/* Whether project_dir/deps already holds exactly these packages. */
bool knit_depsdir_in_place(const char *project_dir, const struct knit_depsdir_link *pkgs, size_t n);
/*
 * Called with the new deps/ folder, complete, before it is swapped in (for
 * the packages' install scripts); non-zero stops the sync with deps/ as it
 * was. May be NULL.
 */
typedef int (*knit_depsdir_before_swap_fn)(void *ctx, const char *new_deps, struct strbuf *err);

/*
 * Makes project_dir/deps hold exactly these packages. *changed says whether
 * it did anything. 0, or KNIT_EIO with a line in *err (deps/ unchanged).
 */
int knit_depsdir_sync(const char *project_dir, const struct knit_depsdir_link *pkgs, size_t n,
		   knit_depsdir_before_swap_fn before_swap, void *ctx, bool *changed,
		   struct strbuf *err);

/*
 * knit_depsdir_sync's first half, for a transaction (project/txn.h): builds
 * the new deps/ in <project_dir>/.deps-<pid>-XXXXXX, its .knit-state
 * written last, and appends that name (relative to project_dir) to
 * *tmp_name and the state to *state; appends nothing when deps/ already
 * holds these packages. 0, or KNIT_EIO with a line in *err (nothing left).
 */
/* What making a deps/ took, for knit install --timing: entries made under it. */
struct knit_depsdir_counts {
	size_t files;   /* hard links (or copies) */
	size_t folders;
	size_t links;   /* symbolic links kept from the store */
};
int knit_depsdir_prepare(const char *project_dir, const struct knit_depsdir_link *pkgs, size_t n,
		      knit_depsdir_before_swap_fn before_swap, void *ctx, struct strbuf *tmp_name,
		      struct strbuf *state, struct knit_depsdir_counts *counts, struct strbuf *err);
/*
 * The second half, idempotent: puts the prepared folder tmp_name in place
 * of deps/ unless deps/.knit-state already is state; the old deps/ is left
 * under the name tmp_name for the caller to remove. 0; KNIT_ENOTFOUND when
 * neither deps/ nor tmp_name holds state (nothing done); KNIT_EIO with a
 * line in *err.
 */
int knit_depsdir_exchange(const char *project_dir, const char *tmp_name, const struct strbuf *state,
		       struct strbuf *err);

#endif
