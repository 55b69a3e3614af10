/*
 * knit view: a package as its registry holds it. With no field, a summary
 * of one version (the latest, or the newest satisfying a range, or the one
 * a tag names); with fields, each one's value, looked up in that version's
 * document and then in the package's (dotted paths: dist.integrity,
 * dist-tags.latest; "versions" lists every version).
 */
#include "cli.h"
#include "options.h"
#include "registry/publish.h"
#include "registry_cmd.h"
#include "resolver/semver.h"
#include "util/json.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *const view_usage[] = {
	"knit view [--registry <url>] <package>[@<range>|@<tag>] [<field>...]", NULL };

static int by_semver(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	struct knit_version vx, vy;
	int r = 0;
	if (!knit_version_parse(&vx, x, strlen(x), KNIT_SEMVER_LOOSE)) {
		if (!knit_version_parse(&vy, y, strlen(y), KNIT_SEMVER_LOOSE)) {
			r = knit_version_compare_build(&vx, &vy);
			knit_version_release(&vy);
		}
		knit_version_release(&vx);
	}
	return r ? r : strcmp(x, y);
}

/* The version keys of doc, sorted by precedence. */
static const char **sorted_versions(const cJSON *versions, size_t *n)
{
	const char **out = calloc((size_t)cJSON_GetArraySize(versions) + 1, sizeof(*out));
	const cJSON *e;
	*n = 0;
	cJSON_ArrayForEach(e, versions)
		out[(*n)++] = e->string;
	qsort(out, *n, sizeof(*out), by_semver);
	return out;
}

/* The version spec names: a tag, else the newest in a range (an exact version is one); no spec: latest, else the newest. */
static const char *pick(const cJSON *doc, const char *spec)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(doc, "dist-tags");
	const cJSON *tag = cJSON_GetObjectItemCaseSensitive(tags, spec ? spec : "latest");
	if (cJSON_IsString(tag))
		return tag->valuestring;
	return knit_document_newest(doc, spec);
}

/* doc's value at a dotted path, or NULL. */
static const cJSON *at_path(const cJSON *doc, const char *path)
{
	const cJSON *v = doc;
	char *copy = strdup(path), *save = NULL;
	for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
		v = cJSON_GetObjectItemCaseSensitive(v, part);
	free(copy);
	return v;
}

static void print_value(struct knit_cli *cli, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		fprintf(cli->out, "%s\n", v->valuestring);
		return;
	}
	struct strbuf out = STRBUF_INIT;
	knit_json_print(&out, v, 0);
	fprintf(cli->out, "%s\n", out.buf);
	strbuf_release(&out);
}

static void print_map(struct knit_cli *cli, const char *title, const cJSON *map)
{
	const cJSON *e;
	if (!cJSON_IsObject(map) || !map->child)
		return;
	fprintf(cli->out, "\n%s:\n", title);
	cJSON_ArrayForEach(e, map)
		if (cJSON_IsString(e))
			fprintf(cli->out, "  %s: %s\n", e->string, e->valuestring);
}

static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void summary(struct knit_cli *cli, const cJSON *doc, const cJSON *v, const char *version)
{
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(doc, "versions");
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(v, "dependencies");
	const cJSON *dist = cJSON_GetObjectItemCaseSensitive(v, "dist");
	const char *license = str(v, "license"), *desc = str(v, "description"), *dep = str(v, "deprecated");
	fprintf(cli->out, "%s@%s | %s | deps: %d | versions: %d\n", str(doc, "name") ? str(doc, "name") : "?",
		version, license ? license : "no license", cJSON_GetArraySize(deps), cJSON_GetArraySize(versions));
	if (desc)
		fprintf(cli->out, "%s\n", desc);
	if (dep)
		fprintf(cli->out, "DEPRECATED: %s\n", dep);
	fprintf(cli->out, "\ndist:\n");
	if (str(dist, "tarball"))
		fprintf(cli->out, "  tarball: %s\n", str(dist, "tarball"));
	if (str(dist, "shasum"))
		fprintf(cli->out, "  shasum: %s\n", str(dist, "shasum"));
	if (str(dist, "integrity"))
		fprintf(cli->out, "  integrity: %s\n", str(dist, "integrity"));
	print_map(cli, "dependencies", deps);
	print_map(cli, "dist-tags", cJSON_GetObjectItemCaseSensitive(doc, "dist-tags"));
	const char *when = str(cJSON_GetObjectItemCaseSensitive(doc, "time"), version);
	if (when)
		fprintf(cli->out, "\npublished %s\n", when);
}

int cmd_view(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "ask this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, view_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n < 1) {
		knit_error(cli, "view needs a package: knit view <package>[@<range>] [<field>...]");
		return KNIT_EXIT_FAILURE;
	}
	char *name;
	const char *spec;
	if (knit_registry_cmd_spec(cli, argv[0], &name, &spec))
		return KNIT_EXIT_FAILURE;
	struct knit_registry_cmd rc;
	if (knit_registry_cmd_open(&rc, cli, registry, name)) {
		free(name);
		return KNIT_EXIT_FAILURE;
	}
	struct strbuf err = STRBUF_INIT;
	cJSON *doc = NULL;
	int status = KNIT_EXIT_FAILURE;
	if (knit_registry_document(&rc.s->cfg, rc.s->fetch, rc.registry, name, false, &doc, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	const char *version = pick(doc, spec && *spec ? spec : NULL);
	const cJSON *v = version ? cJSON_GetObjectItemCaseSensitive(
					   cJSON_GetObjectItemCaseSensitive(doc, "versions"), version) : NULL;
	if (!v) {
		knit_error(cli, "no version of %s in %s matches '%s'", name, rc.registry, spec && *spec ? spec : "latest");
		goto done;
	}
	if (n == 1)
		summary(cli, doc, v, version);
	for (int i = 1; i < n; i++) {
		const char *field = argv[i];
		const cJSON *value = NULL;
		cJSON *list = NULL;
		if (!strcmp(field, "versions")) {
			size_t nv;
			const char **all = sorted_versions(cJSON_GetObjectItemCaseSensitive(doc, "versions"), &nv);
			list = cJSON_CreateStringArray(all, (int)nv);
			free(all);
			value = list;
		} else {
			value = at_path(v, field);
			if (!value)
				value = at_path(doc, field);
		}
		if (value) {
			if (n > 2)
				fprintf(cli->out, "%s = ", field);
			print_value(cli, value);
		}
		cJSON_Delete(list);
	}
	status = KNIT_EXIT_OK;
done:
	cJSON_Delete(doc);
	knit_registry_cmd_close(&rc);
	strbuf_release(&err);
	free(name);
	return status;
}
