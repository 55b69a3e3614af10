/*
 * knit install <spec> and knit uninstall: knit.json's dependencies change
 * (install_stages.h), first in the parsed manifest for solving, then in its
 * text, everything else kept as written.
 */
#include "install_stages.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/json_edit.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void deps_remove(struct knit_deps *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->items[i].name, name))
			continue;
		free((char *)d->items[i].name);
		free((char *)d->items[i].range);
		memmove(&d->items[i], &d->items[i + 1], (d->n - i - 1) * sizeof(*d->items));
		d->n--;
		return;
	}
}

static bool deps_has(const struct knit_deps *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->items[i].name, name))
			return true;
	return false;
}

int knit_manifest_edit_deps(struct knit_manifest *m, const struct knit_install_opts *o, struct strbuf *err)
{
	for (size_t i = 0; i < o->nremove; i++) {
		const char *name = o->remove[i];
		if (!deps_has(&m->deps, name) && !deps_has(&m->dev_deps, name)) {
			strbuf_addf(err, "'%s' is not in knit.json's dependencies or devDependencies", name);
			return KNIT_EINVALID_ARG;
		}
		deps_remove(&m->deps, name);
		deps_remove(&m->dev_deps, name);
	}
	for (size_t i = 0; i < o->nadd; i++) {
		const struct knit_dep *d = &o->add[i];
		deps_remove(&m->deps, d->name);
		deps_remove(&m->dev_deps, d->name);
		knit_deps_add(o->save_dev ? &m->dev_deps : &m->deps, d->name, *d->range ? d->range : "latest");
	}
	return 0;
}

/* npm's rule for what is saved: a range as given; for a version or a tag, ^version (or exact). */
static char *saved_range(const struct knit_plan *plan, const struct knit_dep *spec, bool save_exact)
{
	if (knit_spec_kind(spec->range) != KNIT_SPEC_REGISTRY)
		return knit_xstrdup(spec->range); /* git and folder specs as given */
	const struct knit_plan_item *it = knit_plan_find(plan, spec->name);
	const char *resolved = it ? it->version : NULL;
	struct knit_version v;
	bool is_version = *spec->range &&
			  !knit_version_parse(&v, spec->range, strlen(spec->range), KNIT_SEMVER_LOOSE);
	if (is_version)
		knit_version_release(&v);
	struct knit_range rg;
	bool is_range = *spec->range && !is_version &&
			!knit_range_parse(&rg, spec->range, strlen(spec->range), KNIT_SEMVER_LOOSE);
	if (is_range) {
		knit_range_release(&rg);
		return knit_xstrdup(spec->range);
	}
	const char *version = is_version ? spec->range : resolved;
	struct strbuf out = STRBUF_INIT;
	strbuf_addf(&out, "%s%s", save_exact ? "" : "^", version ? version : "*");
	return strbuf_detach(&out, NULL);
}

int knit_manifest_edit_text(struct knit_manifest *m, const char *path, const struct knit_install_opts *o,
			    const struct knit_plan *plan, struct strbuf *text, struct strbuf *err)
{
	int rc = knit_read_file(path, text, err);
	for (size_t i = 0; !rc && i < o->nremove; i++) {
		rc = knit_json_edit(text, "dependencies", o->remove[i], NULL);
		if (!rc)
			rc = knit_json_edit(text, "devDependencies", o->remove[i], NULL);
	}
	const char *into = o->save_dev ? "devDependencies" : "dependencies";
	const char *out_of = o->save_dev ? "dependencies" : "devDependencies";
	for (size_t i = 0; !rc && i < o->nadd; i++) {
		char *range = saved_range(plan, &o->add[i], o->save_exact);
		struct strbuf json = STRBUF_INIT;
		knit_json_string(&json, range);
		rc = knit_json_edit(text, into, o->add[i].name, json.buf);
		if (!rc)
			rc = knit_json_edit(text, out_of, o->add[i].name, NULL);
		/* the lock's root section records what knit.json now says */
		struct knit_deps *d = o->save_dev ? &m->dev_deps : &m->deps;
		for (size_t k = 0; k < d->n; k++)
			if (!strcmp(d->items[k].name, o->add[i].name)) {
				free((char *)d->items[k].range);
				d->items[k].range = knit_xstrdup(range);
			}
		strbuf_release(&json);
		free(range);
	}
	if (rc && !err->len)
		strbuf_addf(err, "%s: cannot edit it: 'dependencies' and 'devDependencies' must be objects", path);
	return rc;
}
