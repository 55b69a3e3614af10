/*
 * Running knit.json's scripts, as npm run does: /bin/sh -c in the project
 * folder (a line that is one simple command runs its program directly, as
 * bash -c would), deps/.bin first on PATH, knit_package_name, knit_package_version
 * and knit_lifecycle_event in the environment, pre<name> and post<name>
 * around <name>, extra arguments appended shell-quoted to <name> alone.
 *
 * Each script runs in a process group of its own (on a terminal, made the
 * foreground group, so ^C and input go to it); SIGINT, SIGTERM and SIGHUP
 * sent to knit while it runs go on to that whole group, so a server started
 * by the script's shell gets them too.
 */
#ifndef KNIT_PROJECT_SCRIPTS_H
#define KNIT_PROJECT_SCRIPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "builder/builder.h"
#include "project/manifest.h"
#include "util/strbuf.h"

struct knit_script_status {
	const char *failed; /* the script that stopped the run (pre, main or post), or NULL */
	int exit_code;      /* its exit status when it exited */
	int signal;         /* the signal that killed it, else 0 */
	bool forwarded;     /* that signal was sent to knit and passed on */
};

/* Called with each script's name and command line before it starts. */
typedef void (*knit_script_announce_fn)(void *ctx, const char *name, const char *command);

struct knit_script_run {
	const char *root;             /* the project folder, holding knit.json */
	const char *bin_dir;          /* first on PATH; NULL: <root>/deps/.bin */
	const struct knit_manifest *manifest;
	const char *name;             /* a script that the manifest has */
	const char *const *args;      /* appended to name's command */
	size_t nargs;
	knit_script_announce_fn announce; /* may be NULL */
	void *announce_ctx;
	const struct knit_sandbox *sandbox; /* runs each script in it (builder.h); NULL: as it is */
	bool alone;                   /* name only, without its pre and post scripts (knit version's hooks) */
	const char *cwd;              /* where it runs; NULL: root (knit exec: where the user stood) */
};

/*
 * Runs pre<name>, name and post<name> (those that exist; name alone with
 * run->alone), stopping at the
 * first that fails. 0 with status->failed NULL when all succeeded; 0 with
 * status->failed set when a script exited non-zero or was killed;
 * KNIT_EIO with one line in *err when a script could not be started.
 */
int knit_script_run(const struct knit_script_run *run, struct knit_script_status *status,
		    struct strbuf *err);

/*
 * knit exec: program (a path; a file without #! runs under /bin/sh, as
 * execvp runs it) with argv (argv[0] first, NULL-terminated), in run->root,
 * with the environment and the signal handling a script gets; run->name is
 * knit_lifecycle_event ("exec"), run->manifest may be NULL (no project:
 * knit_package_name and knit_package_version empty), args and announce are
 * not used. status as knit_script_run fills it, failed being argv[0]; a
 * program that cannot be run exits 127 (not found) or 126, as in a shell.
 */
int knit_script_exec(const struct knit_script_run *run, const char *program, const char *const *argv,
		     struct knit_script_status *status, struct strbuf *err);

/*
 * Where knit exec finds command: as given when it holds a '/', else the
 * first executable regular file bin_dir/command (bin_dir may be NULL),
 * then PATH_DIR/command along $PATH (an empty entry being "."), into *out;
 * false when there is none.
 */
bool knit_script_which(const char *command, const char *bin_dir, struct strbuf *out);

/*
 * Where command would be found on $PATH without deps/.bin, which scripts
 * put first (so a dependency's command of that name shadows it there):
 * the first executable regular file PATH_DIR/command in a folder of $PATH
 * other than one ending in deps/.bin (or empty or relative), into *out;
 * false when there is none.
 */
bool knit_script_shadowed(const char *command, struct strbuf *out);

/*
 * A script line that is one simple command, split as /bin/sh would split
 * it (plain words and '...' quoting only; no expansion, operator,
 * assignment, reserved word or dash builtin), with the program it runs:
 * argv[0] as written when it holds a '/' (relative to root), else found on
 * path (a $PATH value; an empty or relative entry before the match gives
 * up). false (and *out empty) for any other line, which goes to /bin/sh.
 */
struct knit_script_argv {
	char **argv;   /* argc words and a NULL */
	size_t argc;
	char *program; /* the file to execute */
};
bool knit_script_argv(const char *line, const char *root, const char *path, struct knit_script_argv *out);
void knit_script_argv_release(struct knit_script_argv *a);

/* Appends arg quoted for /bin/sh: 'it'\''s'. */
void knit_shell_quote(struct strbuf *out, const char *arg);
/* Appends arg as one /bin/sh word: as it is when nothing in it is special, else quoted. */
void knit_shell_word(struct strbuf *out, const char *arg);

#endif
