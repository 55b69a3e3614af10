/*
 * One option table per command drives both parsing and -h, after git's
 * parse-options. Long options take --name=value or --name value.
 */
#ifndef KNIT_CLI_OPTIONS_H
#define KNIT_CLI_OPTIONS_H

#include "cli.h"
#include "registry/registry.h"

enum knit_opt_type {
	KNIT_OPT_END = 0,
	KNIT_OPT_BOOL,   /* sets an int to 1 */
	KNIT_OPT_STRING, /* stores the argument in a const char * */
};

struct knit_option {
	enum knit_opt_type type;
	char short_name;
	const char *long_name;
	void *value;
	const char *argh; /* name of the argument in help, for KNIT_OPT_STRING */
	const char *help;
};

#define KNIT_OPT_BOOL_(s, l, v, h) { KNIT_OPT_BOOL, (s), (l), (v), NULL, (h) }
#define KNIT_OPT_STRING_(s, l, v, a, h) { KNIT_OPT_STRING, (s), (l), (v), (a), (h) }
#define KNIT_OPT_END_() { KNIT_OPT_END, 0, NULL, NULL, NULL, NULL }

enum { KNIT_PARSE_HELP = -2, KNIT_PARSE_ERROR = -1 };

/*
 * The one argument with which knit_parse_options prints the table's long
 * options, one a line ("--name", "--name=" for one taking a value), and
 * returns KNIT_PARSE_HELP: how completion learns a command's options.
 */
#define KNIT_COMPLETION_HELPER "--knit-completion-helper"

/*
 * Parses argv[1..] (argv[0] is the command name). Operands are moved to the
 * front of argv in order; "--" ends the options. Returns the number of
 * operands, KNIT_PARSE_HELP after printing help for -h/--help, or
 * KNIT_PARSE_ERROR after printing a one-line error with a suggestion.
 */
int knit_parse_options(int argc, const char **argv, const struct knit_option *opts,
		       const char *const *usage, struct knit_cli *cli);
enum knit_parse_flags {
	/* the first operand and every word after it are operands, as they are ("--" too) */
	KNIT_PARSE_STOP_AT_OPERAND = 1 << 0,
	/* an option the table lacks is an operand, with every word after it */
	KNIT_PARSE_STOP_AT_UNKNOWN = 1 << 1,
};
/* knit_parse_options, with enum knit_parse_flags (git's PARSE_OPT_STOP_AT_NON_OPTION) */
int knit_parse_options_flags(int argc, const char **argv, const struct knit_option *opts,
			     const char *const *usage, unsigned flags, struct knit_cli *cli);
/* Prints the usage lines and the option table. */
void knit_usage(FILE *f, const char *const *usage, const struct knit_option *opts);
/*
 * --offline and --prefer-offline, which exclude each other, as a cache
 * mode: 0, or -1 after printing the error.
 */
int knit_cache_mode_option(struct knit_cli *cli, int offline, int prefer, enum knit_cache_mode *out);

#endif
