/*
 * knit build's plan (build_plan.h): the project, knit.lock and each package's
 * manifest read, the packages ordered, and each one's key made.
 */
#include "build_plan.h"
#include "build_cache.h"
#include "build_remote.h"
#include "buildfiles.h"
#include "txn.h"
#include "resolver/lockfile.h"
#include "util/beneath.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/integrity.h"
#include "util/order.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bumped when what knit does to build a package changes: every key changes with it. */
#define KNIT_BUILD_RECIPE 2

static const size_t *deps_of(void *ctx, size_t i, size_t *count)
{
	const struct build *b = ctx;
	*count = b->p[i].ndeps;
	return b->p[i].deps;
}

static int by_lock_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pkg *)elem)->lock->name);
}

static void knit_deps_release_build(struct build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pkg *p = &b->p[i];
		knit_manifest_release(&p->m);
		strbuf_release(&p->dir);
		strbuf_release(&p->src);
		strbuf_release(&p->t);
		strbuf_release(&p->base);
		strbuf_release(&p->prefix);
		strbuf_release(&p->entry);
		strbuf_release(&p->key);
		strbuf_release(&p->key_id);
		knit_paths_release(&p->sources);
		knit_paths_release(&p->include);
		free(p->deps);
	}
	free(b->p);
	strbuf_release(&b->root);
}

/* c.root must lead to a folder inside the package, links and all. */
static int check_root(const struct pkg *p, struct strbuf *err)
{
	if (!p->m.c.root)
		return 0;
	int pkg = open(p->dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = pkg < 0 ? -1 : knit_beneath_open(pkg, p->m.c.root, O_RDONLY | O_DIRECTORY, 0);
	if (fd >= 0)
		close(fd);
	if (pkg >= 0)
		close(pkg);
	if (fd >= 0)
		return 0;
	strbuf_addf(err, "package '%s@%s': 'c.root' '%s' is not a folder inside the package", p->lock->name,
		    p->lock->version, p->m.c.root);
	return KNIT_EPARSE;
}

/* Reads knit.lock and each package's manifest, and decides kinds, paths and order. */
static int load(struct build *b, const char *project_dir, const struct knit_lockfile *lf, struct strbuf *err)
{
	char *abs = realpath(project_dir, NULL);
	if (!abs) {
		strbuf_addf(err, "cannot resolve the project folder '%s'", project_dir);
		return KNIT_EIO;
	}
	strbuf_addstr(&b->root, abs);
	free(abs);
	b->n = lf->n;
	b->p = knit_xcalloc(lf->n ? lf->n : 1, sizeof(*b->p));
	int rc = 0;
	for (size_t i = 0; i < lf->n && !rc; i++) {
		struct pkg *p = &b->p[i];
		p->lock = &lf->pkgs[i];
		strbuf_init(&p->dir, 0);
		strbuf_init(&p->src, 0);
		strbuf_init(&p->t, 0);
		strbuf_init(&p->base, 0);
		strbuf_init(&p->prefix, 0);
		strbuf_init(&p->entry, 0);
		strbuf_init(&p->key, 0);
		strbuf_init(&p->key_id, 0);
		if (knit_pkgname_verify(p->lock->name, err)) /* the backstop: knit.lock is input */
			return KNIT_EPARSE;
		strbuf_addf(&p->dir, "%s/deps/%s", b->root.buf, p->lock->name);
		struct strbuf label = STRBUF_INIT;
		strbuf_addf(&label, "package '%s@%s'", p->lock->name, p->lock->version);
		if (access(p->dir.buf, F_OK)) {
			strbuf_addf(err, "deps/%s is missing; run 'knit ci' first", p->lock->name);
			rc = KNIT_ENOTFOUND;
		} else {
			rc = knit_manifest_read_package(&p->m, p->dir.buf, label.buf, err);
		}
		strbuf_release(&label);
		if (rc || (rc = check_root(p, err)))
			break;
		p->kind = knit_package_build_kind(&p->m, p->dir.buf);
		if (p->kind == KNIT_BUILD_SOURCES) { /* c.sources and c.include are relative to the package */
			strbuf_add(&p->src, p->dir.buf, p->dir.len);
			struct knit_build_pkg bp = { p->lock->name, p->lock->version, p->dir.buf, NULL, &p->m, NULL, 0 };
			if ((rc = knit_buildfiles_sources(&bp, &p->sources, &p->include, err)))
				break;
		} else {
			strbuf_addf(&p->src, "%s%s%s", p->dir.buf, p->m.c.root ? "/" : "",
				    p->m.c.root ? p->m.c.root : "");
		}
		knit_build_name(p->lock->name, &p->t);
		strbuf_addf(&p->base, "%s/deps/.build/pkg/%s", b->root.buf, p->t.buf);
	}
	/* knit.lock is sorted by name: each dependency found by bsearch */
	for (size_t i = 0; i < b->n && !rc; i++) {
		struct pkg *p = &b->p[i];
		p->deps = knit_xcalloc(p->lock->deps.n + 1, sizeof(*p->deps));
		for (size_t k = 0; k < p->lock->deps.n; k++) {
			const struct pkg *d = bsearch(p->lock->deps.items[k].name, b->p, b->n, sizeof(*b->p), by_lock_name);
			if (d)
				p->deps[p->ndeps++] = (size_t)(d - b->p);
		}
	}
	return rc;
}

/*
 * Every package i depends on, directly or not, into out (room for b->n),
 * in the order an explicit-stack walk meets them; how many.
 */
size_t knit_deps_transitive(const struct build *b, size_t i, size_t *out)
{
	unsigned char *seen = knit_xcalloc(b->n + 1, 1);
	size_t *stack = knit_xcalloc(b->n + 1, sizeof(*stack)), depth = 0, n = 0;
	stack[depth++] = i;
	seen[i] = 1;
	while (depth) {
		size_t x = stack[--depth];
		for (size_t k = 0; k < b->p[x].ndeps; k++) {
			size_t d = b->p[x].deps[k];
			if (seen[d])
				continue;
			seen[d] = 1;
			stack[depth++] = d;
			out[n++] = d;
		}
	}
	free(stack);
	free(seen);
	return n;
}

void knit_deps_add_path(struct knit_paths *p, const char *s)
{
	KNIT_ALLOC_GROW(p->items, p->n + 1, p->alloc);
	p->items[p->n++] = knit_xstrdup(s);
}

/* The prefixes of the packages i depends on, directly or not. */
void knit_deps_built_prefixes(const struct build *b, size_t i, struct knit_paths *prefixes)
{
	size_t *deps = knit_xcalloc(b->n + 1, sizeof(*deps)), n = knit_deps_transitive(b, i, deps);
	for (size_t k = 0; k < n; k++)
		knit_deps_add_path(prefixes, b->p[deps[k]].prefix.buf);
	free(deps);
}

/*
 * What a built package gives consumers, kept beside its prefix as lines
 * "<tag> <value>" (I include folder, C compile flag, L library, l system
 * library, F link flag): read back for the packages built on it and for
 * deps/knit.env without asking pkg-config again.
 */
static const struct {
	char tag;
	size_t offset;
} consumer_fields[] = {
	{ 'I', offsetof(struct knit_consumer, include) },   { 'C', offsetof(struct knit_consumer, cflags) },
	{ 'L', offsetof(struct knit_consumer, libraries) }, { 'l', offsetof(struct knit_consumer, syslibs) },
	{ 'F', offsetof(struct knit_consumer, ldflags) },
};

void knit_deps_consumer_text(const struct knit_consumer *c, struct strbuf *out)
{
	for (size_t f = 0; f < sizeof(consumer_fields) / sizeof(consumer_fields[0]); f++) {
		const struct knit_paths *v = (const void *)((const char *)c + consumer_fields[f].offset);
		for (size_t i = 0; i < v->n; i++)
			strbuf_addf(out, "%c %s\n", consumer_fields[f].tag, v->items[i]);
	}
}

int knit_deps_read_consumer(const struct pkg *p, struct knit_consumer *c, struct strbuf *err)
{
	memset(c, 0, sizeof(*c));
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_addf(&path, "%s/consumer", p->base.buf);
	int rc = knit_read_file(path.buf, &text, err);
	for (const char *line = text.buf; !rc && *line;) {
		const char *end = strchrnul(line, '\n');
		for (size_t f = 0; f < sizeof(consumer_fields) / sizeof(consumer_fields[0]); f++)
			if (end - line > 2 && line[0] == consumer_fields[f].tag && line[1] == ' ') {
				struct knit_paths *v = (void *)((char *)c + consumer_fields[f].offset);
				KNIT_ALLOC_GROW(v->items, v->n + 1, v->alloc);
				v->items[v->n++] = knit_xmemdupz(line + 2, (size_t)(end - line - 2));
			}
		line = *end ? end + 1 : end;
	}
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

/*
 * The compile flags the packages i depends on give it, in the order the
 * walk meets them: a sources-kind dependency's from its knit.json (its
 * include folders where they are, its defines), so that packages that
 * need each other's headers build; any other kind's from what its prefix
 * gave when it was built.
 */
int knit_deps_dep_cflags(const struct build *b, size_t i, struct knit_paths *out, struct strbuf *err)
{
	size_t *deps = knit_xcalloc(b->n + 1, sizeof(*deps)), n = knit_deps_transitive(b, i, deps);
	int rc = 0;
	struct strbuf flag = STRBUF_INIT;
	for (size_t k = 0; k < n && !rc; k++) {
		const struct pkg *d = &b->p[deps[k]];
		if (d->kind == KNIT_BUILD_SOURCES) {
			char *dir = realpath(d->dir.buf, NULL); /* as the sandbox sees it */
			for (size_t j = 0; j < d->include.n; j++) {
				strbuf_reset(&flag);
				strbuf_addf(&flag, "-I%s%s%s", dir ? dir : d->dir.buf, *d->include.items[j] ? "/" : "",
					    d->include.items[j]);
				knit_deps_add_path(out, flag.buf);
			}
			free(dir);
			for (size_t j = 0; j < d->m.c.defines.n; j++) {
				strbuf_reset(&flag);
				strbuf_addf(&flag, "-D%s", d->m.c.defines.items[j]);
				knit_deps_add_path(out, flag.buf);
			}
			continue;
		}
		struct knit_consumer c;
		if ((rc = knit_deps_read_consumer(d, &c, err))) {
			strbuf_reset(err);
			strbuf_addf(err, "%s %s: its dependency %s %s has not been built (do they depend on each other?)",
				    b->p[i].lock->name, b->p[i].lock->version, d->lock->name, d->lock->version);
			break;
		}
		for (size_t j = 0; j < c.include.n; j++) {
			strbuf_reset(&flag);
			strbuf_addf(&flag, "-I%s", c.include.items[j]);
			knit_deps_add_path(out, flag.buf);
		}
		for (size_t j = 0; j < c.cflags.n; j++)
			knit_deps_add_path(out, c.cflags.items[j]);
		knit_consumer_release(&c);
	}
	strbuf_release(&flag);
	free(deps);
	return rc;
}

/* The hex SHA-256 of a key's text: how a key is named (and how a dependency's enters its dependents' keys). */
static void key_id(const struct strbuf *key, struct strbuf *out)
{
	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA256);
	struct knit_integrity d;
	knit_hasher_update(h, key->buf, key->len);
	knit_hasher_finish(h, &d);
	knit_integrity_hex(&d, out);
}

static int make_key(const struct build *b, size_t i, const struct knit_build_opts *o, bool shared,
		    const struct strbuf *toolchain, struct strbuf *err)
{
	struct pkg *p = &b->p[i];
	struct strbuf *k = &p->key;
	strbuf_addf(k, "recipe %d\n", KNIT_BUILD_RECIPE);
	strbuf_addf(k, "name %s\nversion %s\n", p->lock->name, p->lock->version);
	/* the bytes it is built from: its integrity, whichever registry served them; else where it came from
	 * (a git commit) */
	if (p->lock->integrity) {
		strbuf_addf(k, "integrity %s\n", p->lock->integrity);
	} else {
		strbuf_addf(k, "resolved %s\n", p->lock->resolved ? p->lock->resolved : "");
		/* a folder (file:) changes under the same name: what it holds now is the input */
		if (p->lock->resolved && !strncmp(p->lock->resolved, "file:", 5)) {
			struct strbuf digest = STRBUF_INIT;
			int rc = knit_build_cache_tree_digest(p->dir.buf, &digest, err);
			strbuf_addf(k, "content %s\n", digest.buf);
			strbuf_release(&digest);
			if (rc)
				return rc;
		}
	}
	strbuf_addf(k, "kind %s\nroot %s\nshared %d\ndebug %d\n", knit_build_kind_name(p->kind),
		    p->m.c.root ? p->m.c.root : "", shared, o->debug);
	for (size_t j = 0; j < p->m.c.options.n; j++)
		strbuf_addf(k, "option %s\n", p->m.c.options.items[j]);
	/* CC and AR, and PATH, are in the toolchain lines as the tools they name (CMake sets
	 * CC=/usr/bin/cc for what it runs: the same compiler as CC unset, the same key) */
	static const char *const vars[] = { "CFLAGS", "CPPFLAGS", "LDFLAGS" };
	for (size_t j = 0; j < sizeof(vars) / sizeof(vars[0]); j++) {
		const char *v = getenv(vars[j]);
		strbuf_addf(k, "env %s=%s\n", vars[j], v ? v : "");
	}
	/* a dependency built differently makes this one different (they come first in the order) */
	const struct knit_c_section *c = &p->m.c;
	if (p->kind == KNIT_BUILD_SOURCES) { /* the files found, and what compiles them */
		for (size_t j = 0; j < p->sources.n; j++)
			strbuf_addf(k, "source %s\n", p->sources.items[j]);
		for (size_t j = 0; j < p->include.n; j++)
			strbuf_addf(k, "include %s\n", p->include.items[j]);
		for (size_t j = 0; j < c->defines.n; j++)
			strbuf_addf(k, "define %s\n", c->defines.items[j]);
		for (size_t j = 0; j < c->cflags.n; j++)
			strbuf_addf(k, "cflag %s\n", c->cflags.items[j]);
	}
	for (size_t j = 0; j < c->pkgconfig.n; j++)
		strbuf_addf(k, "pkgconfig %s\n", c->pkgconfig.items[j].key);
	for (size_t j = 0; j < c->link.n; j++)
		strbuf_addf(k, "link %s\n", c->link.items[j]);
	strbuf_add(k, toolchain->buf, toolchain->len);
	for (size_t d = 0; d < p->ndeps; d++)
		strbuf_addf(k, "dep %s %s\n", b->p[p->deps[d]].lock->name, b->p[p->deps[d]].key_id.buf);
	key_id(k, &p->key_id);
	return 0;
}



void knit_deps_plan_release(struct plan *pl)
{
	for (size_t k = 0; k <= KNIT_BUILD_MAKE; k++)
		strbuf_release(&pl->toolchain[k]);
	free(pl->order);
	free(pl->shared_of);
	knit_manifest_release(&pl->project);
	knit_build_cache_close(&pl->b.cache);
	knit_deps_release_build(&pl->b);
	knit_lockfile_release(&pl->lf);
}

/*
 * Reads the project and knit.lock, each package's manifest, and makes the
 * order and the keys; with cache_dir, each package's entry in the build
 * cache there.
 */
int knit_deps_plan_open(struct plan *pl, const struct knit_build_opts *o, const char *cache_dir, struct strbuf *err)
{
	memset(pl, 0, sizeof(*pl));
	strbuf_init(&pl->b.root, 0);
	strbuf_init(&pl->b.cache.root, 0);
	for (size_t k = 0; k <= KNIT_BUILD_MAKE; k++)
		strbuf_init(&pl->toolchain[k], 0);
	if (cache_dir) {
		knit_build_cache_close(&pl->b.cache);
		int rc = knit_build_cache_open(&pl->b.cache, cache_dir, err);
		if (rc)
			return rc;
	}
	const char *dir = o->project_dir ? o->project_dir : ".";
	int rc = knit_txn_read_project(dir, &pl->project, err);
	if (rc) {
		memset(&pl->project, 0, sizeof(pl->project));
		return rc;
	}
	struct strbuf lock = STRBUF_INIT;
	strbuf_addf(&lock, "%s/knit.lock", dir);
	if ((rc = knit_lockfile_read(&pl->lf, lock.buf, err)) == KNIT_ENOTFOUND) {
		strbuf_reset(err);
		strbuf_addstr(err, "no knit.lock here; run 'knit install' first");
	}
	strbuf_release(&lock);
	if (!rc)
		rc = load(&pl->b, dir, &pl->lf, err);
	struct build *b = &pl->b;
	pl->order = knit_xcalloc(b->n ? b->n : 1, sizeof(*pl->order));
	pl->shared_of = knit_xcalloc(b->n ? b->n : 1, sizeof(*pl->shared_of));
	if (rc)
		return rc;
	knit_dep_order(b->n, deps_of, b, pl->order);
	struct strbuf tools_path = STRBUF_INIT;
	if (b->cache.root.len)
		strbuf_addf(&tools_path, "%s/tools", b->cache.root.buf);
	struct knit_tool_cache *tools = knit_tool_cache_open(tools_path.len ? tools_path.buf : NULL);
	strbuf_release(&tools_path);
	/* keys in dependency order: each holds its dependencies' */
	for (size_t o_i = 0; o_i < b->n; o_i++) {
		size_t i = pl->order[o_i];
		struct pkg *p = &b->p[i];
		pl->shared_of[i] = o->shared || p->m.c.shared;
		if (!pl->toolchain[p->kind].len)
			knit_build_toolchain(p->kind, tools, &pl->toolchain[p->kind]);
		if ((rc = make_key(b, i, o, pl->shared_of[i], &pl->toolchain[p->kind], err)))
			break;
		if (b->cache.root.len) {
			knit_build_cache_entry(&b->cache, p->key_id.buf, &p->entry);
			strbuf_addf(&p->prefix, "%s/prefix", p->entry.buf);
		}
	}
	knit_tool_cache_close(tools);
	return rc;
}


/* Whether line (len bytes, without its newline) is one of text's lines. */
static bool has_line(const struct strbuf *text, const char *line, size_t len)
{
	for (const char *l = text->buf; *l;) {
		const char *end = strchrnul(l, '\n');
		if ((size_t)(end - l) == len && !memcmp(l, line, len))
			return true;
		l = *end ? end + 1 : end;
	}
	return false;
}

/* "<sign> line" for each line of a not in b. */
static void lines_not_in(const struct strbuf *a, const struct strbuf *b, char sign, struct strbuf *out)
{
	for (const char *l = a->buf; *l;) {
		const char *end = strchrnul(l, '\n');
		if (!has_line(b, l, (size_t)(end - l)))
			strbuf_addf(out, "  %c %.*s\n", sign, (int)(end - l), l);
		l = *end ? end + 1 : end;
	}
}

int knit_build_explain(const struct knit_build_opts *o, const char *name, struct strbuf *out, struct strbuf *err)
{
	struct plan pl;
	int rc = knit_deps_plan_open(&pl, o, NULL, err);
	const struct pkg *p = NULL;
	for (size_t i = 0; !rc && i < pl.b.n && !p; i++)
		if (!strcmp(pl.b.p[i].lock->name, name))
			p = &pl.b.p[i];
	if (!rc && !p) {
		strbuf_addf(err, "'%s' is not in knit.lock", name);
		rc = KNIT_ENOTFOUND;
	}
	if (!rc) {
		strbuf_addf(out, "%s %s (%s): key %s\n", p->lock->name, p->lock->version, knit_build_kind_name(p->kind),
			    p->key_id.buf);
		strbuf_add(out, p->key.buf, p->key.len);
		struct strbuf path = STRBUF_INIT, old = STRBUF_INIT, scratch = STRBUF_INIT;
		strbuf_addf(&path, "%s/key", p->base.buf);
		if (knit_read_file(path.buf, &old, &scratch)) {
			strbuf_addstr(out, "not built yet: the next knit build builds it\n");
		} else if (old.len == p->key.len && !memcmp(old.buf, p->key.buf, old.len)) {
			strbuf_addstr(out, "up to date: built from these inputs\n");
		} else {
			strbuf_addstr(out, "out of date: the next knit build builds it again, as these inputs changed:\n");
			lines_not_in(&old, &p->key, '-', out);
			lines_not_in(&p->key, &old, '+', out);
		}
		strbuf_release(&path);
		strbuf_release(&old);
		strbuf_release(&scratch);
	}
	knit_deps_plan_release(&pl);
	return rc;
}


int knit_deps_write_at(const char *dir, const char *name, const struct strbuf *text, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s", dir, name);
	bool changed;
	int rc = knit_make_parents(path.buf);
	if (rc)
		strbuf_addf(err, "cannot make the folder for %s", path.buf);
	else
		rc = knit_write_file_atomic(path.buf, text->buf, text->len, &changed, err);
	strbuf_release(&path);
	return rc;
}

