/*
 * knit help [<command>]: the overview, or the usage of one command (the same
 * text as `knit <command> --help`); `man knit-<command>` has the full page.
 */
#include "cli.h"
#include "options.h"

#include <string.h>

static const char *const help_usage[] = { "knit help [<command>]", NULL };
static const struct knit_option help_options[] = { KNIT_OPT_END_() };

int cmd_help(int argc, const char **argv, struct knit_cli *cli)
{
	int n = knit_parse_options(argc, argv, help_options, help_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 1) {
		knit_error(cli, "help takes at most one command, got %d", n);
		return KNIT_EXIT_FAILURE;
	}
	if (n == 1) {
		const struct knit_command *cmd = knit_command_find(argv[0]);
		if (!cmd) {
			knit_command_unknown(cli, argv[0]);
			return KNIT_EXIT_FAILURE;
		}
		const char *args[] = { cmd->name, "--help", NULL };
		return cmd->fn(2, args, cli);
	}

	fprintf(cli->out,
		"usage: knit <command> [<args>]\n"
		"       knit --version\n"
		"\n"
		"knit is a package manager and project scaffolder for C: semver ranges,\n"
		"a lockfile, and npm-protocol registries.\n"
		"\n"
		"Commands:\n");
	for (const struct knit_command *c = knit_commands; c->name; c++)
		fprintf(cli->out, "    %-10s %s\n", c->name, c->summary);
	fprintf(cli->out, "\nAliases, as npm has them:\n");
	for (const struct knit_command *c = knit_commands; c->name; c++) {
		bool any = false;
		for (const struct knit_alias *a = knit_aliases; a->alias; a++) {
			if (strcmp(a->name, c->name))
				continue;
			fprintf(cli->out, "%s%s", any ? ", " : "    ", a->alias);
			any = true;
		}
		if (any)
			fprintf(cli->out, " (%s)\n", c->name);
	}
	fprintf(cli->out,
		"\n"
		"'knit help <command>' or 'knit <command> --help' shows a command's options;\n"
		"'man knit-<command>' has the whole story.\n"
		"\n"
		"Exit status: 0 on success, 1 when a command fails or is used wrongly.\n");
	return KNIT_EXIT_OK;
}
