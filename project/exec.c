/*
 * knit exec's cache of installed packages (exec.h): resolve the spec to one
 * version, make that version's folder a project that depends on exactly it,
 * install it, and find the command to run in its deps/.bin.
 */
#include "exec.h"
#include "install.h"
#include "manifest.h"
#include "sources.h"
#include "resolver/pick.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *knit_exec_default_bin(const struct knit_strmap *bins, const char *name, const char *label,
				  struct strbuf *err)
{
	if (bins->n == 1)
		return bins->items[0].key;
	const char *slash = strchr(name, '/');
	const char *bare = slash ? slash + 1 : name;
	for (size_t i = 0; i < bins->n; i++)
		if (!strcmp(bins->items[i].key, bare))
			return bins->items[i].key;
	if (!bins->n) {
		strbuf_addf(err, "package '%s' has no commands (no 'bin' in its knit.json)", label);
		return NULL;
	}
	strbuf_addf(err, "package '%s' has several commands (", label);
	for (size_t i = 0; i < bins->n; i++)
		strbuf_addf(err, "%s%s", i ? ", " : "", bins->items[i].key);
	strbuf_addf(err, "); name one with --package=%s <command>", name);
	return NULL;
}

/*
 * The version spec asks for, into *version (malloc'd): an exact version as
 * it is (its folder may be there already: no packument needed), else the
 * registry's pick for the range or tag, by install's rules (pick.h).
 */
static int resolve(struct knit_session *s, const char *name, const char *range, char **version, struct strbuf *err)
{
	char *exact = knit_semver_clean(range, strlen(range), 0);
	if (exact) {
		*version = exact;
		return 0;
	}
	const struct knit_source *src = knit_session_source(s);
	const struct knit_pkg *pkg = NULL;
	int rc = src->load(src->ctx, name, &pkg);
	if (rc) {
		const char *why = src->message ? src->message(src->ctx, name) : NULL;
		if (why && *why)
			strbuf_addstr(err, why);
		else if (rc == KNIT_ENOTFOUND)
			strbuf_addf(err, "no package '%s' in the registry", name);
		else
			strbuf_addf(err, "cannot read package '%s' from the registry: %s", name, knit_strerror(rc));
		return rc;
	}
	const struct knit_pkg_version *pv = knit_pick_spec(pkg, range, KNIT_RESOLUTION_HIGHEST);
	char *clean = pv ? knit_semver_clean(pv->version, strlen(pv->version), KNIT_SEMVER_LOOSE) : NULL;
	if (!clean) {
		strbuf_addf(err, "no version of '%s' matches '%s'", name, range);
		return KNIT_ENOMATCH;
	}
	*version = clean;
	return 0;
}

/* The folder's knit.json: one dependency, exactly version; nothing else (no one trusted). */
static int write_manifest(const struct knit_exec_package *p, struct strbuf *err)
{
	struct strbuf json = STRBUF_INIT, path = STRBUF_INIT;
	strbuf_addstr(&json, "{\n  \"private\": true,\n  \"dependencies\": {\n    ");
	knit_json_string(&json, p->name);
	strbuf_addstr(&json, ": ");
	knit_json_string(&json, p->version);
	strbuf_addstr(&json, "\n  }\n}\n");
	strbuf_addf(&path, "%s/knit.json", p->dir.buf);
	bool changed;
	int rc = knit_write_file_atomic(path.buf, json.buf, json.len, &changed, err);
	strbuf_release(&json);
	strbuf_release(&path);
	return rc;
}

int knit_exec_prepare(struct knit_session *s, const char *spec, const char *command, struct knit_exec_package *out,
		      struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	strbuf_init(&out->dir, 0);
	strbuf_init(&out->bin_dir, 0);
	const char *range = NULL;
	int rc = knit_spec_split(spec, &out->name, &range, err);
	if (rc)
		return rc;
	if (!range || !*range)
		range = "latest";
	if (knit_spec_kind(range) != KNIT_SPEC_REGISTRY) {
		strbuf_addf(err, "knit exec runs registry packages; '%s' is a git or folder source", spec);
		return KNIT_EINVALID_ARG;
	}
	if ((rc = resolve(s, out->name, range, &out->version, err)))
		return rc;

	/* <cache>/exec/<name>@<version>: the name through the one path function, the version clean */
	struct strbuf base = STRBUF_INIT, suffix = STRBUF_INIT, label = STRBUF_INIT;
	strbuf_addf(&base, "%s/exec", s->cfg.cache_dir);
	strbuf_addf(&suffix, "@%s", out->version);
	strbuf_addf(&label, "%s@%s", out->name, out->version);
	rc = knit_pkgname_path(base.buf, out->name, suffix.buf, &out->dir, err);
	if (!rc && knit_make_dirs(out->dir.buf)) {
		strbuf_addf(err, "cannot make the folder '%s': %s", out->dir.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc)
		rc = write_manifest(out, err);
	if (!rc) {
		struct knit_install_opts o = { .project_dir = out->dir.buf, .mode = KNIT_INSTALL };
		struct knit_install_stats stats;
		knit_changed_fn changed = s->changed; /* the cache's own lock: not the user's news */
		s->changed = NULL;
		rc = knit_install(s, &o, &stats, err);
		s->changed = changed;
	}
	struct knit_manifest m = { 0 };
	bool have_manifest = false;
	if (!rc) {
		struct strbuf pkg_dir = STRBUF_INIT, deps = STRBUF_INIT;
		strbuf_addf(&deps, "%s/deps", out->dir.buf);
		rc = knit_pkgname_path(deps.buf, out->name, NULL, &pkg_dir, err);
		if (!rc && !(rc = knit_manifest_read_package(&m, pkg_dir.buf, label.buf, err)))
			have_manifest = true;
		strbuf_release(&pkg_dir);
		strbuf_release(&deps);
	}
	if (!rc && !command && !(command = knit_exec_default_bin(&m.bin, out->name, label.buf, err)))
		rc = KNIT_EINVALID_ARG;
	if (!rc) {
		out->command = knit_xstrdup(command);
		strbuf_addf(&out->bin_dir, "%s/deps/.bin", out->dir.buf);
	}
	if (have_manifest)
		knit_manifest_release(&m);
	strbuf_release(&base);
	strbuf_release(&suffix);
	strbuf_release(&label);
	return rc;
}

void knit_exec_package_release(struct knit_exec_package *p)
{
	free(p->name);
	free(p->version);
	free(p->command);
	strbuf_release(&p->dir);
	strbuf_release(&p->bin_dir);
	memset(p, 0, sizeof(*p));
}
