/*
 * knit run <script> [<args>...]: a script from knit.json, with its pre
 * and post scripts (project/scripts.h). knit start and knit test are
 * shortcuts. knit run alone lists the scripts.
 *
 * The exit status is the failing script's; a script killed by a signal makes
 * knit raise the same signal on itself, so that a caller sees what a shell
 * running the command directly would see.
 */
#include "cli.h"
#include "options.h"
#include "project/manifest.h"
#include "project/scripts.h"
#include "project/txn.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const run_usage[] = { "knit run [-s] [<script> [<args>...]]", NULL };
static const char *const start_usage[] = { "knit start [-s] [<args>...]", NULL };
static const char *const test_usage[] = { "knit test [-s] [<args>...]", NULL };

static void list_scripts(struct knit_cli *cli, const struct knit_manifest *m)
{
	if (!m->nscripts) {
		fprintf(cli->out, "knit.json has no scripts\n");
		return;
	}
	fprintf(cli->out, "scripts in knit.json:\n");
	for (size_t i = 0; i < m->nscripts; i++)
		fprintf(cli->out, "  %s\n    %s\n", m->scripts[i].name, m->scripts[i].command);
}

static void unknown_script(struct knit_cli *cli, const struct knit_manifest *m, const char *name)
{
	if (!m->nscripts) {
		knit_error(cli, "no script '%s' in knit.json, which has no scripts", name);
		return;
	}
	const char **names = knit_xcalloc(m->nscripts, sizeof(*names));
	struct strbuf all = STRBUF_INIT;
	for (size_t i = 0; i < m->nscripts; i++) {
		names[i] = m->scripts[i].name;
		strbuf_addf(&all, "%s%s", i ? ", " : "", names[i]);
	}
	const char *best = knit_closest(name, names, m->nscripts);
	if (best)
		knit_error(cli, "no script '%s' in knit.json; did you mean '%s'? (scripts: %s)", name,
			   best, all.buf);
	else
		knit_error(cli, "no script '%s' in knit.json (scripts: %s)", name, all.buf);
	free(names);
	strbuf_release(&all);
}

static void announce(void *ctx, const char *name, const char *command)
{
	struct knit_cli *cli = ctx;
	fprintf(cli->err, "> %s: %s\n", name, command);
	fflush(cli->err);
}

static int run_script(int argc, const char **argv, struct knit_cli *cli, const char *fixed,
		      const char *const *usage)
{
	int silent = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_('s', "silent", &silent, "do not print each script's command line"),
		KNIT_OPT_END_(),
	};
	/*
	 * As pnpm has it: what follows the script's name is the script's
	 * (`knit run build --verbose`); for start and test, from the first
	 * option knit does not know. A "--" right after the name is dropped, as
	 * npm drops it.
	 */
	unsigned flags = KNIT_PARSE_STOP_AT_OPERAND | (fixed ? KNIT_PARSE_STOP_AT_UNKNOWN : 0);
	int n = knit_parse_options_flags(argc, argv, opts, usage, flags, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;

	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;
	/* under the project lock: finish or undo an interrupted install, then read knit.json */
	int rc = knit_txn_read_project(".", &m, &err);
	if (rc) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	const char *name = fixed;
	const char *const *args = argv;
	size_t nargs = (size_t)n;
	if (!name) {
		if (!n) {
			list_scripts(cli, &m);
			knit_manifest_release(&m);
			return KNIT_EXIT_OK;
		}
		name = argv[0];
		args++;
		nargs--;
		if (nargs && !strcmp(args[0], "--")) {
			args++;
			nargs--;
		}
	}
	if (!knit_manifest_script(&m, name)) {
		unknown_script(cli, &m, name);
		knit_manifest_release(&m);
		return KNIT_EXIT_FAILURE;
	}
	char *root = getcwd(NULL, 0);
	if (!root) {
		knit_error(cli, "cannot tell the current folder");
		knit_manifest_release(&m);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_script_run run = { root, NULL, &m, name, args, nargs, silent ? NULL : announce, cli, NULL, false, NULL };
	struct knit_script_status status;
	fflush(cli->out);
	rc = knit_script_run(&run, &status, &err);
	int exit_code = KNIT_EXIT_OK;
	if (rc) {
		knit_error(cli, "%s", err.buf);
		exit_code = KNIT_EXIT_FAILURE;
	} else if (status.signal) {
		if (!status.forwarded) /* else the caller asked for it: no news */
			knit_error(cli, "script '%s' was killed by signal %d (%s)", status.failed,
				   status.signal, strsignal(status.signal));
		int sig = status.signal;
		free(root);
		knit_manifest_release(&m);
		strbuf_release(&err);
		fflush(NULL);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 128 + sig; /* a signal whose default is not to end the process */
	} else if (status.failed) {
		knit_error(cli, "script '%s' exited with status %d", status.failed, status.exit_code);
		exit_code = status.exit_code;
	}
	free(root);
	knit_manifest_release(&m);
	strbuf_release(&err);
	return exit_code;
}

int cmd_run(int argc, const char **argv, struct knit_cli *cli)
{
	return run_script(argc, argv, cli, NULL, run_usage);
}

int cmd_start(int argc, const char **argv, struct knit_cli *cli)
{
	return run_script(argc, argv, cli, "start", start_usage);
}

int cmd_test(int argc, const char **argv, struct knit_cli *cli)
{
	return run_script(argc, argv, cli, "test", test_usage);
}
