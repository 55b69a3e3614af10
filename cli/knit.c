/*
 * knit's entry point: global options, then one command from knit_commands[].
 */
#include "cli.h"
#include "color.h"
#include "options.h"

#include <string.h>

#ifndef KNIT_VERSION
#define KNIT_VERSION "0.0.0"
#endif

const struct knit_command knit_commands[] = {
	{ "build", cmd_build, "build the dependencies that ship a build system, then run the build script" },
	{ "cache", cmd_cache, "list, clean and verify the cache of sources, builds and metadata" },
	{ "ci", cmd_ci, "restore exactly what knit.lock says into deps/" },
	{ "completion", cmd_completion, "print a completion script for bash, zsh or fish" },
	{ "config", cmd_config, "get, set, delete or list settings (.knitrc)" },
	{ "deprecate", cmd_deprecate, "mark versions of a package deprecated, with a message" },
	{ "dist-tag", cmd_dist_tag, "add, remove or list the tags that name a package's versions" },
	{ "doctor", cmd_doctor, "check the registries, the cache, hard links and the build tools, each with its fix" },
	{ "env", cmd_env, "print the compiler and linker flags for deps/ as shell assignments" },
	{ "help", cmd_help, "show help for knit or one of its commands" },
	{ "init", cmd_init, "make a new project: a C server on libuv, or a library" },
	{ "install", cmd_install, "resolve knit.json, fetch and verify, fill deps/, write knit.lock" },
	{ "login", cmd_login, "get a token from a registry and keep it in ~/.knitrc" },
	{ "logout", cmd_logout, "forget the registry's token" },
	{ "ls", cmd_ls, "show the installed dependency tree" },
	{ "outdated", cmd_outdated, "show dependencies with newer versions in the registry" },
	{ "pack", cmd_pack, "make the package tarball that publish would upload" },
	{ "publish", cmd_publish, "publish the project to its registry (a folder or an npm registry)" },
	{ "registry", cmd_registry, "prepare a folder registry for a static web server (index)" },
	{ "run", cmd_run, "run a script from knit.json, with its pre and post scripts" },
	{ "semver", cmd_semver, "check versions against ranges, as node-semver's command does" },
	{ "start", cmd_start, "run the start script (knit run start)" },
	{ "test", cmd_test, "run the test script (knit run test)" },
	{ "uninstall", cmd_uninstall, "remove packages from knit.json, deps/ and knit.lock" },
	{ "unpublish", cmd_unpublish, "remove one version of a package from its registry" },
	{ "update", cmd_update, "resolve again, freeing the named packages (or all) from knit.lock" },
	{ "view", cmd_view, "show a package's versions, tags and fields as the registry has them" },
	{ "whoami", cmd_whoami, "show the user name the registry knows your token by" },
	{ "why", cmd_why, "show every path by which a package is installed" },
	{ NULL, NULL, NULL },
};

const struct knit_command *knit_command_find(const char *name)
{
	for (const struct knit_command *c = knit_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
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
	if (!strcmp(first, "--version") || !strcmp(first, "-v") || !strcmp(first, "version")) {
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
		const char *names[64];
		size_t n = 0;
		for (const struct knit_command *c = knit_commands; c->name && n < 64; c++)
			names[n++] = c->name;
		const char *best = knit_closest(first, names, n);
		if (best)
			knit_error(cli, "'%s' is not a knit command; did you mean '%s'?", first, best);
		else
			knit_error(cli, "'%s' is not a knit command; see 'knit help'", first);
		return KNIT_EXIT_FAILURE;
	}
	return cmd->fn(argc - 1, argv + 1, cli);
}
