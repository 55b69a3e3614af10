/*
 * knit unpublish: removes one version of a package and its tarball from
 * the registry. Projects whose knit.lock names it can no longer install it
 * afresh, so it takes an exact version, never a range.
 */
#include "cli.h"
#include "options.h"
#include "registry/publish.h"
#include "registry_cmd.h"
#include "resolver/semver.h"

#include <stdlib.h>
#include <string.h>

static const char *const unpublish_usage[] = {
	"knit unpublish [--registry <url>] <package>@<version>", NULL };

int cmd_unpublish(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "use this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, unpublish_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n != 1) {
		knit_error(cli, "usage: %s", unpublish_usage[0]);
		return KNIT_EXIT_FAILURE;
	}
	char *name;
	const char *spec;
	if (knit_registry_cmd_spec(cli, argv[0], &name, &spec))
		return KNIT_EXIT_FAILURE;
	struct knit_version v;
	if (!spec || knit_version_parse(&v, spec, strlen(spec), 0)) {
		knit_error(cli, "unpublish takes one exact version: %s@<version>%s", name,
			   spec ? ", not a range or a tag" : "");
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	char *version = knit_version_to_string(&v);
	knit_version_release(&v);
	struct knit_registry_cmd rc;
	struct strbuf err = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	if (knit_registry_cmd_open(&rc, cli, registry, name))
		goto out;
	if (knit_unpublish(&rc.s->cfg, rc.s->fetch, rc.registry, name, version, &err)) {
		knit_error(cli, "%s", err.buf);
	} else {
		fprintf(cli->out, "- %s@%s\n", name, version);
		status = KNIT_EXIT_OK;
	}
	knit_registry_cmd_close(&rc);
out:
	strbuf_release(&err);
	free(version);
	free(name);
	return status;
}
