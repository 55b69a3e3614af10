/*
 * knit deprecate: marks versions of a package deprecated with a message
 * that installs then print; an empty message takes the mark away.
 */
#include "cli.h"
#include "options.h"
#include "registry/publish.h"
#include "registry_cmd.h"

#include <stdlib.h>
#include <string.h>

static const char *const deprecate_usage[] = {
	"knit deprecate [--registry <url>] <package>[@<range>] <message>", NULL };

int cmd_deprecate(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "use this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, deprecate_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n != 2) {
		knit_error(cli, "usage: %s (\"\" as the message takes the mark away)", deprecate_usage[0]);
		return KNIT_EXIT_FAILURE;
	}
	char *name;
	const char *spec;
	if (knit_registry_cmd_spec(cli, argv[0], &name, &spec))
		return KNIT_EXIT_FAILURE;
	if (strpbrk(argv[1], "\r\n")) {
		knit_error(cli, "the deprecation message must be one line");
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_registry_cmd rc;
	if (knit_registry_cmd_open(&rc, cli, registry, name)) {
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	struct strbuf err = STRBUF_INIT;
	size_t count;
	int status = KNIT_EXIT_FAILURE;
	const char *range = spec && *spec ? spec : "*";
	if (knit_deprecate(&rc.s->cfg, rc.s->fetch, rc.registry, name, range, argv[1], &count, &err)) {
		knit_error(cli, "%s", err.buf);
	} else {
		fprintf(cli->out, "%s %zu version%s of %s (%s)\n", *argv[1] ? "deprecated" : "undeprecated", count,
			count == 1 ? "" : "s", name, range);
		status = KNIT_EXIT_OK;
	}
	knit_registry_cmd_close(&rc);
	strbuf_release(&err);
	free(name);
	return status;
}
