/*
 * The commit of an install: deps/, its build files, knit.lock and
 * knit.json change together or not at all, whatever kills knit.
 *
 *   1. prepare  everything new is made beside what is in use: the new deps/
 *               in <project>/.deps-<pid>-XXXXXX (complete, its .knit-state
 *               written last), the texts of the files to replace in memory.
 *   2. commit   ONE rename publishes the journal <project>/.knit-txn
 *               (written to .knit-txn.tmp-<pid>-XXXXXX and fsync'ed first):
 *               the prepared folder's name, the .knit-state it holds, and
 *               each file's path, whole new text and the hash of the text
 *               it replaces. Before this rename the
 *               project is wholly old; from it on, wholly new once applied.
 *               When no file changes (deps/ alone: knit ci, a relink), there
 *               is no journal: the exchange of step 3 is the commit.
 *   3. apply    each step is idempotent: deps/ is exchanged with the
 *               prepared folder unless deps/.knit-state already is the new
 *               state (then the prepared name holds the old deps/);
 *               each file is written atomically unless it already
 *               holds its text or someone changed it since (build files in
 *               deps/, then knit.lock, then knit.json); then the journal is
 *               removed, and last the old deps/ (from then on a stale
 *               temporary that recovery removes, should this be killed).
 *
 * Every command that reads or changes the project first takes the project
 * lock and calls knit_txn_recover: a journal found is applied again (roll
 * forward, safe to repeat when recovery itself is killed); without one, the
 * prepared parts of a killed run are removed (roll back). A journal whose
 * prepared folder is gone while deps/ is not the new one has applied
 * nothing (deps/ is always its first step) and is dropped.
 *
 * Temporary names carry their owner's PID: .deps-<pid>-*, <file>.tmp-<pid>-*
 * (util/fs.c), store/tmp/pkg-<pid>-* (store/store.c); a temporary whose
 * owner is gone is stale.
 */
#ifndef KNIT_PROJECT_TXN_H
#define KNIT_PROJECT_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "project/manifest.h"
#include "util/strbuf.h"

#define KNIT_TXN_JOURNAL ".knit-txn"

struct knit_txn_file {
	char *path; /* relative to the project: knit.json, knit.lock or a build file in deps/ */
	struct strbuf text;
	bool changed; /* set by knit_txn_commit: the file's text was different */
	bool had_base; /* the file existed when the transaction began, */
	uint64_t base; /* with this FNV-1a hash of its text: a file edited since (after a
			* crash, before recovery) is left as the user made it */
};

struct knit_txn {
	struct strbuf deps_tmp;   /* the prepared deps/ folder's name in the project, or empty */
	struct strbuf deps_state; /* the .knit-state it holds */
	struct knit_txn_file *files;
	size_t n, alloc;
	bool deps_changed; /* set by knit_txn_commit */
};

void knit_txn_init(struct knit_txn *t);
/* The file path (relative) gets text (copied) at the commit. */
void knit_txn_add_file(struct knit_txn *t, const char *path, const char *text, size_t len);
/*
 * Publishes the journal and applies it (the caller holds the project
 * lock); with nothing to change, writes nothing. 0, or KNIT_EIO with a line
 * in *err: then the project is wholly old, or the journal stays for the
 * next run to finish.
 */
int knit_txn_commit(const char *project_dir, struct knit_txn *t, struct strbuf *err);
void knit_txn_release(struct knit_txn *t);

/*
 * With the project lock held: finishes or undoes an interrupted install
 * (see above) and removes the project's stale temporaries (its own entries
 * and deps/'s only). 0, or an error with a line in *err naming the journal.
 */
int knit_txn_recover(const char *project_dir, struct strbuf *err);

/*
 * For the commands that only read the project (ls, run, env, ...): takes
 * the project lock (waiting for a running install), recovers, releases it.
 * 0 (also when project_dir is no project), or an error with a line in *err.
 */
int knit_txn_recover_project(const char *project_dir, struct strbuf *err);

/*
 * What every command that reads a project does first: recovers it
 * (above), then reads its knit.json into *m. 0; KNIT_ENOTFOUND with "no
 * knit.json here" (or "no knit.json in <dir>"); or the error of either.
 */
int knit_txn_read_project(const char *project_dir, struct knit_manifest *m, struct strbuf *err);


#endif
