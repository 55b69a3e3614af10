/*
 * knit build: the dependencies that ship their own build system built into
 * deps/.build (project/build_deps.h), one line each, then the project's
 * own "build" script; --deps stops after the dependencies.
 */
#include "cli.h"
#include "cli_session.h"
#include "options.h"
#include "project/build_deps.h"
#include "project/manifest.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const char *const build_usage[] = {
	"knit build [--deps] [--debug] [--shared] [--push] [--no-sandbox] [-j <jobs>] [-- <args for the build script>]",
	"knit build --explain <pkg> [--debug] [--shared]", NULL };

int cmd_build(int argc, const char **argv, struct knit_cli *cli)
{
	int deps_only = 0, debug = 0, shared = 0, push = 0, no_sandbox = 0;
	const char *jobs_arg = NULL, *explain = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "deps", &deps_only, "build the dependencies only, not the project's build script"),
		KNIT_OPT_BOOL_(0, "debug", &debug, "build the dependencies for Debug rather than Release"),
		KNIT_OPT_BOOL_(0, "shared", &shared, "build the dependencies' shared libraries rather than static ones"),
		KNIT_OPT_BOOL_(0, "push", &push, "send what is built to the remote build cache (binary-cache)"),
		KNIT_OPT_BOOL_(0, "no-sandbox", &no_sandbox, "build outside the sandbox (network, the whole file system)"),
		KNIT_OPT_STRING_('j', "jobs", &jobs_arg, "jobs", "parallel jobs in each build (default: the cores)"),
		KNIT_OPT_STRING_(0, "explain", &explain, "pkg", "print what the package's build key is made of, and what changed"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, build_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	int jobs = 0;
	if (jobs_arg) {
		char *end;
		long j = strtol(jobs_arg, &end, 10);
		if (!*jobs_arg || *end || j < 1 || j > 1024) {
			knit_error(cli, "-j takes a number of jobs from 1 to 1024, not '%s'", jobs_arg);
			return KNIT_EXIT_FAILURE;
		}
		jobs = (int)j;
	}
	if (explain) {
		if (n > 0) {
			knit_error(cli, "build --explain takes one package, got '%s' too", argv[0]);
			return KNIT_EXIT_FAILURE;
		}
		struct knit_build_opts eo = { ".", debug, shared, jobs, false, false };
		struct strbuf out = STRBUF_INIT, eerr = STRBUF_INIT;
		int erc = knit_build_explain(&eo, explain, &out, &eerr);
		if (erc)
			knit_error(cli, "%s", eerr.buf);
		else
			fputs(out.buf, cli->out);
		strbuf_release(&out);
		strbuf_release(&eerr);
		return erc ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
	}
	if (deps_only && n > 0) {
		knit_error(cli, "build --deps takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_cli_session cs;
	if (knit_cli_session_open(&cs, cli, NULL, KNIT_CACHE_REVALIDATE))
		return KNIT_EXIT_FAILURE;
	struct knit_build_opts o = { ".", debug, shared, jobs, push, no_sandbox };
	struct strbuf err = STRBUF_INIT, tail = STRBUF_INIT;
	int rc = knit_build_deps(&cs.session, &o, &err, &tail);
	if (!rc)
		knit_cli_session_built_summary(&cs);
	knit_cli_session_close(&cs);
	if (rc) {
		knit_error(cli, "%s", err.buf);
		if (tail.len)
			fprintf(cli->err, "%s%s", tail.buf, tail.buf[tail.len - 1] == '\n' ? "" : "\n");
	}
	strbuf_release(&err);
	strbuf_release(&tail);
	if (rc)
		return KNIT_EXIT_FAILURE;
	if (deps_only)
		return KNIT_EXIT_OK;
	/* then the project's own build script, as knit run build -- <args> */
	struct knit_manifest m;
	struct strbuf merr = STRBUF_INIT;
	int read = knit_manifest_read(&m, "knit.json", &merr);
	bool has_script = !read && knit_manifest_script(&m, "build");
	if (!read)
		knit_manifest_release(&m);
	strbuf_release(&merr);
	if (!has_script)
		return KNIT_EXIT_OK;
	const char **run_argv = calloc((size_t)n + 4, sizeof(*run_argv));
	size_t k = 0;
	run_argv[k++] = "run";
	run_argv[k++] = "build";
	if (n > 0)
		run_argv[k++] = "--";
	for (int i = 0; i < n; i++)
		run_argv[k++] = argv[i];
	int status = cmd_run((int)k, run_argv, cli);
	free(run_argv);
	return status;
}
