/*
 * knit semver: node-semver's command (`npx semver`), argument for argument.
 *
 * Its argument handling is node-semver's bin/semver.js, quirks included, so
 * that scripts moving from npx semver see the same output and exit status:
 * an argument holding '=' is split there ("--range=^1" works, and so does the
 * odd ">=1.0.0" as a version, which becomes ">" and "1.0.0"), and anything
 * unrecognised is taken as a version. knit only adds a warning on stderr for
 * an unknown option, with the closest real one.
 */
#include "cli.h"
#include "options.h"
#include "resolver/semver.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const semver_usage[] = {
	"knit semver [-r <range>]... [-p] [-l] [-i [<level>]] [--preid <id>] [-n <base>] [-c] [--rtl|--ltr] [--reverse] <version>...",
	NULL,
};

/* For -h and suggestions only: the parsing below follows bin/semver.js. */
static const struct knit_option semver_options[] = {
	KNIT_OPT_STRING_('r', "range", NULL, "range", "print the versions that satisfy the range (repeatable)"),
	KNIT_OPT_STRING_('i', "increment", NULL, "level", "increment a single version: major, premajor, minor, preminor, patch, prepatch, prerelease or release (default patch)"),
	KNIT_OPT_STRING_(0, "preid", NULL, "id", "identifier for pre-release increments"),
	KNIT_OPT_STRING_('n', NULL, NULL, "base", "pre-release number base: 0, 1, or false for none"),
	KNIT_OPT_BOOL_('l', "loose", NULL, "interpret versions and ranges loosely"),
	KNIT_OPT_BOOL_('p', "include-prerelease", NULL, "include pre-release versions in range matching"),
	KNIT_OPT_BOOL_('c', "coerce", NULL, "coerce a string into a version if possible"),
	KNIT_OPT_BOOL_(0, "rtl", NULL, "coerce right to left"),
	KNIT_OPT_BOOL_(0, "ltr", NULL, "coerce left to right (default)"),
	KNIT_OPT_BOOL_(0, "reverse", NULL, "sort in descending order"),
	KNIT_OPT_STRING_('v', "version", NULL, "version", "a version to check (same as giving it bare)"),
	KNIT_OPT_END_(),
};

static void print_help(struct knit_cli *cli)
{
	knit_usage(cli->out, semver_usage, semver_options);
	fprintf(cli->out,
		"\nPrints the valid versions that satisfy every range, sorted, one a line;\n"
		"exits 1 when none does. Behaves as node-semver " KNIT_SEMVER_NODE_VERSION "'s command.\n");
}

/* An argument queue, because bin/semver.js pushes split values back in front. */
struct queue {
	const char **items;
	size_t head, n, alloc;
};

static void q_unshift(struct queue *q, const char *s)
{
	if (q->head == 0) {
		KNIT_ALLOC_GROW(q->items, q->n + 1, q->alloc);
		memmove(q->items + 1, q->items, q->n * sizeof(*q->items));
		q->items[0] = s;
		q->n++;
	} else {
		q->items[--q->head] = s;
	}
}

static const char *q_shift(struct queue *q)
{
	return q->head < q->n ? q->items[q->head++] : NULL;
}

static const char *q_peek(struct queue *q)
{
	return q->head < q->n ? q->items[q->head] : NULL;
}

struct list {
	const char **items;
	size_t n, alloc;
};

static void push(struct list *l, const char *s)
{
	KNIT_ALLOC_GROW(l->items, l->n + 1, l->alloc);
	l->items[l->n++] = s;
}

static bool is_valid(const char *v, unsigned flags)
{
	struct knit_version parsed;
	if (!v || knit_version_parse(&parsed, v, strlen(v), flags))
		return false;
	knit_version_release(&parsed);
	return true;
}

static void warn_unknown(struct knit_cli *cli, const char *a)
{
	const char *names[32];
	size_t n = 0;
	for (const struct knit_option *o = semver_options; o->type != KNIT_OPT_END; o++)
		if (o->long_name)
			names[n++] = o->long_name;
	const char *best = knit_closest(a + strspn(a, "-"), names, n);
	knit_warning(cli, "semver: unknown option '%s'%s%s%s; taken as a version, as npx semver does", a,
		     best ? " (did you mean '--" : "", best ? best : "", best ? "'?)" : "");
}

int cmd_semver(int argc, const char **argv, struct knit_cli *cli)
{
	struct queue q = { 0 };
	struct list versions = { 0 }, ranges = { 0 };
	char **owned = NULL;
	size_t nowned = 0, owned_alloc = 0;
	bool reverse = false, loose = false, incpr = false, coerce = false, rtl = false;
	const char *inc = NULL, *inc_errant = NULL, *inc_option = NULL, *identifier = NULL;
	const char *base_arg = NULL;
	int rc = KNIT_EXIT_FAILURE;

	if (argc < 2) {
		print_help(cli);
		return KNIT_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		KNIT_ALLOC_GROW(q.items, q.n + 1, q.alloc);
		q.items[q.n++] = argv[i];
	}

	const char *a;
	while ((a = q_shift(&q))) {
		const char *eq = strchr(a, '=');
		if (eq) {
			KNIT_ALLOC_GROW(owned, nowned + 1, owned_alloc);
			owned[nowned++] = knit_xmemdupz(a, (size_t)(eq - a));
			q_unshift(&q, eq + 1);
			a = owned[nowned - 1];
		}
		if (!strcmp(a, "-rv") || !strcmp(a, "-rev") || !strcmp(a, "--rev") || !strcmp(a, "--reverse")) {
			reverse = true;
		} else if (!strcmp(a, "-l") || !strcmp(a, "--loose")) {
			loose = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--include-prerelease")) {
			incpr = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
			push(&versions, q_shift(&q));
		} else if (!strcmp(a, "-i") || !strcmp(a, "--inc") || !strcmp(a, "--increment")) {
			const char *next = q_peek(&q);
			inc_option = a;
			if (next && knit_semver_is_release_type(next)) {
				inc = q_shift(&q);
				inc_errant = NULL;
			} else {
				inc = "patch";
				inc_errant = next;
			}
		} else if (!strcmp(a, "--preid")) {
			identifier = q_shift(&q);
		} else if (!strcmp(a, "-r") || !strcmp(a, "--range")) {
			push(&ranges, q_shift(&q));
		} else if (!strcmp(a, "-n")) {
			base_arg = q_shift(&q);
		} else if (!strcmp(a, "-c") || !strcmp(a, "--coerce")) {
			coerce = true;
		} else if (!strcmp(a, "--rtl")) {
			rtl = true;
		} else if (!strcmp(a, "--ltr")) {
			rtl = false;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-?")) {
			print_help(cli);
			rc = KNIT_EXIT_OK;
			goto done;
		} else {
			if (a[0] == '-' && a[1] && !is_valid(a, loose ? KNIT_SEMVER_LOOSE : 0))
				warn_unknown(cli, a);
			push(&versions, a);
		}
	}

	unsigned flags = (loose ? KNIT_SEMVER_LOOSE : 0) | (incpr ? KNIT_SEMVER_INCLUDE_PRERELEASE : 0);
	if (inc && inc_errant && !is_valid(inc_errant, flags)) {
		for (size_t i = 0; i < versions.n; i++) {
			if (versions.items[i] && !strcmp(versions.items[i], inc_errant)) {
				fprintf(cli->err, "Invalid value for %s; defaulting to 'patch'. This may become "
						  "a failure in future major versions.\n", inc_option);
				break;
			}
		}
	}

	/* map through coerce, then keep the valid ones */
	struct knit_version *items = knit_xcalloc(versions.n ? versions.n : 1, sizeof(*items));
	size_t nitems = 0;
	for (size_t i = 0; i < versions.n; i++) {
		const char *v = versions.items[i];
		if (coerce && v) {
			struct knit_version cv;
			if (!knit_semver_coerce(&cv, v, strlen(v), flags, rtl)) {
				KNIT_ALLOC_GROW(owned, nowned + 1, owned_alloc);
				owned[nowned++] = knit_version_to_string(&cv);
				knit_version_release(&cv);
				v = owned[nowned - 1];
			}
		}
		if (v && !knit_version_parse(&items[nitems], v, strlen(v), flags))
			nitems++;
	}

	if (!nitems)
		goto free_items;
	if (inc && (nitems != 1 || ranges.n)) {
		fprintf(cli->err, "--inc can only be used on a single version with no range\n");
		goto free_items;
	}
	for (size_t r = 0; r < ranges.n; r++) {
		struct knit_range range;
		size_t kept = 0;
		bool valid_range = ranges.items[r] &&
				   !knit_range_parse(&range, ranges.items[r], strlen(ranges.items[r]), flags);
		for (size_t i = 0; i < nitems; i++) {
			if (valid_range && knit_range_test(&range, &items[i]))
				items[kept++] = items[i];
			else
				knit_version_release(&items[i]);
		}
		nitems = kept;
		if (valid_range)
			knit_range_release(&range);
		if (!nitems)
			goto free_items;
	}

	size_t *order = knit_xcalloc(nitems, sizeof(*order));
	knit_semver_order(order, items, nitems, reverse);
	for (size_t i = 0; i < nitems; i++) {
		char *clean = knit_version_to_string(&items[order[i]]);
		if (inc) {
			char *next = knit_semver_inc(clean, strlen(clean), inc, flags, identifier,
						     knit_semver_inc_base_from_string(base_arg));
			fprintf(cli->out, "%s\n", next ? next : "null");
			free(next);
		} else {
			fprintf(cli->out, "%s\n", clean);
		}
		free(clean);
	}
	free(order);
	rc = KNIT_EXIT_OK;

free_items:
	for (size_t i = 0; i < nitems; i++)
		knit_version_release(&items[i]);
	free(items);
done:
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(q.items);
	free(versions.items);
	free(ranges.items);
	return rc;
}
