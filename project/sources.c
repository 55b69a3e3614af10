#include "sources.h"
#include "store/git.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * strbuf_addf for a message whose every %s (its only conversion) is shown
 * with strbuf_add_visible: specs, names and folders come from knit.json
 * files, a git package's from anyone, and a newline or an escape sequence
 * in one must not split the one-line error or reach the terminal.
 */
static void add_message(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_message(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			strbuf_add_visible(sb, va_arg(ap, const char *));
			p++;
		} else {
			strbuf_addch(sb, *p);
		}
	}
	va_end(ap);
}

struct knit_specials {
	struct knit_source self;
	const struct knit_source *inner;
	char *cache_dir, *project_dir;
	struct knit_special **items;
	size_t n, alloc;
};

enum knit_spec_kind knit_spec_kind(const char *spec)
{
	if (knit_git_is_spec(spec))
		return KNIT_SPEC_GIT;
	if (!strncmp(spec, "file:", 5) && strncmp(spec, "file://", 7))
		return KNIT_SPEC_FILE;
	return KNIT_SPEC_REGISTRY;
}

enum knit_spec_kind knit_resolved_kind(const char *resolved)
{
	if (!resolved)
		return KNIT_SPEC_REGISTRY;
	if (!strncmp(resolved, "git+", 4))
		return KNIT_SPEC_GIT;
	return knit_spec_kind(resolved) == KNIT_SPEC_FILE ? KNIT_SPEC_FILE : KNIT_SPEC_REGISTRY;
}

int knit_resolved_git(const char *resolved, char **url, char commit[41])
{
	const char *hash = strrchr(resolved, '#');
	if (strncmp(resolved, "git+", 4) || !hash || strlen(hash + 1) != 40 ||
	    strspn(hash + 1, "0123456789abcdef") != 40)
		return KNIT_EINVALID_ARG;
	*url = knit_xmemdupz(resolved + 4, (size_t)(hash - resolved - 4));
	memcpy(commit, hash + 1, 41);
	return 0;
}

void knit_spec_folder(const char *spec, const char *base_dir, struct strbuf *out)
{
	const char *p = spec + 5; /* after "file:" */
	if (*p == '/')
		strbuf_addstr(out, p);
	else
		strbuf_addf(out, "%s/%s", base_dir, p);
}

const struct knit_special *knit_specials_find(const struct knit_specials *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i]->name, name))
			return s->items[i];
	return NULL;
}

static void src_prefetch(void *ctx, const char *name)
{
	struct knit_specials *s = ctx;
	if (!knit_specials_find(s, name) && s->inner->prefetch)
		s->inner->prefetch(s->inner->ctx, name);
}

static int src_load(void *ctx, const char *name, const struct knit_pkg **out)
{
	struct knit_specials *s = ctx;
	const struct knit_special *sp = knit_specials_find(s, name);
	if (sp) {
		*out = &sp->pkg;
		return 0;
	}
	return s->inner->load(s->inner->ctx, name, out);
}

static const char *src_message(void *ctx, const char *name)
{
	struct knit_specials *s = ctx;
	return s->inner->message ? s->inner->message(s->inner->ctx, name) : NULL;
}

struct knit_specials *knit_specials_new(const struct knit_source *inner, const char *cache_dir,
					const char *project_dir)
{
	struct knit_specials *s = knit_xcalloc(1, sizeof(*s));
	s->inner = inner;
	s->cache_dir = knit_xstrdup(cache_dir);
	char *real = realpath(project_dir, NULL);
	s->project_dir = real ? real : knit_xstrdup(project_dir);
	s->self = (struct knit_source){ s, src_prefetch, src_load, src_message };
	return s;
}

const struct knit_source *knit_specials_source(struct knit_specials *s)
{
	return &s->self;
}

static void special_free(struct knit_special *sp)
{
	free(sp->name);
	free(sp->spec);
	free(sp->asked_by);
	free(sp->resolved);
	free(sp->url);
	free(sp->dir);
	knit_manifest_release(&sp->manifest);
	knit_version_release(&sp->version.parsed);
	knit_deps_release(&sp->deps);
	free(sp);
}

void knit_specials_free(struct knit_specials *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		special_free(s->items[i]);
	free(s->items);
	free(s->cache_dir);
	free(s->project_dir);
	free(s);
}

/* to, relative to the folder from (both absolute and without . or .. parts) */
static void relative_path(const char *from, const char *to, struct strbuf *out)
{
	/* the longest common run of whole segments */
	size_t common = 0, i = 0;
	for (; from[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i;
	if ((!from[i] && (to[i] == '/' || !to[i])) || (!to[i] && from[i] == '/'))
		common = i;
	else if (i && !from[i] && from[i - 1] == '/')
		common = i; /* from is "/": to is beneath it, with no ".." to climb */
	for (const char *p = from + common; *p; p++)
		if (*p == '/')
			strbuf_addstr(out, "../");
	const char *rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest)
		strbuf_addstr(out, rest);
	else if (out->len)
		strbuf_setlen(out, out->len - 1); /* "../" -> ".." */
	else
		strbuf_addch(out, '.');
}

static int special_register(struct knit_specials *s, const char *name, const char *spec, const char *base_dir,
			    const char *asked_by, const struct knit_special **out, struct strbuf *err);

/* The package's identity and dependencies from its manifest text (knit.json or package.json). */
static int special_fill(struct knit_specials *s, struct knit_special *sp, const char *base_dir,
			struct strbuf *err)
{
	if (sp->manifest.name && strcmp(sp->manifest.name, sp->name)) {
		add_message(err, "%s: %s names the package '%s', not '%s'", sp->name, sp->spec, sp->manifest.name,
			    sp->name);
		return KNIT_EINVALID_ARG;
	}
	const char *version = sp->manifest.version ? sp->manifest.version : "0.0.0";
	if (knit_version_parse(&sp->version.parsed, version, strlen(version), KNIT_SEMVER_LOOSE)) {
		add_message(err, "%s: %s has an invalid version '%s'", sp->name, sp->spec, version);
		return KNIT_EINVALID_VERSION;
	}
	/* the version, cleaned, before the dependencies: a cycle back to this package reads it */
	free(sp->manifest.version);
	sp->manifest.version = knit_version_to_string(&sp->version.parsed);
	sp->version.version = sp->manifest.version;
	for (size_t i = 0; i < sp->manifest.deps.n; i++) {
		const struct knit_dep *d = &sp->manifest.deps.items[i];
		const char *range = d->range;
		if (knit_spec_kind(d->range) != KNIT_SPEC_REGISTRY) {
			if (sp->kind == KNIT_SPEC_GIT && knit_spec_kind(d->range) == KNIT_SPEC_FILE) {
				add_message(err, "%s (from %s) depends on %s as '%s': a git package cannot name a folder",
					    sp->name, sp->spec, d->name, d->range);
				return KNIT_EINVALID_ARG;
			}
			const struct knit_special *dep;
			int rc = special_register(s, d->name, d->range, base_dir, sp->name, &dep, err);
			if (rc)
				return rc;
			range = dep->version.version;
		}
		knit_deps_add(&sp->deps, d->name, range);
	}
	sp->version.deps = sp->deps.items;
	sp->version.ndeps = sp->deps.n;
	sp->pkg.name = sp->name;
	sp->pkg.versions = &sp->version;
	sp->pkg.nversions = 1;
	sp->pkg.latest = sp->version.version;
	return 0;
}

static int from_git(struct knit_specials *s, struct knit_special *sp, struct strbuf *err)
{
	struct knit_git_spec g;
	struct strbuf tag = STRBUF_INIT, text = STRBUF_INIT, label = STRBUF_INIT;
	int rc = knit_git_parse_spec(sp->spec, &g, err);
	if (!rc)
		rc = knit_git_resolve(s->cache_dir, &g, sp->commit, &tag, err);
	if (!rc) {
		sp->url = knit_xstrdup(g.url);
		struct strbuf r = STRBUF_INIT;
		strbuf_addf(&r, "git+%s#%s", g.url, sp->commit);
		sp->resolved = strbuf_detach(&r, NULL);
		add_message(&label, "%s (%s)", sp->name, sp->spec);
		const char *files[] = { "knit.json", "package.json" };
		rc = KNIT_ENOTFOUND;
		for (size_t i = 0; i < 2 && rc == KNIT_ENOTFOUND; i++) {
			strbuf_reset(&text);
			rc = knit_git_read(s->cache_dir, g.url, sp->commit, files[i], &text, err);
			if (!rc)
				rc = knit_manifest_parse(&sp->manifest, text.buf, text.len, label.buf, err);
		}
		if (rc == KNIT_ENOTFOUND)
			rc = 0; /* no manifest: version 0.0.0, no dependencies, the conventions */
	}
	if (!rc)
		rc = special_fill(s, sp, NULL, err);
	knit_git_spec_release(&g);
	strbuf_release(&tag);
	strbuf_release(&text);
	strbuf_release(&label);
	return rc;
}

static int from_folder(struct knit_specials *s, struct knit_special *sp, const char *base_dir,
		       struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT, label = STRBUF_INIT;
	knit_spec_folder(sp->spec, base_dir, &path);
	char *real = realpath(path.buf, NULL);
	struct stat st;
	int rc = 0;
	if (!real || stat(real, &st) || !S_ISDIR(st.st_mode)) {
		add_message(err, "%s: %s: no such folder (%s)", sp->name, sp->spec, path.buf);
		rc = KNIT_ENOTFOUND;
	} else if (!strcmp(real, s->project_dir)) {
		add_message(err, "%s: %s is the project itself", sp->name, sp->spec);
		rc = KNIT_EINVALID_ARG;
	}
	if (!rc) {
		sp->dir = real;
		real = NULL;
		relative_path(s->project_dir, sp->dir, &rel);
		struct strbuf r = STRBUF_INIT;
		strbuf_addf(&r, "file:%s", rel.buf);
		sp->resolved = strbuf_detach(&r, NULL);
		add_message(&label, "%s (%s)", sp->name, sp->spec);
		rc = knit_manifest_read_package(&sp->manifest, sp->dir, label.buf, err);
	}
	if (!rc)
		rc = special_fill(s, sp, sp->dir, err);
	free(real);
	strbuf_release(&path);
	strbuf_release(&rel);
	strbuf_release(&label);
	return rc;
}

static int special_register(struct knit_specials *s, const char *name, const char *spec, const char *base_dir,
			    const char *asked_by, const struct knit_special **out, struct strbuf *err)
{
	const struct knit_special *have = knit_specials_find(s, name);
	if (have) {
		/* the same source: the same git spec, or a path to the same folder */
		bool same = !strcmp(have->spec, spec) && have->kind == KNIT_SPEC_GIT;
		if (have->kind == KNIT_SPEC_FILE && knit_spec_kind(spec) == KNIT_SPEC_FILE) {
			struct strbuf path = STRBUF_INIT;
			knit_spec_folder(spec, base_dir, &path);
			char *real = realpath(path.buf, NULL);
			same = real && have->dir && !strcmp(real, have->dir);
			free(real);
			strbuf_release(&path);
		}
		if (same) {
			*out = have;
			return 0;
		}
		add_message(err, "%s is asked for as '%s' by %s and as '%s' by %s; knit installs one copy of each "
				 "package, so they must agree", name, have->spec, have->asked_by, spec, asked_by);
		return KNIT_EINVALID_ARG;
	}
	struct knit_special *sp = knit_xcalloc(1, sizeof(*sp));
	sp->name = knit_xstrdup(name);
	sp->spec = knit_xstrdup(spec);
	sp->asked_by = knit_xstrdup(asked_by);
	sp->kind = knit_spec_kind(spec);
	/* in the table before its own dependencies are read: a cycle finds it */
	KNIT_ALLOC_GROW(s->items, s->n + 1, s->alloc);
	s->items[s->n++] = sp;
	int rc = sp->kind == KNIT_SPEC_GIT ? from_git(s, sp, err) : from_folder(s, sp, base_dir, err);
	if (rc) {
		for (size_t i = 0; i < s->n; i++)
			if (s->items[i] == sp) {
				memmove(&s->items[i], &s->items[i + 1], (s->n - i - 1) * sizeof(*s->items));
				s->n--;
				break;
			}
		special_free(sp);
		return rc;
	}
	*out = sp;
	return 0;
}

int knit_specials_root(struct knit_specials *s, const char *name, const char *spec, const char *asked_by,
		       const char **solve_range, struct strbuf *err)
{
	if (knit_spec_kind(spec) == KNIT_SPEC_REGISTRY) {
		*solve_range = spec;
		return 0;
	}
	const struct knit_special *sp;
	int rc = special_register(s, name, spec, s->project_dir, asked_by, &sp, err);
	if (!rc)
		*solve_range = sp->version.version;
	return rc;
}

bool knit_resolved_matches(const char *project_dir, const char *spec, const char *resolved)
{
	enum knit_spec_kind kind = knit_spec_kind(spec);
	if (!resolved || knit_resolved_kind(resolved) != kind)
		return false;
	bool same = false;
	if (kind == KNIT_SPEC_GIT) {
		struct knit_git_spec g;
		struct strbuf err = STRBUF_INIT;
		char *url, commit[41];
		if (!knit_git_parse_spec(spec, &g, &err) && !knit_resolved_git(resolved, &url, commit)) {
			same = !strcmp(url, g.url) && (!g.committish || strlen(g.committish) != 40 ||
						       !strcmp(g.committish, commit));
			free(url);
		}
		knit_git_spec_release(&g);
		strbuf_release(&err);
	} else if (kind == KNIT_SPEC_FILE) {
		struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT;
		char *root = realpath(project_dir, NULL);
		knit_spec_folder(spec, project_dir, &path);
		char *real = realpath(path.buf, NULL);
		if (root && real) {
			relative_path(root, real, &rel);
			same = !strcmp(resolved + 5, rel.buf);
		}
		free(root);
		free(real);
		strbuf_release(&path);
		strbuf_release(&rel);
	}
	return same;
}
