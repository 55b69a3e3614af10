/*
 * knit install and knit ci: the two faces of project/install.c.
 */
#include "cli.h"
#include "options.h"
#include "cli_session.h"
#include "project/install.h"
#include "project/sources.h"
#include "util/error.h"
#include "util/pkgname.h"

#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static const char *const install_usage[] = {
	"knit install [--registry <url>] [--frozen-lockfile] [--offline|--prefer-offline] [--resolution highest|lowest] [--save-dev] [--save-exact] [--timing] [<package>[@<range>]...]",
	NULL };
static const char *const uninstall_usage[] = { "knit uninstall [--registry <url>] [--timing] <package>...", NULL };
static const char *const ci_usage[] = { "knit ci [--registry <url>] [--offline|--prefer-offline] [--verify] [--timing]", NULL };
static const char *const update_usage[] = { "knit update [--registry <url>] [--prefer-offline] [--timing] [<package>...]", NULL };

/* --timing, any of the four commands; or KNIT_TIMING set to anything but "" and "0" */
static int timing_flag;
#define TIMING_OPTION KNIT_OPT_BOOL_(0, "timing", &timing_flag, "print each phase's time and what it did, to stderr")

static bool timing_wanted(void)
{
	const char *env = getenv("KNIT_TIMING");
	return timing_flag || (env && *env && strcmp(env, "0"));
}

/* "timing: setup ..., resolve ...; ... in all" and "timing: N requests, X received; F files, ... in deps/" */
static void print_timing(struct knit_cli_session *cs, const struct knit_install_stats *stats)
{
	struct strbuf line = STRBUF_INIT;
	knit_cli_session_phases(cs, &line);
	fprintf(cs->cli->err, "timing: %s\n", line.buf);
	struct knit_fetch_counts counts;
	knit_fetch_get_counts(cs->session.fetch, &counts);
	char bytes[32];
	knit_human_size(counts.bytes, bytes, sizeof(bytes));
	fprintf(cs->cli->err, "timing: %zu request%s, %s received; %zu files linked, %zu folders and %zu links made in deps/\n",
		counts.started, counts.started == 1 ? "" : "s", bytes, stats->files_placed, stats->folders_made,
		stats->links_made);
	strbuf_release(&line);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* SIGINT, SIGTERM: the core stops at its next safe point (util/error.h), the project as it was */
static void on_interrupt(int sig)
{
	(void)sig;
	knit_interrupt();
}

static int run(struct knit_cli *cli, struct knit_install_opts *opts, const char *registry,
	       enum knit_cache_mode mode)
{
	struct knit_cli_session cs;
	if (knit_cli_session_open(&cs, cli, registry, mode))
		return KNIT_EXIT_FAILURE;
	struct strbuf err = STRBUF_INIT;
	struct knit_install_stats stats;
	double t0 = now();
	struct sigaction sa = { .sa_handler = on_interrupt }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int rc = knit_install(&cs.session, opts, &stats, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	knit_cli_session_quiet(&cs);
	if (rc == KNIT_EINTR) {
		fprintf(cli->err, "knit: %s\n", err.buf); /* not an error of the install's: the user's choice */
	} else if (rc == KNIT_ENOSOLUTION) {
		fprintf(cli->err, "knit: error: no versions satisfy knit.json:\n%s\n", err.buf);
	} else if (rc) {
		knit_error(cli, "%s", err.buf);
	} else {
		fprintf(cli->out, "%zu package%s in deps/ (%zu fetched, deps/ %s%s%s) in %.2fs\n", stats.packages,
			stats.packages == 1 ? "" : "s", stats.fetched, stats.deps_changed ? "updated" : "unchanged",
			opts->mode == KNIT_INSTALL_CI ? ""
			: stats.lock_changed ? ", knit.lock written" : ", knit.lock unchanged",
			stats.manifest_changed ? ", knit.json updated" : "", now() - t0);
		if (timing_wanted())
			print_timing(&cs, &stats);
	}
	knit_cli_session_close(&cs);
	strbuf_release(&err);
	return rc == KNIT_EINTR ? KNIT_EXIT_INTERRUPTED : rc ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
}

static void release_folders(struct strbuf *folders, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_release(&folders[i]);
	free(folders);
}

int cmd_install(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL, *resolution = NULL;
	int frozen = 0, save_dev = 0, save_exact = 0, offline = 0, prefer = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "offline", &offline, "use only the caches: no network at all"),
		KNIT_OPT_BOOL_(0, "prefer-offline", &prefer, "use the cached packuments where they have the answer"),
		KNIT_OPT_BOOL_('D', "save-dev", &save_dev, "add the packages to devDependencies"),
		KNIT_OPT_BOOL_('E', "save-exact", &save_exact, "save the exact version, not ^version"),
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "the registry to use (default: .knitrc, then ~/.knit/registry)"),
		KNIT_OPT_BOOL_(0, "frozen-lockfile", &frozen, "fail instead of changing knit.lock"),
		KNIT_OPT_STRING_(0, "resolution", &resolution, "mode", "highest (npm's choice) or lowest satisfying versions"),
		TIMING_OPTION,
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, install_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	struct knit_dep *specs = calloc((size_t)n + 1, sizeof(*specs));
	char **names = calloc((size_t)n + 1, sizeof(*names));
	struct strbuf *folders = calloc((size_t)n + 1, sizeof(*folders));
	for (int i = 0; i < n; i++) {
		struct strbuf err = STRBUF_INIT;
		const char *range;
		if (knit_spec_split(argv[i], &names[i], &range, &err)) {
			knit_error(cli, "%s", err.buf);
			strbuf_release(&err);
			for (int k = 0; k < i; k++)
				free(names[k]);
			free(names);
			free(specs);
			release_folders(folders, n);
			return KNIT_EXIT_FAILURE;
		}
		strbuf_init(&folders[i], 0);
		if (range && knit_spec_kind(range) == KNIT_SPEC_FILE) { /* a folder from where the user stood */
			strbuf_addstr(&folders[i], "file:");
			knit_cli_path(cli, range + 5, &folders[i]);
			range = folders[i].buf;
		}
		specs[i] = (struct knit_dep){ names[i], range ? range : "" };
	}
	if (n && frozen) {
		knit_error(cli, "--frozen-lockfile cannot add packages: adding changes knit.lock");
		n = -1;
	}
	struct knit_install_opts o = { .project_dir = ".", .mode = KNIT_INSTALL,
				       .frozen_lockfile = frozen, .add = specs, .nadd = n > 0 ? (size_t)n : 0,
				       .save_dev = save_dev, .save_exact = save_exact };
	int rc = KNIT_EXIT_FAILURE;
	enum knit_cache_mode mode = KNIT_CACHE_REVALIDATE;
	if (knit_cache_mode_option(cli, offline, prefer, &mode))
		n = -1;
	if (resolution && !strcmp(resolution, "lowest"))
		o.resolution = KNIT_RESOLUTION_LOWEST;
	else if (resolution && strcmp(resolution, "highest"))
		knit_error(cli, "--resolution takes 'highest' or 'lowest', not '%s'", resolution), n = -1;
	if (n >= 0)
		rc = run(cli, &o, registry, mode);
	for (int i = 0; names[i]; i++)
		free(names[i]);
	free(names);
	free(specs);
	release_folders(folders, n);
	return rc;
}

int cmd_uninstall(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "the registry to use"),
		TIMING_OPTION,
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, uninstall_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (!n) {
		knit_error(cli, "uninstall needs the names of the packages to remove");
		return KNIT_EXIT_FAILURE;
	}
	if (!knit_cli_names_valid(cli, argv, (size_t)n))
		return KNIT_EXIT_FAILURE;
	struct knit_install_opts o = { .project_dir = ".", .mode = KNIT_INSTALL, .remove = argv,
				       .nremove = (size_t)n };
	return run(cli, &o, registry, KNIT_CACHE_REVALIDATE);
}

int cmd_ci(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	int offline = 0, prefer = 0, verify = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "offline", &offline, "use only the store: no network at all"),
		KNIT_OPT_BOOL_(0, "prefer-offline", &prefer, "the store first, the network for what it lacks"),
		KNIT_OPT_BOOL_(0, "verify", &verify, "check every store entry's file digests, not only sizes and mtimes"),
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "the registry to fetch from; locked URLs are rebased onto it"),
		TIMING_OPTION,
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, ci_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "ci takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	enum knit_cache_mode mode = KNIT_CACHE_REVALIDATE;
	if (knit_cache_mode_option(cli, offline, prefer, &mode))
		return KNIT_EXIT_FAILURE;
	struct knit_install_opts o = { .project_dir = ".", .mode = KNIT_INSTALL_CI, .verify = verify };
	return run(cli, &o, registry, mode);
}

int cmd_update(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	int prefer = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "prefer-offline", &prefer, "use the cached packuments where they have the answer"),
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "the registry to use"),
		TIMING_OPTION,
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, update_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (!knit_cli_names_valid(cli, argv, (size_t)n))
		return KNIT_EXIT_FAILURE;
	struct knit_install_opts o = { .project_dir = ".", .mode = KNIT_INSTALL, .update = true, .unlock = argv,
				       .nunlock = (size_t)n };
	return run(cli, &o, registry, prefer ? KNIT_CACHE_PREFER : KNIT_CACHE_REVALIDATE);
}
