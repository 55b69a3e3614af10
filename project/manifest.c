#include "manifest.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int field_error(struct strbuf *err, const char *path, const char *field, const char *what)
{
	strbuf_addf(err, "%s: '%s' %s", path, field, what);
	return KNIT_EPARSE;
}

/* "<path>: '<field>.<key>' <what>", the key (hostile text) shown on one line */
static int entry_error(struct strbuf *err, const char *path, const char *field, const char *key,
		       const char *what)
{
	strbuf_addf(err, "%s: '%s.", path, field);
	strbuf_add_visible(err, key);
	strbuf_addf(err, "' %s", what);
	return KNIT_EPARSE;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * JSON leaves a repeated key's meaning open (cJSON keeps both, knit would
 * read the first, npm's JSON.parse keeps the last), and a dependency named
 * twice went into knit.lock twice. So a field knit reads may be given once:
 * fields lists them (32 at most: a bit each), prefix ("c.") is put before
 * one in the message.
 */
static int refuse_repeated_fields(const cJSON *obj, const char *const *fields, size_t n, const char *prefix,
				  const char *path, struct strbuf *err)
{
	unsigned seen = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, obj)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(e->string, fields[i])) {
				if (seen & (1u << i)) {
					strbuf_addf(err, "%s: '%s%s' is given twice", path, prefix, fields[i]);
					return KNIT_EPARSE;
				}
				seen |= 1u << i;
			}
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/*
 * And in an object of name to value (dependencies, scripts, bin, ...),
 * a name may appear once; label names the object in the message. Sorted,
 * so that a huge object costs n log n.
 */
static int refuse_repeated_keys(const cJSON *obj, const char *label, const char *path, struct strbuf *err)
{
	size_t n = (size_t)cJSON_GetArraySize(obj), k = 0;
	if (n < 2)
		return 0;
	const cJSON **keys = knit_xcalloc(n, sizeof(*keys)), *e;
	cJSON_ArrayForEach(e, obj)
		keys[k++] = e;
	qsort(keys, n, sizeof(*keys), by_key);
	int rc = 0;
	for (size_t i = 1; i < n && !rc; i++)
		if (!strcmp(keys[i - 1]->string, keys[i]->string)) {
			strbuf_addf(err, "%s: '%s' has '", path, label);
			strbuf_add_visible(err, keys[i]->string);
			strbuf_addstr(err, "' twice");
			rc = KNIT_EPARSE;
		}
	free(keys);
	return rc;
}

static int read_map(struct knit_deps *out, const cJSON *doc, const char *field, const char *path,
		    struct strbuf *err)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(doc, field), *e;
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return field_error(err, path, field, "must be an object of package name to range");
	if (refuse_repeated_keys(obj, field, path, err))
		return KNIT_EPARSE;
	cJSON_ArrayForEach(e, obj) {
		if (!*e->string) {
			strbuf_addf(err, "%s: '%s' has an empty package name", path, field);
			return KNIT_EPARSE;
		}
		/* the keys become folders under deps/: checked here, where they enter */
		if (knit_pkgname_require(e->string, err, "%s: '%s' names ", path, field))
			return KNIT_EPARSE;
		if (!cJSON_IsString(e)) {
			strbuf_addf(err, "%s: '%s.%s' must be a string (a range, a tag or a path)", path,
				    field, e->string);
			return KNIT_EPARSE;
		}
		knit_deps_add(out, e->string, e->valuestring);
	}
	return 0;
}

static int read_scripts(struct knit_manifest *m, const cJSON *doc, const char *path,
			struct strbuf *err)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(doc, "scripts"), *e;
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return field_error(err, path, "scripts", "must be an object of script name to command");
	if (refuse_repeated_keys(obj, "scripts", path, err))
		return KNIT_EPARSE;
	m->scripts = knit_xcalloc((size_t)cJSON_GetArraySize(obj), sizeof(*m->scripts));
	cJSON_ArrayForEach(e, obj) {
		if (!*e->string) {
			strbuf_addf(err, "%s: 'scripts' has an empty script name", path);
			return KNIT_EPARSE;
		}
		if (!cJSON_IsString(e))
			return entry_error(err, path, "scripts", e->string, "must be a string (a shell command)");
		m->scripts[m->nscripts].name = knit_xstrdup(e->string);
		m->scripts[m->nscripts++].command = knit_xstrdup(e->valuestring);
	}
	return 0;
}

/*
 * An array of non-empty strings at obj[field] into out; label names it in
 * messages ("c.sources"), what says what it must hold.
 */
static int read_string_array(struct knit_strings *out, bool *given, const cJSON *obj,
			     const char *field, const char *label, const char *what,
			     const char *path, struct strbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, field), *e;
	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr)) {
		strbuf_addf(err, "%s: '%s' must be an array of %s", path, label, what);
		return KNIT_EPARSE;
	}
	out->items = knit_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out->items));
	cJSON_ArrayForEach(e, arr) {
		if (!cJSON_IsString(e) || !*e->valuestring) {
			strbuf_addf(err, "%s: '%s' must be an array of %s%s", path, label,
				    strcmp(what, "strings") ? "" : "non-empty ", what);
			return KNIT_EPARSE;
		}
		out->items[out->n++] = knit_xstrdup(e->valuestring);
	}
	if (given)
		*given = true;
	return 0;
}

/* trustedDependencies: an array of package names. */
static int read_names(struct knit_strings *out, const cJSON *doc, const char *field, const char *path,
		      struct strbuf *err)
{
	int rc = read_string_array(out, NULL, doc, field, field, "package names", path, err);
	for (size_t i = 0; !rc && i < out->n; i++)
		if (knit_pkgname_require(out->items[i], err, "%s: '%s' names ", path, field))
			rc = KNIT_EPARSE;
	return rc;
}

/* "name": the package's own, which its users' deps/ folders are named after. */
static int read_name(char **out, const cJSON *doc, const char *path, struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "name");
	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return field_error(err, path, "name", "must be a string");
	if (knit_pkgname_require(v->valuestring, err, "%s: 'name' is ", path))
		return KNIT_EPARSE;
	*out = knit_xstrdup(v->valuestring);
	return 0;
}

/* c.<field>: an array of non-empty strings. */
static int read_strings(struct knit_strings *out, bool *given, const cJSON *c, const char *field,
			const char *path, struct strbuf *err)
{
	char label[64];
	snprintf(label, sizeof(label), "c.%s", field);
	return read_string_array(out, given, c, field, label, "strings", path, err);
}

static void strings_release(struct knit_strings *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* "bin": a path (the command is the package's name without its scope) or an object. */
static int read_bin(struct knit_manifest *m, const cJSON *doc, const char *path, struct strbuf *err)
{
	const cJSON *bin = cJSON_GetObjectItemCaseSensitive(doc, "bin"), *e;
	if (!bin)
		return 0;
	if (cJSON_IsString(bin)) {
		if (!m->name)
			return field_error(err, path, "bin", "needs 'name' when it is a single path");
		const char *slash = strrchr(m->name, '/');
		knit_strmap_add(&m->bin, slash ? slash + 1 : m->name, bin->valuestring);
		return 0;
	}
	if (!cJSON_IsObject(bin))
		return field_error(err, path, "bin", "must be a path or an object of command name to path");
	if (refuse_repeated_keys(bin, "bin", path, err))
		return KNIT_EPARSE;
	cJSON_ArrayForEach(e, bin) {
		/* the name becomes deps/.bin/<name>, and is shown in warnings */
		bool not_file = !*e->string || strchr(e->string, '/') || !strcmp(e->string, ".") ||
				!strcmp(e->string, "..");
		if (not_file || has_control(e->string)) {
			strbuf_addf(err, "%s: 'bin' has a command named '", path);
			strbuf_add_visible(err, e->string);
			strbuf_addstr(err, not_file ? "', which cannot be a file name" : "', which holds a control character");
			return KNIT_EPARSE;
		}
		if (!cJSON_IsString(e))
			return entry_error(err, path, "bin", e->string, "must be a path in the package");
		knit_strmap_add(&m->bin, e->string, e->valuestring); /* repeats refused above */
	}
	return 0;
}

/*
 * A `c` value with a control character (below 0x20, or 0x7f) is refused:
 * every one of them ends up in a generated build file (deps/knit.mk,
 * knit.cmake, knit.env, a .pc), where a newline starts a new Make rule,
 * CMake command or pkg-config field, and no C flag, file or library
 * name needs one. The message shows the value escaped, on one line.
 */
static int refuse_control(const char *value, const char *label, const char *path, struct strbuf *err)
{
	if (!has_control(value))
		return 0;
	strbuf_addf(err, "%s: '%s' entry '", path, label);
	strbuf_add_visible(err, value);
	strbuf_addstr(err, "' holds a control character");
	return KNIT_EPARSE;
}

static int refuse_controls(const struct knit_strings *v, const char *label, const char *path,
			   struct strbuf *err)
{
	int rc = 0;
	for (size_t i = 0; i < v->n && !rc; i++)
		rc = refuse_control(v->items[i], label, path, err);
	return rc;
}

/* c.root: a folder below the package, named by plain components only. */
static bool plain_relative(const char *s)
{
	if (!*s || *s == '/' || strlen(s) > 255)
		return false;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "/");
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)p[i];
			if (ch < 0x20 || ch == 0x7f || ch == '\\')
				return false;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* c.build, c.root, c.options and c.shared: how knit build builds the package. */
static int read_c_build(struct knit_c_section *c, const cJSON *obj, const char *path, struct strbuf *err)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, "build");
	if (b && (!cJSON_IsString(b) || knit_build_kind_parse(b->valuestring, &c->build)))
		return field_error(err, path, "c.build", "must be one of sources, cmake, meson, autotools, make");
	c->has_build = b != NULL;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, "root");
	if (r && (!cJSON_IsString(r) || !plain_relative(r->valuestring)))
		return field_error(err, path, "c.root",
				   "must be a folder inside the package (like expat or libraries/liblmdb: no '..', no leading '/')");
	if (r)
		c->root = knit_xstrdup(r->valuestring);
	int rc = read_strings(&c->options, NULL, obj, "options", path, err);
	if (!rc)
		rc = refuse_controls(&c->options, "c.options", path, err);
	if (rc)
		return rc;
	const cJSON *sh = cJSON_GetObjectItemCaseSensitive(obj, "shared");
	if (sh && !cJSON_IsBool(sh))
		return field_error(err, path, "c.shared", "must be true or false");
	c->shared = cJSON_IsTrue(sh);
	return 0;
}

static int read_c(struct knit_c_section *c, const cJSON *doc, const char *path, struct strbuf *err)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(doc, "c");
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return field_error(err, path, "c", "must be an object (sources, include, defines, ...)");
	static const char *const fields[] = { "sources", "include", "defines", "cflags",
					      "link", "pkgconfig", "cmakeTarget", "build", "root",
					      "options", "shared" };
	int rc;
	if ((rc = refuse_repeated_fields(obj, fields, sizeof(fields) / sizeof(fields[0]), "c.", path, err)) ||
	    (rc = read_strings(&c->sources, &c->has_sources, obj, "sources", path, err)) ||
	    (rc = read_strings(&c->include, &c->has_include, obj, "include", path, err)) ||
	    (rc = read_strings(&c->defines, NULL, obj, "defines", path, err)) ||
	    (rc = read_strings(&c->cflags, NULL, obj, "cflags", path, err)) ||
	    (rc = read_strings(&c->link, NULL, obj, "link", path, err)) ||
	    (rc = refuse_controls(&c->sources, "c.sources", path, err)) ||
	    (rc = refuse_controls(&c->include, "c.include", path, err)) ||
	    (rc = refuse_controls(&c->defines, "c.defines", path, err)) ||
	    (rc = refuse_controls(&c->cflags, "c.cflags", path, err)) ||
	    (rc = refuse_controls(&c->link, "c.link", path, err)))
		return rc;
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(obj, "pkgconfig"), *e;
	if (pc && !cJSON_IsObject(pc))
		return field_error(err, path, "c.pkgconfig", "must be an object of pkg-config module to range");
	if (pc && (rc = refuse_repeated_keys(pc, "c.pkgconfig", path, err)))
		return rc;
	cJSON_ArrayForEach(e, pc) {
		if (!*e->string || !cJSON_IsString(e))
			return entry_error(err, path, "c.pkgconfig", e->string, "must be a range of versions");
		if ((rc = refuse_control(e->string, "c.pkgconfig", path, err)) ||
		    (rc = refuse_control(e->valuestring, "c.pkgconfig", path, err)))
			return rc;
		knit_strmap_add(&c->pkgconfig, e->string, e->valuestring); /* repeats refused above */
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "cmakeTarget");
	if (t && (!cJSON_IsString(t) || !*t->valuestring))
		return field_error(err, path, "c.cmakeTarget", "must be the name of a CMake target");
	if (t && (rc = refuse_control(t->valuestring, "c.cmakeTarget", path, err)))
		return rc;
	if (t)
		c->cmake_target = knit_xstrdup(t->valuestring);
	return read_c_build(c, obj, path, err);
}

const char *knit_manifest_script(const struct knit_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nscripts; i++)
		if (!strcmp(m->scripts[i].name, name))
			return m->scripts[i].command;
	return NULL;
}

static int read_string(char **out, const cJSON *doc, const char *field, const char *path,
		       struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return field_error(err, path, field, "must be a string");
	*out = knit_xstrdup(v->valuestring);
	return 0;
}

/* The top-level fields knit reads. */
static const char *const manifest_fields[] = { "name", "version", "dependencies", "devDependencies",
					       "overrides", "scripts", "description", "c", "bin",
					       "trustedDependencies", "files" };

int knit_manifest_parse(struct knit_manifest *m, const char *text, size_t len, const char *path,
			struct strbuf *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	cJSON *doc = knit_json_parse(text, len, path, err);
	if (!doc)
		return KNIT_EPARSE;
	if (!cJSON_IsObject(doc)) {
		strbuf_addf(err, "%s: the top level must be an object", path);
		rc = KNIT_EPARSE;
	} else if (!(rc = refuse_repeated_fields(doc, manifest_fields,
						 sizeof(manifest_fields) / sizeof(manifest_fields[0]), "", path,
						 err)) &&
		   !(rc = read_name(&m->name, doc, path, err)) &&
		   !(rc = read_string(&m->version, doc, "version", path, err)) &&
		   !(rc = read_map(&m->deps, doc, "dependencies", path, err)) &&
		   !(rc = read_map(&m->dev_deps, doc, "devDependencies", path, err)) &&
		   !(rc = read_map(&m->overrides, doc, "overrides", path, err)) &&
		   !(rc = read_scripts(m, doc, path, err)) &&
		   !(rc = read_string(&m->description, doc, "description", path, err)) &&
		   !(rc = read_c(&m->c, doc, path, err)) &&
		   !(rc = read_bin(m, doc, path, err)) &&
		   !(rc = read_names(&m->trusted, doc, "trustedDependencies", path, err)) &&
		   !(rc = read_string_array(&m->files, &m->has_files, doc, "files", "files",
					    "path patterns", path, err))) {
		struct knit_version v;
		if (m->version && knit_version_parse(&v, m->version, strlen(m->version), KNIT_SEMVER_LOOSE)) {
			strbuf_addf(err, "%s: 'version' \"", path);
			strbuf_add_visible(err, m->version);
			strbuf_addstr(err, "\" is not a valid version");
			rc = KNIT_EPARSE;
		} else if (m->version) {
			knit_version_release(&v);
		}
	}
	cJSON_Delete(doc);
	if (rc)
		knit_manifest_release(m);
	return rc;
}

int knit_manifest_read(struct knit_manifest *m, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	memset(m, 0, sizeof(*m));
	int rc = knit_read_file(path, &text, err);
	if (!rc)
		rc = knit_manifest_parse(m, text.buf, text.len, path, err);
	strbuf_release(&text);
	return rc;
}

void knit_manifest_release(struct knit_manifest *m)
{
	free(m->name);
	free(m->version);
	knit_deps_release(&m->deps);
	knit_deps_release(&m->dev_deps);
	knit_deps_release(&m->overrides);
	for (size_t i = 0; i < m->nscripts; i++) {
		free(m->scripts[i].name);
		free(m->scripts[i].command);
	}
	free(m->scripts);
	free(m->description);
	strings_release(&m->c.sources);
	strings_release(&m->c.include);
	strings_release(&m->c.defines);
	strings_release(&m->c.cflags);
	strings_release(&m->c.link);
	knit_strmap_release(&m->c.pkgconfig);
	free(m->c.cmake_target);
	free(m->c.root);
	strings_release(&m->c.options);
	knit_strmap_release(&m->bin);
	strings_release(&m->trusted);
	strings_release(&m->files);
	memset(m, 0, sizeof(*m));
}

int knit_manifest_read_package(struct knit_manifest *m, const char *dir, const char *label,
			       struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
	strbuf_addf(&path, "%s/knit.json", dir);
	int rc = knit_manifest_read(m, path.buf, &msg);
	if (rc == KNIT_ENOTFOUND) {
		strbuf_reset(&msg);
		strbuf_setlen(&path, strlen(dir));
		strbuf_addstr(&path, "/package.json");
		rc = knit_manifest_read(m, path.buf, &msg);
		if (rc == KNIT_ENOTFOUND) {
			memset(m, 0, sizeof(*m));
			rc = 0;
		}
	}
	if (rc) {
		/*
		 * The store path means nothing to the user: the package and the
		 * file's name stand for it, wherever the message has it ("<path>:3:7:
		 * malformed JSON", "cannot read '<path>': ...").
		 */
		const char *file = strrchr(path.buf, '/') + 1, *at, *from = msg.buf;
		strbuf_addf(err, "%s: ", label);
		while ((at = strstr(from, path.buf))) {
			strbuf_add(err, from, (size_t)(at - from));
			strbuf_addstr(err, file);
			from = at + path.len;
		}
		strbuf_addstr(err, from);
	}
	strbuf_release(&path);
	strbuf_release(&msg);
	return rc;
}
