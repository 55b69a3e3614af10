/*
 * knit cache verify: every store entry checked against its index, down to
 * each file's digest; the damaged ones named and removed, so that the next
 * install extracts them again.
 */
#include "cli.h"
#include "options.h"
#include "project/build_cache.h"
#include "project/manifest.h"
#include "util/config.h"
#include "store/store.h"

#include <string.h>

static const char *const cache_usage[] = { "knit cache verify [--dry-run]", NULL };

struct report {
	struct knit_cli *cli;
	const char *cache_dir;
	bool remove;
};

/* "name@version (entry)" from the entry's own manifest, or the entry alone when it names nothing. */
static int on_damaged(void *ctx, const char *pkg_dir, const char *why, struct strbuf *err)
{
	struct report *r = ctx;
	struct knit_manifest m;
	struct strbuf scratch = STRBUF_INIT;
	const char *end = strrchr(pkg_dir, '/'), *start = end;
	while (start > pkg_dir && start[-1] != '/')
		start--;
	bool named = !knit_manifest_read_package(&m, pkg_dir, "a store entry", &scratch);
	strbuf_release(&scratch);
	int rc = r->remove ? knit_store_evict(r->cache_dir, pkg_dir, err) : 0;
	if (named && m.name && m.version)
		fprintf(r->cli->out, "damaged: %s@%s (%.*s) (%s)%s\n", m.name, m.version, (int)(end - start), start,
			why, r->remove && !rc ? ", removed" : "");
	else
		fprintf(r->cli->out, "damaged: %.*s (%s)%s\n", (int)(end - start), start, why,
			r->remove && !rc ? ", removed" : "");
	if (named)
		knit_manifest_release(&m);
	return rc;
}

static int on_damaged_build(void *ctx, const char *key_id, const char *label, const char *why, struct strbuf *err)
{
	(void)err;
	struct report *r = ctx;
	fprintf(r->cli->out, "damaged build: %s (%.16s) (%s)%s\n", label, key_id, why, r->remove ? ", removed" : "");
	return 0;
}

int cmd_cache(int argc, const char **argv, struct knit_cli *cli)
{
	int dry_run = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_('n', "dry-run", &dry_run, "only report the damaged entries; remove nothing"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, cache_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (!n || strcmp(argv[0], "verify")) {
		if (n)
			knit_error(cli, "'%s' is not a cache action; the action is 'verify'", argv[0]);
		else
			knit_error(cli, "cache needs an action: verify");
		return KNIT_EXIT_FAILURE;
	}
	if (n > 1) {
		knit_error(cli, "cache verify takes no arguments, got '%s'", argv[1]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_config cfg;
	struct strbuf err = STRBUF_INIT;
	if (knit_config_load(&cfg, ".", NULL, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	struct report r = { cli, cfg.cache_dir, !dry_run };
	size_t checked, bad;
	int rc = knit_store_verify(cfg.cache_dir, on_damaged, &r, &checked, &bad, &err);
	if (rc)
		knit_error(cli, "%s", err.buf);
	else if (!bad)
		fprintf(cli->out, "%zu store entries verified, none damaged\n", checked);
	else
		fprintf(cli->out, "%zu store entries verified, %zu damaged%s\n", checked, bad,
			dry_run ? "" : " and removed");
	size_t builds = 0, bad_builds = 0;
	if (!rc && (rc = knit_build_cache_verify(cfg.cache_dir, !dry_run, on_damaged_build, &r, &builds, &bad_builds,
						 &err)))
		knit_error(cli, "%s", err.buf);
	else if (!rc && !bad_builds)
		fprintf(cli->out, "%zu build%s verified, none damaged\n", builds, builds == 1 ? "" : "s");
	else if (!rc)
		fprintf(cli->out, "%zu build%s verified, %zu damaged%s\n", builds, builds == 1 ? "" : "s", bad_builds,
			dry_run ? "" : " and removed");
	bad += bad_builds;
	knit_config_release(&cfg);
	strbuf_release(&err);
	return rc || bad ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
}
