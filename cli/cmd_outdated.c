/*
 * knit outdated: the table of project/outdated.h, as npm outdated prints it,
 * exit status 1 when something is behind.
 */
#include "cli.h"
#include "cli_session.h"
#include "options.h"
#include "project/outdated.h"
#include "project/txn.h"
#include "util/error.h"

#include <string.h>

static const char *const outdated_usage[] = { "knit outdated [--registry <url>] [--offline|--prefer-offline]", NULL };

int cmd_outdated(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	int offline = 0, prefer = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "offline", &offline, "answer from the packument cache only"),
		KNIT_OPT_BOOL_(0, "prefer-offline", &prefer, "use the cached packuments where they have the answer"),
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "the registry to ask"),
		KNIT_OPT_END_(),
	};
	struct strbuf err = STRBUF_INIT;
	struct knit_manifest m;
	struct knit_lockfile lf = { 0 };
	int n = knit_parse_options(argc, argv, opts, outdated_usage, cli), rc;

	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	enum knit_cache_mode mode;
	if (knit_cache_mode_option(cli, offline, prefer, &mode))
		return KNIT_EXIT_FAILURE;
	if ((rc = knit_txn_read_project(".", &m, &err))) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	rc = knit_lockfile_read(&lf, "knit.lock", &err);
	bool have_lock = !rc;
	struct knit_cli_session cs;
	if (rc && rc != KNIT_ENOTFOUND) {
		knit_error(cli, "%s", err.buf);
	} else if (!knit_cli_session_open(&cs, cli, registry, mode)) {
		struct knit_outdated list;
		if ((rc = knit_outdated_list(&cs.session, &m, have_lock ? &lf : NULL, &list, &err)))
			knit_error(cli, "%s", err.buf);
		for (size_t i = 0; !rc && i < list.n; i++) {
			const struct knit_outdated_row *r = &list.rows[i];
			if (!i)
				fprintf(cli->out, "%-30s %-12s %-12s %-12s %s\n", "Package", "Current", "Wanted",
					"Latest", "Type");
			fprintf(cli->out, "%-30s %-12s %-12s %-12s %s\n", r->name, r->current ? r->current : "missing",
				r->wanted ? r->wanted : "none", r->latest ? r->latest : "none",
				r->dev ? "devDependencies" : "dependencies");
		}
		/* as npm outdated: 1 when something is behind, and after an error */
		rc = rc || list.n;
		knit_outdated_release(&list);
		knit_cli_session_close(&cs);
		knit_lockfile_release(&lf);
		knit_manifest_release(&m);
		strbuf_release(&err);
		return rc ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
	}
	knit_lockfile_release(&lf);
	knit_manifest_release(&m);
	strbuf_release(&err);
	return KNIT_EXIT_FAILURE;
}
