/*
 * knit why <package>: every path from the project to the package in
 * knit.lock, with the range on each edge and the version each step chose.
 */
#include "cli.h"
#include "options.h"
#include "resolver/lockfile.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 200

static const char *const why_usage[] = { "knit why [--lockfile <file>] <package>", NULL };

struct edge {
	const char *name, *range;
};

struct walk {
	const struct knit_lockfile *lf;
	const char *target;
	const char *root_label;
	struct edge *path;
	size_t depth, cap;
	size_t printed, found;
	struct knit_cli *cli;
};

static bool on_path(const struct walk *w, const char *name)
{
	for (size_t i = 0; i < w->depth; i++)
		if (!strcmp(w->path[i].name, name))
			return true;
	return false;
}

static void print_path(struct walk *w)
{
	w->found++;
	if (w->printed >= MAX_PATHS)
		return;
	w->printed++;
	fprintf(w->cli->out, "  %s", w->root_label);
	for (size_t i = 0; i < w->depth; i++) {
		fprintf(w->cli->out, " > %s@%s", w->path[i].name, w->path[i].range);
		if (i + 1 < w->depth) {
			const struct knit_lock_pkg *p = knit_lockfile_find(w->lf, w->path[i].name);
			fprintf(w->cli->out, " (%s)", p ? p->version : "not installed");
		}
	}
	fputc('\n', w->cli->out);
}

static void visit(struct walk *w, const char *name, const char *range)
{
	if (on_path(w, name))
		return; /* a cycle adds no path: the shorter one without it is printed */
	KNIT_ALLOC_GROW(w->path, w->depth + 1, w->cap);
	w->path[w->depth++] = (struct edge){ name, range };
	if (!strcmp(name, w->target)) {
		print_path(w);
	} else {
		const struct knit_lock_pkg *p = knit_lockfile_find(w->lf, name);
		for (size_t i = 0; p && i < p->deps.n; i++)
			visit(w, p->deps.items[i].name, p->deps.items[i].range);
	}
	w->depth--;
}

int cmd_why(int argc, const char **argv, struct knit_cli *cli)
{
	const char *lockfile = NULL; /* given: read from where the user stood */
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "lockfile", &lockfile, "file", "the lockfile to read (default: knit.lock)"),
		KNIT_OPT_END_(),
	};
	struct knit_lockfile lf;
	struct strbuf err = STRBUF_INIT;
	int n = knit_parse_options(argc, argv, opts, why_usage, cli);

	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n != 1) {
		knit_error(cli, "why takes one package name; see 'knit why --help'");
		return KNIT_EXIT_FAILURE;
	}
	const char *target = argv[0];
	if (!knit_cli_names_valid(cli, argv, 1))
		return KNIT_EXIT_FAILURE;
	struct strbuf path = STRBUF_INIT;
	if (lockfile)
		knit_cli_path(cli, lockfile, &path);
	else
		strbuf_addstr(&path, lockfile = "knit.lock");
	int rc = knit_lockfile_read(&lf, path.buf, &err);
	strbuf_release(&path);
	if (rc == KNIT_ENOTFOUND) {
		knit_error(cli, "no %s here; 'knit install' writes it", lockfile);
		return KNIT_EXIT_FAILURE;
	}
	if (rc) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	const struct knit_lock_pkg *pkg = knit_lockfile_find(&lf, target);
	if (!pkg) {
		const char **names = knit_xcalloc(lf.n + 1, sizeof(*names));
		for (size_t i = 0; i < lf.n; i++)
			names[i] = lf.pkgs[i].name;
		const char *best = knit_closest(target, names, lf.n);
		if (best)
			knit_error(cli, "'%s' is not in %s; did you mean '%s'?", target, lockfile, best);
		else
			knit_error(cli, "'%s' is not in %s", target, lockfile);
		free(names);
		knit_lockfile_release(&lf);
		return KNIT_EXIT_FAILURE;
	}

	fprintf(cli->out, "%s@%s\n", pkg->name, pkg->version);
	struct walk w = { .lf = &lf, .target = target, .cli = cli };
	w.root_label = "dependencies";
	for (size_t i = 0; i < lf.root_deps.n; i++)
		visit(&w, lf.root_deps.items[i].name, lf.root_deps.items[i].range);
	w.root_label = "devDependencies";
	for (size_t i = 0; i < lf.root_dev_deps.n; i++)
		visit(&w, lf.root_dev_deps.items[i].name, lf.root_dev_deps.items[i].range);
	if (w.found > w.printed)
		fprintf(cli->out, "  ... and %zu more paths\n", w.found - w.printed);
	if (!w.found)
		fprintf(cli->out, "  (no path from the project's dependencies reaches it: 'knit install' "
				  "will remove it)\n");
	for (size_t i = 0; i < lf.root_overrides.n; i++)
		if (!strcmp(lf.root_overrides.items[i].name, target))
			fprintf(cli->out, "  overridden to %s by the project's overrides\n",
				lf.root_overrides.items[i].range);
	free(w.path);
	knit_lockfile_release(&lf);
	return KNIT_EXIT_OK;
}
