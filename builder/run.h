/*
 * One step of a build: a command run in a folder with some variables set,
 * its output appended to the build's log, waited for. Internal to builder/.
 */
#ifndef KNIT_BUILDER_RUN_H
#define KNIT_BUILDER_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

struct knit_build_env {
	char **vars; /* "NAME=value", malloc'd; replaces the environment's NAME */
	size_t n, alloc;
};

/* Sets name to value for the steps (copied). */
void knit_build_env_set(struct knit_build_env *e, const char *name, const char *value);
/* The environment's value of name, or "" when unset: for flags that add to what the user set. */
const char *knit_build_env_get(const char *name);
void knit_build_env_release(struct knit_build_env *e);

struct knit_build_status {
	int exit_code; /* when it exited */
	int signal;    /* when a signal ended it */
};

/*
 * Runs argv (NULL-terminated; argv[0] looked up on PATH) in dir with env,
 * stdin from /dev/null, stdout and stderr appended to log_fd, after a line
 * "$ <argv>" there. 0 with *st filled in (the command may have failed), or
 * KNIT_EIO when it could not be started, with one line in *err.
 */
int knit_build_exec(const char *const *argv, const char *dir, const struct knit_build_env *env, int log_fd,
		    struct knit_build_status *st, struct strbuf *err);

/*
 * Starts argv as knit_build_exec does, without waiting: *pid is the child,
 * for knit_build_wait. 0, or KNIT_EIO with one line in *err.
 */
int knit_build_start(const char *const *argv, const char *dir, const struct knit_build_env *env, int log_fd,
		     int *pid, struct strbuf *err);
/* Waits for a child knit_build_start made. 0 with *st, or KNIT_EIO with one line in *err. */
int knit_build_wait(int pid, const char *what, struct knit_build_status *st, struct strbuf *err);

/*
 * Runs argv (in ".") with env and stdout captured into *out (at most max
 * bytes, else KNIT_EIO), stderr to log_fd. 0 with *st filled in, or
 * KNIT_EIO with one line in *err.
 */
int knit_build_capture(const char *const *argv, const struct knit_build_env *env, int log_fd, size_t max,
		       struct strbuf *out, struct knit_build_status *st, struct strbuf *err);

/* Whether an executable called tool is in one of PATH's folders. */
bool knit_build_on_path(const char *tool);

#endif
