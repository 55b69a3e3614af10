/*
 * knit version [<newversion> | major | minor | patch | premajor | preminor |
 * prepatch | prerelease | release]: npm version's bump of knit.json, its
 * scripts, commit and tag (project/version_bump.h), printing "v<version>".
 * Alone, the project's name and version, then knit's ("app 1.0.0" and
 * "knit 0.3.0"); outside a project, knit's only.
 */
#include "cli.h"
#include "options.h"
#include "project/manifest.h"
#include "project/version_bump.h"
#include "util/error.h"

#include <string.h>
#include <sys/stat.h>

#ifndef KNIT_VERSION
#define KNIT_VERSION "0.0.0"
#endif

static const char *const version_usage[] = {
	"knit version [--preid <id>] [--no-git-tag-version] [--allow-same-version] [-m <message>] [<newversion> | major | minor | patch | premajor | preminor | prepatch | prerelease | release]",
	NULL };

static void announce(void *ctx, const char *name, const char *command)
{
	struct knit_cli *cli = ctx;
	fprintf(cli->err, "> %s: %s\n", name, command);
	fflush(cli->err);
}

static int show(struct knit_cli *cli)
{
	struct stat st;
	if (!stat("knit.json", &st)) {
		struct knit_manifest m;
		struct strbuf err = STRBUF_INIT;
		if (knit_manifest_read(&m, "knit.json", &err)) {
			knit_error(cli, "%s", err.buf);
			strbuf_release(&err);
			return KNIT_EXIT_FAILURE;
		}
		fprintf(cli->out, "%s %s\n", m.name ? m.name : "(unnamed)", m.version ? m.version : "(no version)");
		knit_manifest_release(&m);
		strbuf_release(&err);
	}
	fprintf(cli->out, "knit %s\n", KNIT_VERSION);
	return KNIT_EXIT_OK;
}

int cmd_version(int argc, const char **argv, struct knit_cli *cli)
{
	const char *preid = NULL, *message = NULL;
	int no_git = 0, allow_same = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "preid", &preid, "id", "the pre-release identifier: 1.2.4-<id>.0"),
		KNIT_OPT_BOOL_(0, "no-git-tag-version", &no_git, "neither commit nor tag, even in a git work tree"),
		KNIT_OPT_BOOL_(0, "allow-same-version", &allow_same, "allow the version knit.json has already"),
		KNIT_OPT_STRING_('m', "message", &message, "message", "the commit's and tag's message, %s the version (default: %s)"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, version_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n == 0)
		return show(cli);
	if (n > 1) {
		knit_error(cli, "knit version takes one version or increment, not %d; see 'knit version -h'", n);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_version_bump o = { .root = ".", .arg = argv[0], .preid = preid, .message = message,
				       .allow_same = allow_same, .git = !no_git, .announce = announce,
				       .announce_ctx = cli };
	struct knit_version_bump_result res;
	struct strbuf err = STRBUF_INIT;
	fflush(cli->out);
	int rc = knit_version_bump_run(&o, &res, &err);
	int exit_code = KNIT_EXIT_OK;
	if (rc) {
		knit_error(cli, "%s", err.buf);
		exit_code = KNIT_EXIT_FAILURE;
	} else if (res.status.signal) {
		knit_error(cli, "script '%s' was killed by signal %d", res.status.failed, res.status.signal);
		exit_code = 128 + res.status.signal;
	} else if (res.status.failed) {
		knit_error(cli, "script '%s' exited with status %d", res.status.failed, res.status.exit_code);
		exit_code = res.status.exit_code;
	} else {
		fprintf(cli->out, "v%s\n", res.new_version);
	}
	knit_version_bump_result_release(&res);
	strbuf_release(&err);
	return exit_code;
}
