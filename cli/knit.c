/*
 * knit's entry point: global options, then one command from knit_commands[].
 */
#include "cli.h"
#include "color.h"
#include "options.h"
#include "project/project_root.h"
#include "util/strbuf.h"
#include "util/url.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KNIT_VERSION
#define KNIT_VERSION "0.0.0"
#endif

const struct knit_command knit_commands[] = {
	{ "build", cmd_build, KNIT_EFFECT_RUN, "build the dependencies that ship a build system, then run the build script", false },
	{ "cache", cmd_cache, KNIT_EFFECT_DELETE, "list, clean and verify the cache of sources, builds and metadata", false },
	{ "ci", cmd_ci, KNIT_EFFECT_RESTORE, "restore exactly what knit.lock says into deps/", false },
	{ "completion", cmd_completion, KNIT_EFFECT_READ, "print a completion script for bash, zsh or fish", true },
	{ "config", cmd_config, KNIT_EFFECT_ACCOUNT, "get, set, delete or list settings (.knitrc)", false },
	{ "deprecate", cmd_deprecate, KNIT_EFFECT_REGISTRY, "mark versions of a package deprecated, with a message", false },
	{ "dist-tag", cmd_dist_tag, KNIT_EFFECT_REGISTRY, "add, remove or list the tags that name a package's versions", false },
	{ "doctor", cmd_doctor, KNIT_EFFECT_READ, "check the registries, the cache, hard links and the build tools, each with its fix", false },
	{ "env", cmd_env, KNIT_EFFECT_RUN, "print the compiler and linker flags for deps/ as shell assignments", false },
	{ "exec", cmd_exec, KNIT_EFFECT_RUN, "run a command with deps/.bin on PATH, or a registry package's command", false },
	{ "help", cmd_help, KNIT_EFFECT_READ, "show help for knit or one of its commands", true },
	{ "init", cmd_init, KNIT_EFFECT_CREATE, "make a new project: a C server on libuv, or a library", true },
	{ "install", cmd_install, KNIT_EFFECT_EDIT, "resolve knit.json, fetch and verify, fill deps/, write knit.lock", false },
	{ "login", cmd_login, KNIT_EFFECT_ACCOUNT, "get a token from a registry and keep it in ~/.knitrc", false },
	{ "logout", cmd_logout, KNIT_EFFECT_ACCOUNT, "forget the registry's token", false },
	{ "ls", cmd_ls, KNIT_EFFECT_READ, "show the installed dependency tree", false },
	{ "outdated", cmd_outdated, KNIT_EFFECT_READ, "show dependencies with newer versions in the registry", false },
	{ "pack", cmd_pack, KNIT_EFFECT_CREATE, "make the package tarball that publish would upload", false },
	{ "publish", cmd_publish, KNIT_EFFECT_REGISTRY, "publish the project to its registry (a folder or an npm registry)", false },
	{ "registry", cmd_registry, KNIT_EFFECT_CREATE, "prepare a folder registry for a static web server (index)", true },
	{ "run", cmd_run, KNIT_EFFECT_RUN, "run a script from knit.json, with its pre and post scripts", false },
	{ "semver", cmd_semver, KNIT_EFFECT_READ, "check versions against ranges, as node-semver's command does", true },
	{ "start", cmd_start, KNIT_EFFECT_RUN, "run the start script (knit run start)", false },
	{ "test", cmd_test, KNIT_EFFECT_RUN, "run the test script (knit run test)", false },
	{ "uninstall", cmd_uninstall, KNIT_EFFECT_EDIT, "remove packages from knit.json, deps/ and knit.lock", false },
	{ "unpublish", cmd_unpublish, KNIT_EFFECT_REGISTRY, "remove one version of a package from its registry", false },
	{ "update", cmd_update, KNIT_EFFECT_EDIT, "resolve again, freeing the named packages (or all) from knit.lock", false },
	{ "version", cmd_version, KNIT_EFFECT_EDIT, "bump knit.json's version, commit and tag it; alone, show the versions", false },
	{ "view", cmd_view, KNIT_EFFECT_READ, "show a package's versions, tags and fields as the registry has them", false },
	{ "whoami", cmd_whoami, KNIT_EFFECT_READ, "show the user name the registry knows your token by", false },
	{ "why", cmd_why, KNIT_EFFECT_READ, "show every path by which a package is installed", false },
	{ NULL, NULL, KNIT_EFFECT_READ, NULL, false },
};

/* npm's aliases, where knit has the command */
const struct knit_alias knit_aliases[] = {
	{ "add", "install" },
	{ "clean-install", "ci" },
	{ "explain", "why" },
	{ "i", "install" },
	{ "ic", "ci" },
	{ "in", "install" },
	{ "ins", "install" },
	{ "inst", "install" },
	{ "insta", "install" },
	{ "instal", "install" },
	{ "isnt", "install" },
	{ "isnta", "install" },
	{ "isntal", "install" },
	{ "isntall", "install" },
	{ "info", "view" },
	{ "install-clean", "ci" },
	{ "list", "ls" },
	{ "remove", "uninstall" },
	{ "rm", "uninstall" },
	{ "run-script", "run" },
	{ "show", "view" },
	{ "t", "test" },
	{ "un", "uninstall" },
	{ "unlink", "uninstall" },
	{ "up", "update" },
	{ "upgrade", "update" },
	{ "x", "exec" },
	{ NULL, NULL },
};

static const struct knit_command *command_named(const char *name)
{
	for (const struct knit_command *c = knit_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct knit_command *knit_command_find(const char *name)
{
	const struct knit_command *c = command_named(name);
	for (const struct knit_alias *a = knit_aliases; !c && a->alias; a++)
		if (!strcmp(a->alias, name))
			c = command_named(a->name);
	return c;
}

struct suggestion {
	const struct knit_command *cmd;
	size_t distance, edits; /* knit_word_distance, then the plain edit distance to break ties */
	bool mixed;             /* another command of another effect is as close */
};

static void consider(struct suggestion *s, const char *word, const char *name,
		     const struct knit_command *cmd)
{
	if (!cmd)
		return;
	size_t d = knit_word_distance(word, name), e = knit_edit_distance(word, name);
	if (!s->cmd || d < s->distance || (d == s->distance && e < s->edits)) {
		*s = (struct suggestion){ cmd, d, e, false };
	} else if (d == s->distance && e == s->edits && s->cmd->effect != cmd->effect) {
		s->mixed = true;
	}
}

const struct knit_command *knit_command_suggest(const char *word)
{
	struct suggestion s = { 0 };
	for (const struct knit_command *c = knit_commands; c->name; c++)
		consider(&s, word, c->name, c);
	for (const struct knit_alias *a = knit_aliases; a->alias; a++)
		consider(&s, word, a->alias, command_named(a->name));
	return s.cmd && !s.mixed && knit_word_close(word, s.distance) ? s.cmd : NULL;
}

void knit_command_unknown(struct knit_cli *cli, const char *word)
{
	const struct knit_command *best = knit_command_suggest(word);
	if (best)
		knit_error(cli, "'%s' is not a knit command; did you mean '%s'?", word, best->name);
	else
		knit_error(cli, "'%s' is not a knit command; see 'knit help'", word);
}

void knit_cli_path(const struct knit_cli *cli, const char *path, struct strbuf *out)
{
	knit_project_rebase(cli->subdir ? cli->subdir : "", path, out);
}

void knit_cli_registry(const struct knit_cli *cli, const char *value, struct strbuf *out)
{
	if (!knit_url_is_path(value)) {
		strbuf_addstr(out, value);
		return;
	}
	struct strbuf at = STRBUF_INIT;
	knit_cli_path(cli, value, &at);
	if (at.buf[0] != '/' && at.buf[0] != '.')
		strbuf_addstr(out, "./");
	strbuf_add(out, at.buf, at.len);
	strbuf_release(&at);
}

/*
 * Into the project: the nearest folder at or above this one with knit.json
 * (none: stay, and the command says what is missing). INIT_CWD tells
 * scripts where the user stood, as npm has it. 0, or -1 after the error.
 */
static int enter_project(struct knit_cli *cli, struct strbuf *root, struct strbuf *sub, char **cwd)
{
	if (!(*cwd = getcwd(NULL, 0))) {
		knit_error(cli, "cannot tell the current folder: %s", strerror(errno));
		return -1;
	}
	cli->init_cwd = *cwd;
	setenv("INIT_CWD", *cwd, 1);
	if (!knit_project_find(*cwd, root, sub) || !sub->len)
		return 0;
	if (chdir(root->buf)) {
		knit_error(cli, "cannot enter the project folder '%s': %s", root->buf, strerror(errno));
		return -1;
	}
	cli->subdir = sub->buf;
	return 0;
}

int knit_cli_run(int argc, const char **argv, struct knit_cli *cli)
{
	if (argc > 1 && !strcmp(argv[1], "--knit-complete")) /* the completion scripts' entry point: cmd_completion.c */
		return knit_complete(argc - 2, argv + 2, cli);
	const char *bad;
	if (knit_color_options(&argc, argv, &bad)) {
		knit_error(cli, "--color takes auto, always or never, got '%s'", bad);
		return KNIT_EXIT_FAILURE;
	}
	if (argc < 2) {
		const char *help[] = { "help", NULL };
		cmd_help(1, help, cli);
		return KNIT_EXIT_FAILURE;
	}
	const char *first = argv[1];
	if (!strcmp(first, "--version") || !strcmp(first, "-v")) {
		fprintf(cli->out, "knit %s\n", KNIT_VERSION);
		return KNIT_EXIT_OK;
	}
	if (!strcmp(first, "--help") || !strcmp(first, "-h")) {
		const char *help[] = { "help", NULL };
		return cmd_help(1, help, cli);
	}
	if (first[0] == '-') {
		const char *names[] = { "version", "help" };
		const char *best = knit_closest(first + strspn(first, "-"), names, 2);
		if (best)
			knit_error(cli, "unknown option '%s'; did you mean '--%s'?", first, best);
		else
			knit_error(cli, "unknown option '%s'; see 'knit help'", first);
		return KNIT_EXIT_FAILURE;
	}
	const struct knit_command *cmd = knit_command_find(first);
	if (!cmd) {
		knit_command_unknown(cli, first);
		return KNIT_EXIT_FAILURE;
	}
	/* the command sees its own name, not the alias, in argv[0] */
	argv[1] = cmd->name;
	struct strbuf root = STRBUF_INIT, sub = STRBUF_INIT;
	char *cwd = NULL;
	int rc = KNIT_EXIT_FAILURE;
	if (cmd->here || !enter_project(cli, &root, &sub, &cwd))
		rc = cmd->fn(argc - 1, argv + 1, cli);
	cli->subdir = NULL;
	cli->init_cwd = NULL;
	free(cwd);
	strbuf_release(&root);
	strbuf_release(&sub);
	return rc;
}
