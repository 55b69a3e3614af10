/*
 * knit dist-tag add|rm|ls: the tags that name versions of a package
 * ("latest" is what an install without a range takes).
 */
#include "cli.h"
#include "options.h"
#include "project/manifest.h"
#include "registry/publish.h"
#include "registry_cmd.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *const dist_tag_usage[] = {
	"knit dist-tag [--registry <url>] add <package>@<version> [<tag>] | rm <package> <tag> | ls [<package>]",
	NULL };

/* ls without a package: the project's own name */
static char *project_name(struct knit_cli *cli)
{
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;
	char *name = NULL;
	if (knit_manifest_read(&m, "knit.json", &err)) {
		knit_error(cli, "dist-tag ls needs a package, or a knit.json here that names one");
	} else {
		if (m.name)
			name = knit_xstrdup(m.name);
		else
			knit_error(cli, "knit.json has no \"name\": say which package");
		knit_manifest_release(&m);
	}
	strbuf_release(&err);
	return name;
}

int cmd_dist_tag(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "use this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, dist_tag_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	const char *verb = n ? argv[0] : "";
	bool add = !strcmp(verb, "add"), rm = !strcmp(verb, "rm"), ls = !strcmp(verb, "ls");
	if (!add && !rm && !ls) {
		const char *verbs[] = { "add", "rm", "ls" };
		const char *best = *verb ? knit_closest(verb, verbs, 3) : NULL;
		if (best)
			knit_error(cli, "'%s' is not a dist-tag action; did you mean '%s'?", verb, best);
		else
			knit_error(cli, "dist-tag needs an action: add, rm or ls");
		return KNIT_EXIT_FAILURE;
	}
	if ((add && (n < 2 || n > 3)) || (rm && n != 3) || (ls && n > 2)) {
		knit_error(cli, "usage: %s", dist_tag_usage[0]);
		return KNIT_EXIT_FAILURE;
	}
	char *name = NULL;
	const char *spec = NULL;
	if (ls && n == 1) {
		if (!(name = project_name(cli)))
			return KNIT_EXIT_FAILURE;
	} else if (knit_registry_cmd_spec(cli, argv[1], &name, &spec)) {
		return KNIT_EXIT_FAILURE;
	}
	if (add && (!spec || !*spec)) {
		knit_error(cli, "dist-tag add needs an exact version: %s@<version>", name);
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	if (!add && spec) {
		knit_error(cli, "dist-tag %s takes a package name without a version, got '%s'", verb, argv[1]);
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_registry_cmd rc;
	if (knit_registry_cmd_open(&rc, cli, registry, name)) {
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	struct strbuf err = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	if (ls) {
		cJSON *doc;
		if (knit_registry_document(&rc.s->cfg, rc.s->fetch, rc.registry, name, false, &doc, &err)) {
			knit_error(cli, "%s", err.buf);
		} else {
			const cJSON *e;
			cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "dist-tags"))
				if (cJSON_IsString(e))
					fprintf(cli->out, "%s: %s\n", e->string, e->valuestring);
			cJSON_Delete(doc);
			status = KNIT_EXIT_OK;
		}
	} else {
		const char *tag = add ? (n == 3 ? argv[2] : "latest") : argv[2];
		if (knit_dist_tag_set(&rc.s->cfg, rc.s->fetch, rc.registry, name, tag, add ? spec : NULL, &err)) {
			knit_error(cli, "%s", err.buf);
		} else {
			if (add)
				fprintf(cli->out, "+%s: %s@%s\n", tag, name, spec);
			else
				fprintf(cli->out, "-%s: %s\n", tag, name);
			status = KNIT_EXIT_OK;
		}
	}
	knit_registry_cmd_close(&rc);
	strbuf_release(&err);
	free(name);
	return status;
}
