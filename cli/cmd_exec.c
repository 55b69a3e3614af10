/*
 * knit exec <command> [<args>...]: a command with deps/.bin first on PATH
 * and the environment knit run gives scripts (project/scripts.h), in the
 * current folder, its exit status passed on (a signal as 128+n, as a shell
 * reports it). Outside a project, or with --package, the first operand
 * names a registry package, installed once into knit's cache
 * (project/exec.h), whose command runs.
 *
 * Options end at the first operand: what follows the command is the
 * command's (knit exec cc --version).
 */
#include "cli.h"
#include "options.h"
#include "cli_session.h"
#include "project/exec.h"
#include "project/manifest.h"
#include "project/scripts.h"
#include "project/txn.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const exec_usage[] = {
	"knit exec [--package=<package>[@<range>]] [--registry <url>] [--offline|--prefer-offline] [--] <command> [<args>...]",
	NULL };

static int run(struct knit_cli *cli, const char *root, const char *bin_dir, const struct knit_manifest *m,
	       const char *program, const char **args)
{
	/* in the folder the user stood in, as npm exec runs there, the project's environment around it */
	struct knit_script_run r = { .root = root, .bin_dir = bin_dir, .manifest = m, .name = "exec",
				     .cwd = cli->init_cwd };
	struct knit_script_status status;
	struct strbuf err = STRBUF_INIT;
	fflush(NULL);
	int rc = knit_script_exec(&r, program, args, &status, &err);
	int exit_code = KNIT_EXIT_OK;
	if (rc) {
		knit_error(cli, "%s", err.buf);
		exit_code = KNIT_EXIT_FAILURE;
	} else if (status.signal) {
		exit_code = 128 + status.signal;
	} else if (status.failed) {
		exit_code = status.exit_code;
	}
	strbuf_release(&err);
	return exit_code;
}

/* In a project: deps/.bin, then PATH. */
static int exec_in_project(struct knit_cli *cli, const char **args)
{
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT, bin = STRBUF_INIT, program = STRBUF_INIT;
	if (knit_txn_read_project(".", &m, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	char *root = getcwd(NULL, 0);
	int exit_code = KNIT_EXIT_FAILURE;
	if (!root) {
		knit_error(cli, "cannot tell the current folder");
	} else {
		strbuf_addf(&bin, "%s/deps/.bin", root);
		if (knit_script_which(args[0], bin.buf, &program))
			exit_code = run(cli, root, bin.buf, &m, program.buf, args);
		else
			knit_error(cli, "'%s' is not in deps/.bin or on PATH; is it a dependency? (knit install %s)",
				   args[0], args[0]);
	}
	free(root);
	knit_manifest_release(&m);
	strbuf_release(&err);
	strbuf_release(&bin);
	strbuf_release(&program);
	return exit_code;
}

/*
 * A package's command (command, or NULL for its own bin) with the arguments
 * rest, from the cache (installed there first if need be).
 */
static int exec_package(struct knit_cli *cli, const char *spec, const char *command, const char *const *rest,
			const char *registry, enum knit_cache_mode mode)
{
	struct knit_cli_session cs;
	if (knit_cli_session_open(&cs, cli, registry, mode))
		return KNIT_EXIT_FAILURE;
	struct strbuf err = STRBUF_INIT, program = STRBUF_INIT;
	struct knit_exec_package pkg;
	int rc = knit_exec_prepare(&cs.session, spec, command, &pkg, &err);
	knit_cli_session_quiet(&cs);
	int exit_code = KNIT_EXIT_FAILURE;
	char *root = getcwd(NULL, 0);
	if (rc == KNIT_ENOSOLUTION) {
		fprintf(cli->err, "knit: error: no versions satisfy '%s':\n%s\n", spec, err.buf);
	} else if (rc) {
		knit_error(cli, "%s", err.buf);
	} else if (!root) {
		knit_error(cli, "cannot tell the current folder");
	} else if (!knit_script_which(pkg.command, pkg.bin_dir.buf, &program)) {
		knit_error(cli, "'%s' is not a command of package '%s@%s' or on PATH", pkg.command, pkg.name,
			   pkg.version);
	} else {
		size_t n = 0;
		while (rest[n])
			n++;
		const char **args = calloc(n + 2, sizeof(*args));
		if (!args) {
			knit_error(cli, "out of memory");
		} else {
			args[0] = pkg.command;
			memcpy(args + 1, rest, n * sizeof(*rest));
			exit_code = run(cli, root, pkg.bin_dir.buf, NULL, program.buf, args);
			free(args);
		}
	}
	free(root);
	knit_exec_package_release(&pkg);
	knit_cli_session_close(&cs);
	strbuf_release(&err);
	strbuf_release(&program);
	return exit_code;
}

int cmd_exec(int argc, const char **argv, struct knit_cli *cli)
{
	const char *package = NULL, *registry = NULL;
	int offline = 0, prefer = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_('p', "package", &package, "package", "the package whose commands to run (from the registry, into the cache)"),
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "the registry to fetch the package from"),
		KNIT_OPT_BOOL_(0, "offline", &offline, "use only the caches: no network at all"),
		KNIT_OPT_BOOL_(0, "prefer-offline", &prefer, "use the cached packuments where they have the answer"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options_flags(argc, argv, opts, exec_usage, KNIT_PARSE_STOP_AT_OPERAND, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	argv[n] = NULL; /* the operands, the command first, as a list */
	const char **args = argv;
	enum knit_cache_mode mode;
	if (knit_cache_mode_option(cli, offline, prefer, &mode))
		return KNIT_EXIT_FAILURE;
	if (!*args && !package) {
		knit_error(cli, "knit exec needs a command; see 'knit exec -h'");
		return KNIT_EXIT_FAILURE;
	}
	struct stat st;
	if (package) /* the command among the package's, or its own */
		return exec_package(cli, package, *args ? args[0] : NULL, *args ? args + 1 : args, registry, mode);
	if (!stat("knit.json", &st))
		return exec_in_project(cli, args);
	/* no project: the command names a package, whose own command runs with the rest */
	return exec_package(cli, args[0], NULL, args + 1, registry, mode);
}
