/*
 * The knit command line.
 *
 * To add a command:
 *   1. write cli/cmd_<name>.c with `int cmd_<name>(int argc, const char **argv,
 *      struct knit_cli *cli)`, its usage lines and an option table;
 *   2. declare it below and add it to knit_commands[] in cli/knit.c;
 *   3. add man/knit-<name>.1 (tests/cli/t0450-man-synopsis.sh checks its
 *      SYNOPSIS against `knit <name> -h`) and tests under tests/cli/.
 *
 * Commands print through cli->out and cli->err and return an exit status;
 * only cli/ prints or exits. The core below (project/ on registry/ and
 * store/, on resolver/, on util/: one library each, README's Layout) returns
 * knit_errno values with a message, reports warnings and progress through
 * the session (project/session.h, made here by cli_session.h), and decides
 * every rule: a command here parses its arguments, calls the core and
 * prints what it returns.
 */
#ifndef KNIT_CLI_CLI_H
#define KNIT_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct strbuf;

/* Exit statuses; knit(1) documents them. */
enum knit_exit {
	KNIT_EXIT_OK = 0,
	KNIT_EXIT_FAILURE = 1, /* the command failed, or was used wrongly */
	KNIT_EXIT_INTERRUPTED = 130, /* SIGINT or SIGTERM stopped an install, as shells report 128 + SIGINT */
};

struct knit_cli {
	FILE *out;
	FILE *err;
	/*
	 * Where the user stood, relative to the project folder that knit
	 * changed into (knit_cli_run): "" there, "src/net" below it. Paths the
	 * user gives go through knit_cli_path.
	 */
	const char *subdir;
	const char *init_cwd; /* that folder, absolute; NULL when unknown */
};

/* A path the user gave (relative to where they stood), as the project folder reads it. */
void knit_cli_path(const struct knit_cli *cli, const char *path, struct strbuf *out);
/*
 * A registry the user gave (--registry) as the project folder reads it: a
 * folder's path made relative to it, still written as a path ("./reg", not
 * "reg"); a URL, or anything else, as it is.
 */
void knit_cli_registry(const struct knit_cli *cli, const char *value, struct strbuf *out);

typedef int (*knit_cmd_fn)(int argc, const char **argv, struct knit_cli *cli);

/*
 * What a command does to the world, so that "did you mean" never offers a
 * command of another kind than the one a typo came closest to: `knit rn`
 * is as close to run as to rm (uninstall), so it is answered with neither.
 */
enum knit_effect {
	KNIT_EFFECT_READ,     /* shows or checks, changes nothing */
	KNIT_EFFECT_EDIT,     /* changes knit.json, knit.lock or deps/ by resolving */
	KNIT_EFFECT_RESTORE,  /* replaces deps/ with what knit.lock says */
	KNIT_EFFECT_CREATE,   /* writes new files: a project, a tarball, an index */
	KNIT_EFFECT_RUN,      /* runs the project's scripts or commands, or builds */
	KNIT_EFFECT_REGISTRY, /* changes what a registry serves */
	KNIT_EFFECT_ACCOUNT,  /* changes settings or the tokens kept in ~/.knitrc */
	KNIT_EFFECT_DELETE,   /* removes cached data */
};

struct knit_command {
	const char *name;
	knit_cmd_fn fn;
	enum knit_effect effect;
	const char *summary;
	/*
	 * Runs in the folder it was started in. The others run in the project:
	 * the nearest folder at or above it that holds knit.json.
	 */
	bool here;
};

/* Another name for a command, as npm has them: `knit i` is `knit install`. */
struct knit_alias {
	const char *alias;
	const char *name;
};

extern const struct knit_command knit_commands[];
extern const struct knit_alias knit_aliases[];

/* Runs knit with argv as main() got it; returns the exit status. */
int knit_cli_run(int argc, const char **argv, struct knit_cli *cli);
/* The command named name, or by an alias of it; NULL for neither. */
const struct knit_command *knit_command_find(const char *name);
/*
 * The command a mistyped word most likely meant, among the commands and
 * their aliases, or NULL when none is close or the closest ones differ in
 * effect.
 */
const struct knit_command *knit_command_suggest(const char *word);
/* "'<word>' is not a knit command", with the suggestion or "see 'knit help'". */
void knit_command_unknown(struct knit_cli *cli, const char *word);
/* The candidate closest to word by edit distance, or NULL if none is close. */
const char *knit_closest(const char *word, const char *const *candidates, size_t n);
/* The edit distance between a and b, a swap of two neighbours counting one. */
size_t knit_edit_distance(const char *a, const char *b);
/* The edit distance from word to candidate, at most 1 when word is a prefix of it. */
size_t knit_word_distance(const char *word, const char *candidate);
/* Whether a distance from word is close enough to suggest. */
bool knit_word_close(const char *word, size_t distance);

/* knit --knit-complete -- <words>: the candidates for the last word, one a line; never an error (cmd_completion.c). */
int knit_complete(int argc, const char **argv, struct knit_cli *cli);

int cmd_cache(int argc, const char **argv, struct knit_cli *cli);
int cmd_ci(int argc, const char **argv, struct knit_cli *cli);
int cmd_completion(int argc, const char **argv, struct knit_cli *cli);
int cmd_config(int argc, const char **argv, struct knit_cli *cli);
int cmd_deprecate(int argc, const char **argv, struct knit_cli *cli);
int cmd_dist_tag(int argc, const char **argv, struct knit_cli *cli);
int cmd_doctor(int argc, const char **argv, struct knit_cli *cli);
int cmd_env(int argc, const char **argv, struct knit_cli *cli);
int cmd_build(int argc, const char **argv, struct knit_cli *cli);
int cmd_exec(int argc, const char **argv, struct knit_cli *cli);
int cmd_help(int argc, const char **argv, struct knit_cli *cli);
int cmd_init(int argc, const char **argv, struct knit_cli *cli);
int cmd_install(int argc, const char **argv, struct knit_cli *cli);
int cmd_login(int argc, const char **argv, struct knit_cli *cli);
int cmd_logout(int argc, const char **argv, struct knit_cli *cli);
int cmd_ls(int argc, const char **argv, struct knit_cli *cli);
int cmd_outdated(int argc, const char **argv, struct knit_cli *cli);
int cmd_pack(int argc, const char **argv, struct knit_cli *cli);
int cmd_publish(int argc, const char **argv, struct knit_cli *cli);
int cmd_registry(int argc, const char **argv, struct knit_cli *cli);
int cmd_run(int argc, const char **argv, struct knit_cli *cli);
int cmd_start(int argc, const char **argv, struct knit_cli *cli);
int cmd_test(int argc, const char **argv, struct knit_cli *cli);
int cmd_semver(int argc, const char **argv, struct knit_cli *cli);
int cmd_uninstall(int argc, const char **argv, struct knit_cli *cli);
int cmd_unpublish(int argc, const char **argv, struct knit_cli *cli);
int cmd_update(int argc, const char **argv, struct knit_cli *cli);
int cmd_version(int argc, const char **argv, struct knit_cli *cli);
int cmd_view(int argc, const char **argv, struct knit_cli *cli);
int cmd_whoami(int argc, const char **argv, struct knit_cli *cli);
int cmd_why(int argc, const char **argv, struct knit_cli *cli);

/* output.c: messages as git writes them, "knit: error: ..." */
void knit_error(struct knit_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void knit_warning(struct knit_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "93 B", "1.2 kB", "3.4 MB", "1.1 GB": decimal units, as npm prints them */
void knit_human_size(unsigned long long n, char *buf, size_t size);
/*
 * Whether each of the n package names given on the command line is valid;
 * after the first that is not, its error ("'<name>' is not a valid package
 * name: <rule>") and false.
 */
bool knit_cli_names_valid(struct knit_cli *cli, const char *const *names, size_t n);

#endif
