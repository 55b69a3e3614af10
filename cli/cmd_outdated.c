/*
 * knit outdated: for each of the project's own dependencies, the locked
 * version, the one a fresh install would take for its range (wanted), and
 * the registry's latest, both chosen by resolver/pick.h as the solver chooses.
 * Git and folder dependencies are not the registry's, so they are left out.
 */
#include "cli.h"
#include "options.h"
#include "project/sources.h"
#include "project/manifest.h"
#include "util/config.h"
#include "util/fetch.h"
#include "registry/registry.h"
#include "resolver/lockfile.h"
#include "resolver/pick.h"
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
	struct knit_config cfg;
	int n = knit_parse_options(argc, argv, opts, outdated_usage, cli), rc, status = KNIT_EXIT_OK;

	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	enum knit_cache_mode mode;
	if (knit_cache_mode_option(cli, offline, prefer, &mode))
		return KNIT_EXIT_FAILURE;
	if ((rc = knit_manifest_read(&m, "knit.json", &err))) {
		knit_error(cli, "%s", rc == KNIT_ENOTFOUND ? "no knit.json here" : err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	rc = knit_lockfile_read(&lf, "knit.lock", &err);
	if (rc && rc != KNIT_ENOTFOUND) {
		knit_error(cli, "%s", err.buf);
		knit_manifest_release(&m);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	if ((rc = knit_config_load(&cfg, ".", registry, &err))) {
		knit_error(cli, "%s", err.buf);
		knit_lockfile_release(&lf);
		knit_manifest_release(&m);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_fetch_opts fo;
	knit_registry_fetch_opts(&cfg, &fo);
	struct knit_fetch *fetch = knit_fetch_new(&fo);
	struct knit_registry *reg = knit_registry_new(&cfg, fetch);
	knit_registry_set_cache_mode(reg, mode);
	const struct knit_source *src = knit_registry_source(reg);
	const struct knit_deps *fields[2] = { &m.deps, &m.dev_deps };
	/* git and folder dependencies are not the registry's: knit update re-resolves them */
	for (int f = 0; f < 2; f++)
		for (size_t i = 0; i < fields[f]->n; i++)
			if (knit_spec_kind(fields[f]->items[i].range) == KNIT_SPEC_REGISTRY)
				src->prefetch(src->ctx, fields[f]->items[i].name);

	bool header = false;
	for (int f = 0; f < 2 && status != KNIT_EXIT_FAILURE + 1; f++) {
		for (size_t i = 0; i < fields[f]->n; i++) {
			const struct knit_dep *d = &fields[f]->items[i];
			if (knit_spec_kind(d->range) != KNIT_SPEC_REGISTRY)
				continue;
			const struct knit_lock_pkg *locked = knit_lockfile_find(&lf, d->name);
			const struct knit_pkg *pkg;
			rc = src->load(src->ctx, d->name, &pkg);
			if (rc) {
				const char *msg = src->message(src->ctx, d->name);
				knit_error(cli, "cannot load '%s': %s", d->name, msg ? msg : knit_strerror(rc));
				status = KNIT_EXIT_FAILURE + 1; /* stop: an error, not "outdated" */
				break;
			}
			/* what a fresh knit install would take, and what npm outdated calls latest */
			const struct knit_pkg_version *w = knit_pick_spec(pkg, d->range, KNIT_RESOLUTION_HIGHEST);
			const struct knit_pkg_version *l = knit_pick_latest(pkg);
			const char *wanted = w ? w->version : NULL, *latest = l ? l->version : NULL;
			const char *current = locked ? locked->version : NULL;
			bool behind = !current || (wanted && strcmp(current, wanted)) ||
				      (latest && strcmp(current, latest));
			if (!behind)
				continue;
			if (!header) {
				fprintf(cli->out, "%-30s %-12s %-12s %-12s %s\n", "Package", "Current", "Wanted",
					"Latest", "Type");
				header = true;
			}
			fprintf(cli->out, "%-30s %-12s %-12s %-12s %s\n", d->name, current ? current : "missing",
				wanted ? wanted : "none", latest ? latest : "none",
				f ? "devDependencies" : "dependencies");
			status = KNIT_EXIT_FAILURE; /* as npm outdated: 1 when something is behind */
		}
	}
	if (status > KNIT_EXIT_FAILURE)
		status = KNIT_EXIT_FAILURE;
	knit_registry_free(reg);
	knit_fetch_free(fetch);
	knit_config_release(&cfg);
	knit_lockfile_release(&lf);
	knit_manifest_release(&m);
	strbuf_release(&err);
	return status;
}
