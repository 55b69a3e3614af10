/*
 * What every build kind's steps share: the argv being put together, the
 * build under way, and one step run with its failure told in one line.
 * Internal to builder/.
 */
#ifndef KNIT_BUILDER_STEP_H
#define KNIT_BUILDER_STEP_H

#include "builder.h"
#include "run.h"

/* An argv being put together: strings owned, NULL-terminated. */
struct knit_args {
	char **v;
	size_t n, alloc;
};

void knit_args_add(struct knit_args *a, const char *s);
/* fmt holds one %s, for s. */
void knit_args_addf(struct knit_args *a, const char *fmt, const char *s);
/* Each whitespace-separated word of words (a CFLAGS-style variable). */
void knit_args_add_words(struct knit_args *a, const char *words);
void knit_args_release(struct knit_args *a);

/* One build under way. */
struct build {
	const struct knit_build_req *req;
	struct knit_build_failure *fail;
	struct knit_build_env env;
	int log_fd;
	struct strbuf tree;  /* the build tree: work/build */
	struct strbuf copy;  /* autotools and make: the sources' copy, work/src */
	char jobs[16];
};

/* a as the sandbox runs it (bwrap ... -- a), when the build is sandboxed; else a as it is. */
void knit_build_sandboxed(struct build *b, struct knit_args *a, const char *dir);

/* Runs a (released after) in dir, sandboxed when the build is; a failure fills in *b->fail and the one-line error. */
int knit_build_step(struct build *b, const char *name, struct knit_args *a, const char *dir, struct strbuf *err);
/* The error for step name ending as st says: "<name> <version>: <kind> <step> failed (exit N); see <log>". */
int knit_build_failed(struct build *b, const char *name, const struct knit_build_status *st, struct strbuf *err);

/* The sources kind (sources.c). */
int knit_build_sources(struct build *b, struct strbuf *err);

#endif
