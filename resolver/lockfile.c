#include "lockfile.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/pkgname.h"
#include "../util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void knit_deps_add(struct knit_deps *d, const char *name, const char *range)
{
	KNIT_ALLOC_GROW(d->items, d->n + 1, d->alloc);
	d->items[d->n++] = (struct knit_dep){ knit_xstrdup(name), knit_xstrdup(range) };
}

void knit_deps_release(struct knit_deps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free((char *)d->items[i].name);
		free((char *)d->items[i].range);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

struct knit_lock_pkg *knit_lockfile_add(struct knit_lockfile *lf, const char *name,
					const char *version, const char *resolved,
					const char *integrity)
{
	KNIT_ALLOC_GROW(lf->pkgs, lf->n + 1, lf->alloc);
	struct knit_lock_pkg *p = &lf->pkgs[lf->n++];
	memset(p, 0, sizeof(*p));
	p->name = knit_xstrdup(name);
	p->version = knit_xstrdup(version);
	p->resolved = resolved ? knit_xstrdup(resolved) : NULL;
	p->integrity = integrity ? knit_xstrdup(integrity) : NULL;
	return p;
}

const struct knit_lock_pkg *knit_lockfile_find(const struct knit_lockfile *lf, const char *name)
{
	for (size_t i = 0; i < lf->n; i++)
		if (!strcmp(lf->pkgs[i].name, name))
			return &lf->pkgs[i];
	return NULL;
}

void knit_lockfile_release(struct knit_lockfile *lf)
{
	for (size_t i = 0; i < lf->n; i++) {
		struct knit_lock_pkg *p = &lf->pkgs[i];
		free(p->name);
		free(p->version);
		free(p->resolved);
		free(p->integrity);
		knit_deps_release(&p->deps);
	}
	free(lf->pkgs);
	knit_deps_release(&lf->root_deps);
	knit_deps_release(&lf->root_dev_deps);
	knit_deps_release(&lf->root_overrides);
	memset(lf, 0, sizeof(*lf));
}

/* --- writing -------------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct knit_dep *)a)->name, ((const struct knit_dep *)b)->name);
}

static int by_pkg_name(const void *a, const void *b)
{
	return strcmp(((const struct knit_lock_pkg *)a)->name, ((const struct knit_lock_pkg *)b)->name);
}

static void key(struct strbuf *out, int level, const char *k)
{
	knit_json_indent(out, level);
	knit_json_string(out, k);
	strbuf_addstr(out, ": ");
}

static void deps_object(struct strbuf *out, int level, const struct knit_deps *d)
{
	struct knit_dep *sorted = knit_xmalloc((d->n ? d->n : 1) * sizeof(*sorted));
	if (d->n)
		memcpy(sorted, d->items, d->n * sizeof(*sorted));
	qsort(sorted, d->n, sizeof(*sorted), by_name);
	if (!d->n) {
		strbuf_addstr(out, "{}");
	} else {
		strbuf_addch(out, '{');
		for (size_t i = 0; i < d->n; i++) {
			key(out, level + 1, sorted[i].name);
			knit_json_string(out, sorted[i].range);
			if (i + 1 < d->n)
				strbuf_addch(out, ',');
		}
		knit_json_indent(out, level);
		strbuf_addch(out, '}');
	}
	free(sorted);
}

void knit_lockfile_format(struct knit_lockfile *lf, struct strbuf *out)
{
	if (lf->n) /* qsort's pointer must not be NULL, even for no elements */
		qsort(lf->pkgs, lf->n, sizeof(*lf->pkgs), by_pkg_name);
	strbuf_addch(out, '{');
	key(out, 1, "lockfileVersion");
	strbuf_addf(out, "%d,", KNIT_LOCKFILE_VERSION);
	key(out, 1, "packages");
	if (!lf->n)
		strbuf_addstr(out, "{}");
	else
		strbuf_addch(out, '{');
	for (size_t i = 0; i < lf->n; i++) {
		const struct knit_lock_pkg *p = &lf->pkgs[i];
		key(out, 2, p->name);
		strbuf_addch(out, '{');
		key(out, 3, "dependencies");
		deps_object(out, 3, &p->deps);
		if (p->integrity) {
			strbuf_addch(out, ',');
			key(out, 3, "integrity");
			knit_json_string(out, p->integrity);
		}
		if (p->resolved) {
			strbuf_addch(out, ',');
			key(out, 3, "resolved");
			knit_json_string(out, p->resolved);
		}
		strbuf_addch(out, ',');
		key(out, 3, "version");
		knit_json_string(out, p->version);
		knit_json_indent(out, 2);
		strbuf_addch(out, '}');
		if (i + 1 < lf->n)
			strbuf_addch(out, ',');
	}
	if (lf->n) {
		knit_json_indent(out, 1);
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, ',');
	key(out, 1, "root");
	strbuf_addch(out, '{');
	key(out, 2, "dependencies");
	deps_object(out, 2, &lf->root_deps);
	strbuf_addch(out, ',');
	key(out, 2, "devDependencies");
	deps_object(out, 2, &lf->root_dev_deps);
	strbuf_addch(out, ',');
	key(out, 2, "overrides");
	deps_object(out, 2, &lf->root_overrides);
	knit_json_indent(out, 1);
	strbuf_addstr(out, "}\n}\n");
}

int knit_lockfile_write(struct knit_lockfile *lf, const char *path, bool *changed,
			struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	knit_lockfile_format(lf, &text);
	int rc = knit_write_file_atomic(path, text.buf, text.len, changed, err);
	strbuf_release(&text);
	return rc;
}

/* --- reading -------------------------------------------------------------------- */

static int fail(struct strbuf *err, const char *path, const char *fmt, const char *a,
		const char *b)
{
	strbuf_addf(err, "%s: ", path);
	strbuf_addf(err, fmt, a, b);
	return KNIT_EPARSE;
}

/*
 * A map of package name to range at obj, where names it in messages; owner
 * is the package whose dependencies these are (NULL for the root's). The
 * names become folders under deps/, so each is checked.
 */
static int read_deps(struct knit_deps *d, const cJSON *obj, const char *path, const char *where,
		     const char *owner, struct strbuf *err)
{
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return fail(err, path, "'%s%s' must be an object of name to range", where, "");
	const cJSON *e;
	cJSON_ArrayForEach(e, obj) {
		if (owner ? knit_pkgname_require(e->string, err, "%s: package '%s' depends on ", path, owner)
			  : knit_pkgname_require(e->string, err, "%s: '%s' names ", path, where))
			return KNIT_EPARSE;
		if (!cJSON_IsString(e))
			return fail(err, path, "'%s.%s' must be a string", where, e->string);
		knit_deps_add(d, e->string, e->valuestring);
	}
	return 0;
}

static const char *opt_string(const cJSON *obj, const char *k, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, k);
	if (!v)
		return NULL;
	if (!cJSON_IsString(v)) {
		*bad = true;
		return NULL;
	}
	return v->valuestring;
}

int knit_lockfile_parse(struct knit_lockfile *lf, const char *text, size_t len, const char *path,
			struct strbuf *err)
{
	int rc = 0;

	memset(lf, 0, sizeof(*lf));
	cJSON *doc = knit_json_parse(text, len, path, err);
	if (!doc)
		return KNIT_EPARSE;
	if (!cJSON_IsObject(doc)) {
		rc = fail(err, path, "the top level must be an object%s%s", "", "");
		goto done;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "lockfileVersion");
	if (!cJSON_IsNumber(ver)) {
		rc = fail(err, path, "'lockfileVersion' is missing or not a number%s%s", "", "");
		goto done;
	}
	if (ver->valuedouble != KNIT_LOCKFILE_VERSION) {
		char v[32];
		snprintf(v, sizeof(v), "%g", ver->valuedouble);
		rc = fail(err, path, "lockfileVersion %s is not one this knit reads (it reads %s)", v, "1");
		goto done;
	}
	const cJSON *root = cJSON_GetObjectItemCaseSensitive(doc, "root");
	if (root && !cJSON_IsObject(root)) {
		rc = fail(err, path, "'root' must be an object%s%s", "", "");
		goto done;
	}
	if ((rc = read_deps(&lf->root_deps, cJSON_GetObjectItemCaseSensitive(root, "dependencies"),
			    path, "root.dependencies", NULL, err)) ||
	    (rc = read_deps(&lf->root_dev_deps, cJSON_GetObjectItemCaseSensitive(root, "devDependencies"),
			    path, "root.devDependencies", NULL, err)) ||
	    (rc = read_deps(&lf->root_overrides, cJSON_GetObjectItemCaseSensitive(root, "overrides"),
			    path, "root.overrides", NULL, err)))
		goto done;

	const cJSON *pkgs = cJSON_GetObjectItemCaseSensitive(doc, "packages");
	if (pkgs && !cJSON_IsObject(pkgs)) {
		rc = fail(err, path, "'packages' must be an object%s%s", "", "");
		goto done;
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, pkgs) {
		bool bad = false;
		if (knit_pkgname_require(p->string, err, "%s: 'packages' names ", path)) {
			rc = KNIT_EPARSE;
			goto done;
		}
		if (!cJSON_IsObject(p)) {
			rc = fail(err, path, "package '%s' must be an object%s", p->string, "");
			goto done;
		}
		const char *version = opt_string(p, "version", &bad);
		const char *resolved = opt_string(p, "resolved", &bad);
		const char *integrity = opt_string(p, "integrity", &bad);
		if (bad || !version) {
			rc = fail(err, path, "package '%s' needs a string 'version'%s", p->string,
				  bad ? " and string 'resolved' and 'integrity'" : "");
			goto done;
		}
		struct knit_lock_pkg *lp = knit_lockfile_add(lf, p->string, version, resolved, integrity);
		struct strbuf where = STRBUF_INIT;
		strbuf_addf(&where, "packages.%s.dependencies", p->string);
		rc = read_deps(&lp->deps, cJSON_GetObjectItemCaseSensitive(p, "dependencies"), path,
			       where.buf, p->string, err);
		strbuf_release(&where);
		if (rc)
			goto done;
	}
	if (lf->n)
		qsort(lf->pkgs, lf->n, sizeof(*lf->pkgs), by_pkg_name);
done:
	cJSON_Delete(doc);
	if (rc)
		knit_lockfile_release(lf);
	return rc;
}

int knit_lockfile_read(struct knit_lockfile *lf, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	memset(lf, 0, sizeof(*lf));
	int rc = knit_read_file(path, &text, err);
	if (!rc)
		rc = knit_lockfile_parse(lf, text.buf, text.len, path, err);
	strbuf_release(&text);
	return rc;
}
