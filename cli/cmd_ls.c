/*
 * knit ls: the installed dependency tree, from knit.lock, as npm ls prints it.
 */
#include "cli.h"
#include "options.h"
#include "project/deps_check.h"
#include "project/manifest.h"
#include "project/txn.h"
#include "resolver/lockfile.h"
#include "util/error.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const ls_usage[] = { "knit ls [--json] [--depth <n>] [--all]", NULL };

struct tree {
	const struct knit_lockfile *lf;
	long depth;
	bool *expanded; /* per lock package: already shown with its children */
	struct strbuf *out;
	bool json;
	bool *absent;   /* per lock package: locked, but deps/ lacks it */
};

static long index_of(const struct knit_lockfile *lf, const struct knit_lock_pkg *p)
{
	return p ? p - lf->pkgs : -1;
}

static void text_node(struct tree *t, const char *name, const char *range, const char *prefix,
		      bool last, long level, bool dev)
{
	const struct knit_lock_pkg *p = knit_lockfile_find(t->lf, name);
	strbuf_addf(t->out, "%s%s %s", prefix, last ? "└──" : "├──", name);
	if (!p) {
		strbuf_addf(t->out, "@%s UNMET DEPENDENCY\n", range);
		return;
	}
	long i = index_of(t->lf, p);
	strbuf_addf(t->out, "@%s%s%s", p->version, dev ? " (dev)" : "", t->absent[i] ? " MISSING from deps/" : "");
	bool has_children = p->deps.n && level < t->depth;
	if (has_children && t->expanded[i]) {
		strbuf_addstr(t->out, " deduped\n");
		return;
	}
	strbuf_addch(t->out, '\n');
	if (!has_children)
		return;
	t->expanded[i] = true;
	struct strbuf sub = STRBUF_INIT;
	strbuf_addf(&sub, "%s%s", prefix, last ? "    " : "│   ");
	for (size_t k = 0; k < p->deps.n; k++)
		text_node(t, p->deps.items[k].name, p->deps.items[k].range, sub.buf, k + 1 == p->deps.n,
			  level + 1, false);
	strbuf_release(&sub);
}

static void json_node(struct tree *t, const char *name, const char *range, int indent, long level)
{
	const struct knit_lock_pkg *p = knit_lockfile_find(t->lf, name);
	knit_json_string(t->out, name);
	strbuf_addstr(t->out, ": {");
	if (!p) {
		knit_json_indent(t->out, indent + 1);
		strbuf_addstr(t->out, "\"required\": ");
		knit_json_string(t->out, range);
		strbuf_addstr(t->out, ",");
		knit_json_indent(t->out, indent + 1);
		strbuf_addstr(t->out, "\"missing\": true");
	} else {
		knit_json_indent(t->out, indent + 1);
		strbuf_addstr(t->out, "\"version\": ");
		knit_json_string(t->out, p->version);
		if (t->absent[index_of(t->lf, p)]) {
			strbuf_addstr(t->out, ",");
			knit_json_indent(t->out, indent + 1);
			strbuf_addstr(t->out, "\"missing\": true");
		}
		if (p->deps.n && level < t->depth) {
			strbuf_addstr(t->out, ",");
			knit_json_indent(t->out, indent + 1);
			strbuf_addstr(t->out, "\"dependencies\": {");
			for (size_t k = 0; k < p->deps.n; k++) {
				knit_json_indent(t->out, indent + 2);
				json_node(t, p->deps.items[k].name, p->deps.items[k].range, indent + 2, level + 1);
				if (k + 1 < p->deps.n)
					strbuf_addch(t->out, ',');
			}
			knit_json_indent(t->out, indent + 1);
			strbuf_addch(t->out, '}');
		}
	}
	knit_json_indent(t->out, indent);
	strbuf_addch(t->out, '}');
}

/* The i-th problem of check, missing ones first, as one line. */
static void problem(const struct knit_deps_check *check, size_t i, struct strbuf *line)
{
	if (i < check->nmissing)
		strbuf_addf(line, "missing: %s is in knit.lock but not in deps/; 'knit ci' restores it",
			    check->missing[i]);
	else
		strbuf_addf(line, "extraneous: deps/%s is not in knit.lock; 'knit ci' removes it",
			    check->extraneous[i - check->nmissing]);
}

int cmd_ls(int argc, const char **argv, struct knit_cli *cli)
{
	int json = 0, all = 0;
	const char *depth = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "json", &json, "print JSON"),
		KNIT_OPT_STRING_(0, "depth", &depth, "n", "levels below the project's own dependencies (default 0)"),
		KNIT_OPT_BOOL_('a', "all", &all, "every level"),
		KNIT_OPT_END_(),
	};
	struct knit_lockfile lf;
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int n = knit_parse_options(argc, argv, opts, ls_usage, cli);

	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "ls takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	char *end = NULL;
	long levels = all ? 1L << 30 : depth ? strtol(depth, &end, 10) : 0;
	if (depth && (!*depth || *end || levels < 0)) {
		knit_error(cli, "--depth takes a number of levels, not '%s'", depth);
		return KNIT_EXIT_FAILURE;
	}
	/* under the project lock: finish or undo an interrupted install, then read knit.json */
	int rc = knit_txn_read_project(".", &m, &err);
	if (rc) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	rc = knit_lockfile_read(&lf, "knit.lock", &err);
	if (rc) {
		knit_error(cli, "%s", rc == KNIT_ENOTFOUND ? "no knit.lock here; 'knit install' writes it" : err.buf);
		knit_manifest_release(&m);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_deps_check check;
	if ((rc = knit_deps_check(".", &lf, &check, &err))) {
		knit_error(cli, "%s", err.buf);
		knit_deps_check_release(&check);
		knit_lockfile_release(&lf);
		knit_manifest_release(&m);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	struct tree t = { &lf, levels, knit_xcalloc(lf.n + 1, sizeof(bool)), &out, json,
			  knit_xcalloc(lf.n + 1, sizeof(bool)) };
	for (size_t i = 0; i < check.nmissing; i++)
		t.absent[index_of(&lf, knit_lockfile_find(&lf, check.missing[i]))] = true;
	const struct knit_deps *fields[2] = { &m.deps, &m.dev_deps };
	if (json) {
		strbuf_addch(&out, '{');
		knit_json_indent(&out, 1);
		strbuf_addstr(&out, "\"name\": ");
		knit_json_string(&out, m.name ? m.name : "");
		strbuf_addch(&out, ',');
		knit_json_indent(&out, 1);
		strbuf_addstr(&out, "\"version\": ");
		knit_json_string(&out, m.version ? m.version : "");
		for (int f = 0; f < 2; f++) {
			strbuf_addch(&out, ',');
			knit_json_indent(&out, 1);
			strbuf_addf(&out, "\"%s\": {", f ? "devDependencies" : "dependencies");
			for (size_t i = 0; i < fields[f]->n; i++) {
				knit_json_indent(&out, 2);
				json_node(&t, fields[f]->items[i].name, fields[f]->items[i].range, 2, 0);
				if (i + 1 < fields[f]->n)
					strbuf_addch(&out, ',');
			}
			if (fields[f]->n)
				knit_json_indent(&out, 1);
			strbuf_addch(&out, '}');
		}
		strbuf_addch(&out, ',');
		knit_json_indent(&out, 1);
		strbuf_addstr(&out, "\"problems\": [");
		for (size_t i = 0; i < check.nmissing + check.nextraneous; i++) {
			struct strbuf line = STRBUF_INIT;
			problem(&check, i, &line);
			knit_json_indent(&out, 2);
			knit_json_string(&out, line.buf);
			if (i + 1 < check.nmissing + check.nextraneous)
				strbuf_addch(&out, ',');
			strbuf_release(&line);
		}
		if (check.nmissing + check.nextraneous)
			knit_json_indent(&out, 1);
		strbuf_addstr(&out, "]\n}\n");
	} else {
		strbuf_addf(&out, "%s@%s\n", m.name ? m.name : "(unnamed)", m.version ? m.version : "0.0.0");
		size_t total = m.deps.n + m.dev_deps.n, k = 0;
		for (int f = 0; f < 2; f++)
			for (size_t i = 0; i < fields[f]->n; i++, k++)
				text_node(&t, fields[f]->items[i].name, fields[f]->items[i].range, "", k + 1 == total, 0, f);
		if (!total)
			strbuf_addstr(&out, "└── (empty)\n");
	}
	fputs(out.buf, cli->out);
	/* as npm ls: what is wrong with deps/ on standard error, and exit 1 */
	for (size_t i = 0; i < check.nmissing + check.nextraneous; i++) {
		struct strbuf line = STRBUF_INIT;
		problem(&check, i, &line);
		knit_error(cli, "%s", line.buf);
		strbuf_release(&line);
	}
	int exit_code = check.nmissing + check.nextraneous ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
	knit_deps_check_release(&check);
	free(t.absent);
	free(t.expanded);
	knit_lockfile_release(&lf);
	knit_manifest_release(&m);
	strbuf_release(&out);
	strbuf_release(&err);
	return exit_code;
}
