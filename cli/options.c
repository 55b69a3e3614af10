#include "options.h"

#include <stdlib.h>
#include <string.h>

/* Levenshtein's distance with a swap of two neighbours as one edit (git's "damerau_levenshtein") */
size_t knit_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *rows = calloc(3 * (lb + 1), sizeof(*rows));
	if (!rows)
		return (size_t)-1;
	size_t *two = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && two[j - 2] + 1 < best)
				best = two[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = two;
		two = prev;
		prev = cur;
		cur = t;
	}
	size_t res = prev[lb];
	free(rows);
	return res;
}

size_t knit_word_distance(const char *word, const char *candidate)
{
	size_t d = knit_edit_distance(word, candidate);
	/* a prefix counts as close: "inst" suggests "install" */
	if (*word && !strncmp(candidate, word, strlen(word)))
		d = d < 1 ? d : 1;
	return d;
}

bool knit_word_close(const char *word, size_t distance)
{
	size_t len = strlen(word);
	return distance <= (len < 4 ? 1 : len / 2);
}

const char *knit_closest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = knit_word_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best && knit_word_close(word, best_d) ? best : NULL;
}

void knit_usage(FILE *f, const char *const *usage, const struct knit_option *opts)
{
	for (size_t i = 0; usage[i]; i++)
		fprintf(f, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
	if (opts && opts->type != KNIT_OPT_END)
		fputc('\n', f);
	for (const struct knit_option *o = opts; o && o->type != KNIT_OPT_END; o++) {
		char left[64];
		int n;
		if (o->short_name && o->long_name)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->short_name, o->long_name);
		else if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c", o->short_name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->long_name);
		if (o->type == KNIT_OPT_STRING && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " <%s>", o->argh);
		fprintf(f, "    %-28s %s\n", left, o->help);
	}
}

static void suggest(struct knit_cli *cli, const char *arg, const struct knit_option *opts)
{
	const char *names[64];
	size_t n = 0;
	const char *word = arg;

	while (*word == '-')
		word++;
	for (const struct knit_option *o = opts; o->type != KNIT_OPT_END && n < 63; o++) {
		if (o->long_name)
			names[n++] = o->long_name;
	}
	names[n++] = "help";
	const char *best = knit_closest(word, names, n);
	if (best)
		knit_error(cli, "unknown option '%s'; did you mean '--%s'?", arg, best);
	else
		knit_error(cli, "unknown option '%s'; see 'knit help'", arg);
}

static int take_value(const struct knit_option *o, const char *inline_value, int *i, int argc,
		      const char **argv, struct knit_cli *cli)
{
	if (o->type == KNIT_OPT_BOOL) {
		if (inline_value) {
			knit_error(cli, "option '--%s' takes no value", o->long_name);
			return KNIT_PARSE_ERROR;
		}
		*(int *)o->value = 1;
		return 0;
	}
	if (inline_value) {
		*(const char **)o->value = inline_value;
		return 0;
	}
	if (*i + 1 >= argc) {
		if (o->long_name)
			knit_error(cli, "option '--%s' needs a value", o->long_name);
		else
			knit_error(cli, "option '-%c' needs a value", o->short_name);
		return KNIT_PARSE_ERROR;
	}
	*(const char **)o->value = argv[++*i];
	return 0;
}

static const struct knit_option *long_option(const struct knit_option *opts, const char *name, size_t len)
{
	const struct knit_option *o;
	for (o = opts; o->type != KNIT_OPT_END; o++)
		if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			break;
	return o;
}

static const struct knit_option *short_option(const struct knit_option *opts, char c)
{
	const struct knit_option *o;
	for (o = opts; o->type != KNIT_OPT_END; o++)
		if (o->short_name == c)
			break;
	return o;
}

/* Whether a (an option word, not "--") names only options of the table, or -h/--help. */
static bool known_option(const struct knit_option *opts, const char *a)
{
	if (!strcmp(a, "-h") || !strcmp(a, "--help"))
		return true;
	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		return long_option(opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2))->type != KNIT_OPT_END;
	}
	for (const char *s = a + 1; *s; s++) {
		const struct knit_option *o = short_option(opts, *s);
		if (o->type == KNIT_OPT_END)
			return false;
		if (o->type == KNIT_OPT_STRING)
			return true; /* the rest is its value */
	}
	return true;
}

int knit_parse_options(int argc, const char **argv, const struct knit_option *opts,
		       const char *const *usage, struct knit_cli *cli)
{
	return knit_parse_options_flags(argc, argv, opts, usage, 0, cli);
}

int knit_parse_options_flags(int argc, const char **argv, const struct knit_option *opts,
			     const char *const *usage, unsigned flags, struct knit_cli *cli)
{
	int nops = 0;
	bool only_operands = false;

	/* the completion scripts ask a command for its options (cmd_completion.c), as git's --git-completion-helper */
	if (argc == 2 && !strcmp(argv[1], KNIT_COMPLETION_HELPER)) {
		for (const struct knit_option *o = opts; o->type != KNIT_OPT_END; o++)
			if (o->long_name)
				fprintf(cli->out, "--%s%s\n", o->long_name, o->type == KNIT_OPT_STRING ? "=" : "");
		return KNIT_PARSE_HELP;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_operands || a[0] != '-' || !a[1]) {
			argv[nops++] = a;
			if (flags & KNIT_PARSE_STOP_AT_OPERAND)
				only_operands = true;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = true;
			continue;
		}
		if ((flags & KNIT_PARSE_STOP_AT_UNKNOWN) && !known_option(opts, a)) {
			argv[nops++] = a;
			only_operands = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			knit_usage(cli->out, usage, opts);
			return KNIT_PARSE_HELP;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct knit_option *o = long_option(opts, name, len);
			if (o->type == KNIT_OPT_END) {
				suggest(cli, a, opts);
				return KNIT_PARSE_ERROR;
			}
			if (take_value(o, eq ? eq + 1 : NULL, &i, argc, argv, cli))
				return KNIT_PARSE_ERROR;
			continue;
		}
		/* bundled short options: -abc, or -ovalue for one taking a value */
		for (const char *s = a + 1; *s; s++) {
			const struct knit_option *o = short_option(opts, *s);
			if (o->type == KNIT_OPT_END) {
				char one[3] = { '-', *s, '\0' };
				suggest(cli, one, opts);
				return KNIT_PARSE_ERROR;
			}
			if (o->type == KNIT_OPT_STRING && s[1]) {
				*(const char **)o->value = s + 1;
				break;
			}
			if (take_value(o, NULL, &i, argc, argv, cli))
				return KNIT_PARSE_ERROR;
		}
	}
	return nops;
}

int knit_cache_mode_option(struct knit_cli *cli, int offline, int prefer, enum knit_cache_mode *out)
{
	if (offline && prefer) {
		knit_error(cli, "--offline and --prefer-offline exclude each other");
		return -1;
	}
	*out = offline ? KNIT_CACHE_ONLY : prefer ? KNIT_CACHE_PREFER : KNIT_CACHE_REVALIDATE;
	return 0;
}
