/*
 * knit cache: what the cache holds (ls), where it is (dir), cleaning it
 * (clean: project/cache_admin.h decides what goes) and checking it
 * (verify: every store entry and build against its index, the damaged
 * ones named and removed, so that the next install or build makes them
 * again).
 */
#include "cli.h"
#include "options.h"
#include "project/build_cache.h"
#include "project/cache_admin.h"
#include "project/manifest.h"
#include "util/config.h"
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const cache_usage[] = {
	"knit cache ls [--sources | --builds]",
	"knit cache clean [--sources | --builds] [--older-than <days>] [--dry-run]",
	"knit cache verify [--dry-run]",
	"knit cache dir",
	NULL,
};

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

static int verify(struct knit_cli *cli, const char *cache_dir, bool dry_run)
{
	struct strbuf err = STRBUF_INIT;
	struct report r = { cli, cache_dir, !dry_run };
	size_t checked, bad;
	int rc = knit_store_verify(cache_dir, on_damaged, &r, &checked, &bad, &err);
	if (rc)
		knit_error(cli, "%s", err.buf);
	else if (!bad)
		fprintf(cli->out, "%zu store entries verified, none damaged\n", checked);
	else
		fprintf(cli->out, "%zu store entries verified, %zu damaged%s\n", checked, bad,
			dry_run ? "" : " and removed");
	size_t builds = 0, bad_builds = 0;
	if (!rc && (rc = knit_build_cache_verify(cache_dir, !dry_run, on_damaged_build, &r, &builds, &bad_builds,
						 &err)))
		knit_error(cli, "%s", err.buf);
	else if (!rc && !bad_builds)
		fprintf(cli->out, "%zu build%s verified, none damaged\n", builds, builds == 1 ? "" : "s");
	else if (!rc)
		fprintf(cli->out, "%zu build%s verified, %zu damaged%s\n", builds, builds == 1 ? "" : "s", bad_builds,
			dry_run ? "" : " and removed");
	strbuf_release(&err);
	return rc || bad || bad_builds ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
}

/* An entry's id as ls shows it: a key's or a digest's first 16 digits, a file's name whole. */
static void short_id(const struct knit_cache_item *it, struct strbuf *out)
{
	const char *dash = it->kind == KNIT_CACHE_SOURCE ? strchr(it->id, '-') : NULL;
	size_t keep = dash ? (size_t)(dash - it->id) + 1 + 16 : it->kind == KNIT_CACHE_BUILD ? 16 : strlen(it->id);
	strbuf_add(out, it->id, keep < strlen(it->id) ? keep : strlen(it->id));
}

static void print_day(FILE *f, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char day[16] = "?";
	if (t > 0 && gmtime_r(&tt, &tm))
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	fputs(day, f);
}

static int list(struct knit_cli *cli, const char *cache_dir, unsigned kinds)
{
	struct knit_cache_items items;
	struct strbuf err = STRBUF_INIT, id = STRBUF_INIT;
	if (knit_cache_list(cache_dir, kinds, &items, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	unsigned long long bytes[4] = { 0 }, total = 0;
	size_t count[4] = { 0 }, in_use[4] = { 0 };
	for (size_t i = 0; i < items.n; i++) {
		const struct knit_cache_item *it = &items.v[i];
		char size[32];
		knit_human_size(it->bytes, size, sizeof(size));
		strbuf_reset(&id);
		short_id(it, &id);
		if (it->kind == KNIT_CACHE_METADATA)
			fprintf(cli->out, "%-8s  %s (%llu files)  %s  used ", knit_cache_kind_name(it->kind), it->label,
				it->files, size);
		else
			fprintf(cli->out, "%-8s  %s  %s  %s  used ", knit_cache_kind_name(it->kind), it->label, id.buf,
				size);
		print_day(cli->out, it->last_used);
		fputs(it->in_use ? "  in use\n" : "\n", cli->out);
		bytes[it->kind] += it->bytes;
		total += it->bytes;
		count[it->kind]++;
		in_use[it->kind] += it->in_use;
	}
	static const char *const plural[] = { "sources", "mirrors", "builds", "metadata" };
	struct strbuf line = STRBUF_INIT;
	for (int k = 0; k < 4; k++) {
		if (!count[k] || k == KNIT_CACHE_METADATA)
			continue;
		char size[32];
		knit_human_size(bytes[k], size, sizeof(size));
		strbuf_addf(&line, "%s%zu %s (%s", line.len ? ", " : "", count[k],
			    count[k] == 1 ? knit_cache_kind_name(k) : plural[k], size);
		if (k != KNIT_CACHE_MIRROR)
			strbuf_addf(&line, ", %zu in use", in_use[k]);
		strbuf_addch(&line, ')');
	}
	if (count[KNIT_CACHE_METADATA]) {
		char size[32];
		knit_human_size(bytes[KNIT_CACHE_METADATA], size, sizeof(size));
		strbuf_addf(&line, "%spackage metadata (%s)", line.len ? ", " : "", size);
	}
	char size[32];
	knit_human_size(total, size, sizeof(size));
	if (line.len)
		fprintf(cli->out, "%s; %s in all in %s\n", line.buf, size, cache_dir);
	else
		fprintf(cli->out, "the cache is empty (%s)\n", cache_dir);
	strbuf_release(&line);
	strbuf_release(&id);
	strbuf_release(&err);
	knit_cache_items_release(&items);
	return KNIT_EXIT_OK;
}

struct clean_report {
	struct knit_cli *cli;
	bool dry_run;
};

static void on_removed(void *ctx, const struct knit_cache_item *it)
{
	struct clean_report *r = ctx;
	char size[32];
	knit_human_size(it->bytes, size, sizeof(size));
	struct strbuf id = STRBUF_INIT;
	short_id(it, &id);
	if (it->kind == KNIT_CACHE_METADATA)
		fprintf(r->cli->out, "%s %s: %llu files, %s\n", r->dry_run ? "would remove" : "removed", it->label,
			it->files, size);
	else
		fprintf(r->cli->out, "%s %s %s (%s), %s\n", r->dry_run ? "would remove" : "removed",
			knit_cache_kind_name(it->kind), it->label, id.buf, size);
	strbuf_release(&id);
}

static int clean(struct knit_cli *cli, const char *cache_dir, unsigned kinds, long long older_than, bool dry_run)
{
	struct knit_cache_clean_opts o = { kinds, older_than, dry_run };
	struct knit_cache_clean_result res;
	struct clean_report r = { cli, dry_run };
	struct strbuf err = STRBUF_INIT;
	int rc = knit_cache_clean(cache_dir, &o, on_removed, &r, &res, &err);
	if (rc)
		knit_error(cli, "%s", err.buf);
	char size[32];
	knit_human_size(res.bytes_removed, size, sizeof(size));
	fprintf(cli->out, "%s %zu entr%s (%s); kept %zu in use", dry_run ? "would remove" : "removed", res.removed,
		res.removed == 1 ? "y" : "ies", size, res.kept_in_use);
	if (older_than >= 0)
		fprintf(cli->out, " and %zu used in the last %lld day%s", res.kept_recent, older_than / 86400,
			older_than == 86400 ? "" : "s");
	fputc('\n', cli->out);
	strbuf_release(&err);
	return rc ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
}

/* A whole number of days, 0 to 100 years: seconds, or -1 after the error. */
static long long parse_days(struct knit_cli *cli, const char *s)
{
	char *end;
	errno = 0;
	long long days = strtoll(s, &end, 10);
	if (!*s || *end || errno || days < 0 || days > 36500) {
		knit_error(cli, "--older-than takes a whole number of days, got '%s'", s);
		return -1;
	}
	return days * 86400;
}

int cmd_cache(int argc, const char **argv, struct knit_cli *cli)
{
	int dry_run = 0, builds = 0, sources = 0;
	const char *older = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_('n', "dry-run", &dry_run, "only report what would be removed; remove nothing"),
		KNIT_OPT_BOOL_(0, "builds", &builds, "ls, clean: only the builds"),
		KNIT_OPT_BOOL_(0, "sources", &sources, "ls, clean: only the packages' sources (store entries and git mirrors)"),
		KNIT_OPT_STRING_(0, "older-than", &older, "days", "clean: only what no project used for that many days"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, cache_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	static const char *const actions[] = { "ls", "clean", "verify", "dir" };
	int action = -1;
	for (int i = 0; n && i < 4; i++)
		if (!strcmp(argv[0], actions[i]))
			action = i;
	if (action < 0) {
		if (n)
			knit_error(cli, "'%s' is not a cache action; the actions are ls, clean, verify and dir", argv[0]);
		else
			knit_error(cli, "cache needs an action: ls, clean, verify or dir");
		return KNIT_EXIT_FAILURE;
	}
	if (n > 1) {
		knit_error(cli, "cache %s takes no arguments, got '%s'", argv[0], argv[1]);
		return KNIT_EXIT_FAILURE;
	}
	if ((builds || sources) && action >= 2) {
		knit_error(cli, "--%s is for cache ls and cache clean", builds ? "builds" : "sources");
		return KNIT_EXIT_FAILURE;
	}
	if (builds && sources) {
		knit_error(cli, "--builds and --sources exclude each other; without either, both are covered");
		return KNIT_EXIT_FAILURE;
	}
	if (older && action != 1) {
		knit_error(cli, "--older-than is for cache clean");
		return KNIT_EXIT_FAILURE;
	}
	if (dry_run && action != 1 && action != 2) {
		knit_error(cli, "--dry-run is for cache clean and cache verify");
		return KNIT_EXIT_FAILURE;
	}
	long long older_than = older ? parse_days(cli, older) : -1;
	if (older && older_than < 0)
		return KNIT_EXIT_FAILURE;
	struct knit_config cfg;
	struct strbuf err = STRBUF_INIT;
	if (knit_config_load(&cfg, ".", NULL, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	strbuf_release(&err);
	unsigned kinds = builds ? KNIT_CACHE_BUILDS : sources ? KNIT_CACHE_SOURCES : KNIT_CACHE_ALL;
	int rc;
	switch (action) {
	case 0:
		rc = list(cli, cfg.cache_dir, kinds);
		break;
	case 1:
		rc = clean(cli, cfg.cache_dir, kinds, older_than, dry_run);
		break;
	case 2:
		rc = verify(cli, cfg.cache_dir, dry_run);
		break;
	default:
		fprintf(cli->out, "%s\n", cfg.cache_dir);
		rc = KNIT_EXIT_OK;
		break;
	}
	knit_config_release(&cfg);
	return rc;
}
