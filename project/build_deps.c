#include "build_deps.h"
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

enum knit_build_kind knit_package_build_kind(const struct knit_manifest *m, const char *dir)
{
	const struct knit_c_section *c = &m->c;
	if (c->has_build)
		return c->build;
	if (c->has_sources)
		return KNIT_BUILD_SOURCES;
	if (c->cmake_target) /* deprecated: read as the cmake kind */
		return KNIT_BUILD_CMAKE;
	struct strbuf src = STRBUF_INIT;
	strbuf_addf(&src, "%s%s%s", dir, c->root ? "/" : "", c->root ? c->root : "");
	enum knit_build_kind kind = knit_build_detect(src.buf);
	strbuf_release(&src);
	return kind;
}

/* One package of knit.lock, as knit build sees it. */
struct pkg {
	const struct knit_lock_pkg *lock;
	struct knit_manifest m;
	enum knit_build_kind kind;
	struct strbuf dir;    /* deps/<name> */
	struct strbuf src;    /* dir plus c.root */
	struct strbuf t;      /* build name */
	struct strbuf base;   /* deps/.build/pkg/<t> */
	struct strbuf prefix; /* the install prefix: the build cache entry's prefix/ */
	struct strbuf entry;  /* the build cache entry of its key */
	struct strbuf key;    /* what the build is made from, one input a line */
	struct strbuf key_id; /* its SHA-256, hex ("" before make_key, as for a dependency in a cycle) */
	struct knit_paths sources, include; /* the sources kind's files, relative to dir */
	size_t *deps;         /* indexes among the packages */
	size_t ndeps;
};

struct build {
	struct pkg *p;
	size_t n;
	struct strbuf root; /* the project, absolute */
	struct knit_build_cache cache; /* where builds live (build_cache.h); root.len 0 for --explain */
	bool sandbox;                  /* each build step in bubblewrap's sandbox */
};

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

static void release(struct build *b)
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
			struct knit_build_pkg bp = { p->lock->name, p->lock->version, p->dir.buf, NULL, &p->m };
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
static size_t transitive_deps(const struct build *b, size_t i, size_t *out)
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

static void add_path(struct knit_paths *p, const char *s)
{
	KNIT_ALLOC_GROW(p->items, p->n + 1, p->alloc);
	p->items[p->n++] = knit_xstrdup(s);
}

/* The prefixes of the packages i depends on, directly or not. */
static void built_deps(const struct build *b, size_t i, struct knit_paths *prefixes)
{
	size_t *deps = knit_xcalloc(b->n + 1, sizeof(*deps)), n = transitive_deps(b, i, deps);
	for (size_t k = 0; k < n; k++)
		add_path(prefixes, b->p[deps[k]].prefix.buf);
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

static void consumer_text(const struct knit_consumer *c, struct strbuf *out)
{
	for (size_t f = 0; f < sizeof(consumer_fields) / sizeof(consumer_fields[0]); f++) {
		const struct knit_paths *v = (const void *)((const char *)c + consumer_fields[f].offset);
		for (size_t i = 0; i < v->n; i++)
			strbuf_addf(out, "%c %s\n", consumer_fields[f].tag, v->items[i]);
	}
}

static int read_consumer(const struct pkg *p, struct knit_consumer *c, struct strbuf *err)
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
static int dep_cflags(const struct build *b, size_t i, struct knit_paths *out, struct strbuf *err)
{
	size_t *deps = knit_xcalloc(b->n + 1, sizeof(*deps)), n = transitive_deps(b, i, deps);
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
				add_path(out, flag.buf);
			}
			free(dir);
			for (size_t j = 0; j < d->m.c.defines.n; j++) {
				strbuf_reset(&flag);
				strbuf_addf(&flag, "-D%s", d->m.c.defines.items[j]);
				add_path(out, flag.buf);
			}
			continue;
		}
		struct knit_consumer c;
		if ((rc = read_consumer(d, &c, err))) {
			strbuf_reset(err);
			strbuf_addf(err, "%s %s: its dependency %s %s has not been built (do they depend on each other?)",
				    b->p[i].lock->name, b->p[i].lock->version, d->lock->name, d->lock->version);
			break;
		}
		for (size_t j = 0; j < c.include.n; j++) {
			strbuf_reset(&flag);
			strbuf_addf(&flag, "-I%s", c.include.items[j]);
			add_path(out, flag.buf);
		}
		for (size_t j = 0; j < c.cflags.n; j++)
			add_path(out, c.cflags.items[j]);
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

/* Whether deps/.build/pkg/<t> links to the entry of p's key (whose key file says so too). */
static bool up_to_date(const struct pkg *p)
{
	char target[4096];
	ssize_t n = readlink(p->base.buf, target, sizeof(target) - 1);
	if (n < 0 || (size_t)n != p->entry.len || memcmp(target, p->entry.buf, (size_t)n))
		return false;
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&path, "%s/key", p->entry.buf);
	bool same = !knit_read_file(path.buf, &old, &scratch) && old.len == p->key.len &&
		    !memcmp(old.buf, p->key.buf, old.len);
	strbuf_release(&path);
	strbuf_release(&old);
	strbuf_release(&scratch);
	return same;
}

/* That the project uses p's entry: its last use, and deps/.build/hold/<t> holding it through a cache clean. */
static void mark_used(const struct build *b, const struct pkg *p)
{
	struct strbuf hold = STRBUF_INIT;
	strbuf_addf(&hold, "%s/deps/.build/hold/%s", b->root.buf, p->t.buf);
	knit_build_cache_mark_used(&b->cache, p->key_id.buf, hold.buf);
	strbuf_release(&hold);
}

/* deps/.build/pkg/<t> -> the entry, replacing what was there (a link, or a folder of an older knit). */
static int link_entry(const struct build *b, const struct pkg *p, struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	strbuf_addf(&tmp, "%s.link-%ld", p->base.buf, (long)getpid());
	struct stat st;
	int rc = knit_make_parents(p->base.buf);
	if (!lstat(p->base.buf, &st) && S_ISDIR(st.st_mode))
		knit_remove_tree(p->base.buf);
	unlink(tmp.buf);
	if (rc || symlink(p->entry.buf, tmp.buf) || rename(tmp.buf, p->base.buf)) {
		strbuf_addf(err, "cannot link '%s' to its build: %s", p->base.buf, strerror(errno));
		unlink(tmp.buf);
		rc = KNIT_EIO;
	}
	if (!rc)
		mark_used(b, p);
	strbuf_release(&tmp);
	return rc;
}

static int write_at(const char *dir, const char *name, const struct strbuf *text, struct strbuf *err)
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

/* A .pc file name the package installed, safe to copy into deps/.pkgconfig/. */
static bool plain_pc_name(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (*base == '.')
		return false;
	for (const char *c = base; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("._+-", *c)))
			return false;
	return true;
}

/* What consumers get from p's prefix: link.cmake, link.mk, .pkgconfig/<t>.pc and the package's own .pc files. */
/* What consumers get from p's build in dir (whose prefix/ it installed into), written into dir. */
static int write_consumer(const struct build *b, const struct pkg *p, const char *dir, const char *prefix,
			  const struct knit_paths *dep_prefixes, bool shared, int log_fd, struct strbuf *err)
{
	struct knit_consumer_req req = { prefix, (const char *const *)dep_prefixes->items, dep_prefixes->n,
					  (const char *const *)p->m.c.link.items, p->m.c.link.n, shared, log_fd };
	struct knit_consumer c;
	int rc = knit_build_consumer(&req, &c, err);
	if (rc) {
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "%s %s: %s", p->lock->name, p->lock->version, err->buf);
		strbuf_reset(err);
		strbuf_add(err, why.buf, why.len);
		strbuf_release(&why);
		return rc;
	}
	struct strbuf cmake = STRBUF_INIT, mk = STRBUF_INIT, pc = STRBUF_INIT, pcdir = STRBUF_INIT,
		      name = STRBUF_INIT, text = STRBUF_INIT;
	struct knit_paths requires = { 0 };
	for (size_t k = 0; k < p->ndeps; k++)
		add_path(&requires, b->p[p->deps[k]].t.buf);
	for (size_t k = 0; k < p->m.c.pkgconfig.n; k++)
		add_path(&requires, p->m.c.pkgconfig.items[k].key);
	knit_buildfiles_built(p->lock->name, p->lock->version, &c, &requires, &cmake, &mk, &pc);
	knit_paths_release(&requires);
	consumer_text(&c, &text);
	strbuf_addf(&pcdir, "%s/pc", dir); /* published into deps/.pkgconfig by publish_pc */
	strbuf_addf(&name, "%s.pc", p->t.buf);
	if (!(rc = write_at(dir, "link.cmake", &cmake, err)) && !(rc = write_at(dir, "link.mk", &mk, err)) &&
	    !(rc = write_at(dir, "consumer", &text, err)))
		rc = write_at(pcdir.buf, name.buf, &pc, err);
	for (size_t i = 0; !rc && i < c.pc_files.n; i++) {
		const char *file = c.pc_files.items[i];
		const char *base = strrchr(file, '/') + 1;
		strbuf_reset(&text);
		if (!plain_pc_name(file) || !strcmp(base, name.buf))
			continue; /* knit's own <t>.pc wins; odd names stay in the prefix */
		if (!(rc = knit_read_file(file, &text, err)))
			rc = write_at(pcdir.buf, base, &text, err);
	}
	knit_consumer_release(&c);
	strbuf_release(&cmake);
	strbuf_release(&mk);
	strbuf_release(&pc);
	strbuf_release(&pcdir);
	strbuf_release(&name);
	strbuf_release(&text);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Copies the project's log of a build into the staged entry, as its log. */
static void keep_log(const char *log, const char *stage)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	bool changed;
	strbuf_addf(&path, "%s/log", stage);
	if (!knit_read_file(log, &text, &err))
		knit_write_file_atomic(path.buf, text.buf, text.len, &changed, &err);
	strbuf_release(&text);
	strbuf_release(&err);
	strbuf_release(&path);
}

/*
 * Builds package i with jobs parallel jobs into a staged entry of the build
 * cache, sealed into place, then links the project to it; or, when another
 * project (or process) built the key already, links the entry it made.
 * *seconds gets how long it took, *cached whether the entry was there.
 */
static int build_one(const struct build *b, size_t i, const struct knit_build_opts *o, bool shared, int jobs,
		     double *seconds, bool *cached, struct strbuf *err, struct strbuf *log_tail)
{
	const struct pkg *p = &b->p[i];
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*cached = false;
	int lock = knit_build_cache_lock(&b->cache, p->key_id.buf, err);
	if (lock < 0)
		return KNIT_EIO;
	struct strbuf why = STRBUF_INIT;
	int found = knit_build_cache_check(&b->cache, p->key_id.buf, &why);
	strbuf_release(&why); /* a damaged entry is removed and built again: nothing to stop for */
	if (found == 1) {
		*cached = true;
		int rc = link_entry(b, p, err);
		knit_build_cache_unlock(lock);
		*seconds = seconds_since(&t0);
		return rc;
	}
	struct knit_paths dep_prefixes = { 0 };
	built_deps(b, i, &dep_prefixes);
	struct strbuf stage = STRBUF_INIT, work = STRBUF_INIT, prefix = STRBUF_INIT, log = STRBUF_INIT,
		      lib_name = STRBUF_INIT;
	/* the sandbox sees paths as they resolve: deps/<name> is a link into the store */
	char *src = realpath(p->src.buf, NULL);
	strbuf_addf(&lib_name, "knit_%s", p->t.buf);
	strbuf_addf(&log, "%s/deps/.build/log/%s.log", b->root.buf, p->t.buf);
	int rc = knit_make_parents(log.buf);
	if (rc)
		strbuf_addf(err, "cannot make the folder for %s", log.buf);
	unlink(log.buf);
	if (!rc)
		rc = knit_build_cache_stage(&b->cache, p->key_id.buf, "entry", &stage, err);
	if (!rc)
		rc = knit_build_cache_stage(&b->cache, p->key_id.buf, "work", &work, err);
	strbuf_addf(&prefix, "%s/prefix", stage.buf);
	struct knit_build_req req = {
		.name = p->lock->name, .version = p->lock->version, .kind = p->kind, .src_dir = src ? src : p->src.buf,
		.work_dir = work.buf, .prefix = prefix.buf, .log_path = log.buf,
		.options = (const char *const *)p->m.c.options.items, .noptions = p->m.c.options.n,
		.dep_prefixes = (const char *const *)dep_prefixes.items, .ndeps = dep_prefixes.n,
		.shared = shared, .debug = o->debug, .jobs = jobs,
		.sources = (const char *const *)p->sources.items, .nsources = p->sources.n,
		.include = (const char *const *)p->include.items, .ninclude = p->include.n,
		.defines = (const char *const *)p->m.c.defines.items, .ndefines = p->m.c.defines.n,
		.cflags = (const char *const *)p->m.c.cflags.items, .ncflags = p->m.c.cflags.n,
		.lib_name = lib_name.buf, .sandbox = b->sandbox,
	};
	struct knit_paths flags = { 0 }, modules = { 0 };
	if (!rc && !src) {
		strbuf_addf(err, "cannot resolve '%s': %s", p->src.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc && p->kind == KNIT_BUILD_SOURCES) {
		rc = dep_cflags(b, i, &flags, err);
		for (size_t k = 0; k < p->m.c.pkgconfig.n; k++)
			add_path(&modules, p->m.c.pkgconfig.items[k].key);
		req.dep_cflags = (const char *const *)flags.items;
		req.ndep_cflags = flags.n;
		req.pkgconfig = (const char *const *)modules.items;
		req.npkgconfig = modules.n;
	}
	struct knit_build_failure fail;
	if (!rc && (rc = knit_build_run(&req, &fail, err)))
		knit_build_log_tail(log.buf, 20, log_tail);
	int log_fd = rc ? -1 : open(log.buf, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (!rc)
		rc = write_consumer(b, p, stage.buf, prefix.buf, &dep_prefixes, shared, log_fd >= 0 ? log_fd : 2, err);
	if (log_fd >= 0)
		close(log_fd);
	if (!rc && !(rc = write_at(stage.buf, "key", &p->key, err))) {
		keep_log(log.buf, stage.buf);
		rc = knit_build_cache_seal(&b->cache, p->key_id.buf, stage.buf, err);
	}
	if (!rc)
		rc = link_entry(b, p, err);
	knit_build_cache_unlock(lock);
	if (work.len)
		knit_build_cache_discard(work.buf);
	if (rc && stage.len)
		knit_build_cache_discard(stage.buf);
	*seconds = seconds_since(&t0);
	knit_paths_release(&dep_prefixes);
	knit_paths_release(&flags);
	knit_paths_release(&modules);
	strbuf_release(&stage);
	strbuf_release(&work);
	strbuf_release(&prefix);
	strbuf_release(&lib_name);
	strbuf_release(&log);
	free(src);
	return rc;
}

/*
 * The builds to run, in parallel where the graph lets them: a package
 * starts once every package it depends on (directly or not) that is being
 * built has finished; each build gets a share of the cores (o->jobs, when
 * given, is each build's). The first failure stops new builds from
 * starting; the running ones finish and keep their results.
 */
struct schedule {
	struct knit_session *s;
	const struct build *b;
	const struct knit_build_opts *o;
	const size_t *order;
	const bool *shared;
	bool *todo;          /* to build, not started */
	bool *busy;          /* started, not finished */
	size_t **waits;      /* per package: the packages being built it must wait for */
	size_t *nwaits;
	int cores, running;
	size_t ntodo, ndone;  /* builds to run, and finished */
	bool failed;
	struct strbuf *err, *log_tail; /* the first failure's */
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/* A package that can start now, or SIZE_MAX; under the lock. */
static size_t next_ready(const struct schedule *q, size_t *ready)
{
	size_t found = SIZE_MAX;
	*ready = 0;
	for (size_t o = 0; o < q->b->n; o++) {
		size_t i = q->order[o];
		if (!q->todo[i])
			continue;
		bool can = true;
		for (size_t k = 0; k < q->nwaits[i] && can; k++)
			can = !q->todo[q->waits[i][k]] && !q->busy[q->waits[i][k]];
		if (can) {
			(*ready)++;
			if (found == SIZE_MAX)
				found = i;
		}
	}
	return found;
}

/* The status line: which packages are building, how many are done; under the lock. */
static void report(const struct schedule *q)
{
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < q->b->n; i++)
		if (q->busy[i])
			strbuf_addf(&names, "%s%s", names.len ? ", " : "", q->b->p[i].lock->name);
	struct knit_progress p = { .phase = KNIT_PHASE_BUILD, .builds = q->ntodo, .builds_done = q->ndone,
				   .building = names.buf };
	knit_session_progress(q->s, &p);
	strbuf_release(&names);
}

static bool any_todo(const struct schedule *q)
{
	for (size_t i = 0; i < q->b->n; i++)
		if (q->todo[i])
			return true;
	return false;
}

static void *build_worker(void *arg)
{
	struct schedule *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		size_t ready;
		size_t i = q->failed ? SIZE_MAX : next_ready(q, &ready);
		if (i == SIZE_MAX) {
			if (q->failed || !any_todo(q) || !q->running)
				break; /* nothing left, or a cycle cut everything off (cannot happen: the order cuts cycles) */
			pthread_cond_wait(&q->changed, &q->lock);
			continue;
		}
		q->todo[i] = false;
		q->busy[i] = true;
		q->running++;
		report(q);
		int share = q->cores / (q->running + (int)ready - 1 > 0 ? q->running + (int)ready - 1 : 1);
		int jobs = q->o->jobs > 0 ? q->o->jobs : share > 0 ? share : 1;
		pthread_mutex_unlock(&q->lock);

		struct strbuf err = STRBUF_INIT, tail = STRBUF_INIT;
		double seconds = 0;
		bool cached = false;
		int rc = build_one(q->b, i, q->o, q->shared[i], jobs, &seconds, &cached, &err, &tail);

		pthread_mutex_lock(&q->lock);
		q->busy[i] = false;
		q->running--;
		q->ndone++;
		const struct pkg *p = &q->b->p[i];
		if (rc && !q->failed) {
			q->failed = true;
			strbuf_add(q->err, err.buf, err.len);
			strbuf_add(q->log_tail, tail.buf, tail.len);
		} else if (!rc) {
			struct knit_build_event e = { p->lock->name, p->lock->version, knit_build_kind_name(p->kind),
						      seconds, false, cached, false };
			knit_session_built(q->s, &e);
		}
		strbuf_release(&err);
		strbuf_release(&tail);
		if (q->running)
			report(q);
		pthread_cond_broadcast(&q->changed);
	}
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/*
 * The packages being built that i depends on, directly or not, and that
 * come before it in the order (which cuts cycles: packages that need each
 * other do not wait for each other).
 */
static void waits_for(const struct build *b, size_t i, const size_t *pos, const bool *todo, size_t **out,
		      size_t *nout)
{
	size_t n = transitive_deps(b, i, *out = knit_xcalloc(b->n + 1, sizeof(**out)));
	*nout = 0;
	for (size_t k = 0; k < n; k++)
		if (todo[(*out)[k]] && pos[(*out)[k]] < pos[i])
			(*out)[(*nout)++] = (*out)[k];
}

static int run_builds(struct knit_session *s, const struct build *b, const struct knit_build_opts *o,
		      const size_t *order, const bool *shared, bool *todo, struct strbuf *err, struct strbuf *log_tail)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct schedule q = { .s = s, .b = b, .o = o, .order = order, .shared = shared, .todo = todo,
			      .cores = cores > 0 ? (int)cores : 1, .err = err, .log_tail = log_tail };
	q.busy = knit_xcalloc(b->n ? b->n : 1, sizeof(*q.busy));
	q.waits = knit_xcalloc(b->n ? b->n : 1, sizeof(*q.waits));
	q.nwaits = knit_xcalloc(b->n ? b->n : 1, sizeof(*q.nwaits));
	size_t ntodo = 0, *pos = knit_xcalloc(b->n ? b->n : 1, sizeof(*pos));
	for (size_t o_i = 0; o_i < b->n; o_i++)
		pos[order[o_i]] = o_i;
	for (size_t i = 0; i < b->n; i++)
		if (todo[i]) {
			waits_for(b, i, pos, todo, &q.waits[i], &q.nwaits[i]);
			ntodo++;
		}
	free(pos);
	q.ntodo = ntodo;
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.changed, NULL);
	size_t nworkers = ntodo < (size_t)q.cores ? ntodo : (size_t)q.cores;
	pthread_t *workers = knit_xcalloc(nworkers ? nworkers : 1, sizeof(*workers));
	size_t started = 0;
	for (; started < nworkers; started++)
		if (pthread_create(&workers[started], NULL, build_worker, &q))
			break;
	if (ntodo && !started) /* no thread at all: build here, one at a time */
		build_worker(&q);
	for (size_t w = 0; w < started; w++)
		pthread_join(workers[w], NULL);
	free(workers);
	struct knit_progress done = { .phase = KNIT_PHASE_DONE };
	knit_session_progress(s, &done);
	pthread_cond_destroy(&q.changed);
	pthread_mutex_destroy(&q.lock);
	for (size_t i = 0; i < b->n; i++)
		free(q.waits[i]);
	free(q.waits);
	free(q.nwaits);
	free(q.busy);
	return q.failed ? KNIT_EIO : 0;
}

/* The libraries a built package's prefix holds: its archives in lib/ (shared: its .so files). */
static void prefix_libraries(const struct pkg *p, bool shared, struct knit_paths *out)
{
	struct knit_paths found = { 0 };
	knit_glob(p->prefix.buf, shared ? "lib/*.so" : "lib/*.a", &found);
	for (size_t i = 0; i < found.n; i++) {
		KNIT_ALLOC_GROW(out->items, out->n + 1, out->alloc);
		struct strbuf path = STRBUF_INIT;
		strbuf_addf(&path, "%s/%s", p->prefix.buf, found.items[i]);
		out->items[out->n++] = strbuf_detach(&path, NULL);
	}
	knit_paths_release(&found);
}

struct owned_symbol {
	const char *name;
	size_t pkg;
};

static int by_symbol(const void *a, const void *b)
{
	const struct owned_symbol *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->pkg > y->pkg) - (x->pkg < y->pkg);
}

/*
 * Two packages that define the same global symbol: a warning naming both and
 * the symbol, before the linker silently takes one of them.
 */
static void warn_duplicate_symbols(struct knit_session *s, const struct build *b, const bool *shared)
{
	struct knit_paths *syms = knit_xcalloc(b->n ? b->n : 1, sizeof(*syms));
	struct owned_symbol *all = NULL;
	size_t n = 0, alloc = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct knit_paths libs = { 0 };
		struct strbuf err = STRBUF_INIT;
		prefix_libraries(&b->p[i], shared[i], &libs);
		if (knit_build_symbols(&libs, &syms[i], &err))
			knit_session_warn(s, "cannot list the symbols of %s %s: %s", b->p[i].lock->name,
					  b->p[i].lock->version, err.buf);
		for (size_t k = 0; k < syms[i].n; k++) {
			if (k && !strcmp(syms[i].items[k], syms[i].items[k - 1]))
				continue; /* one package's own archives may repeat a name */
			KNIT_ALLOC_GROW(all, n + 1, alloc);
			all[n++] = (struct owned_symbol){ syms[i].items[k], i };
		}
		knit_paths_release(&libs);
		strbuf_release(&err);
	}
	if (n)
		qsort(all, n, sizeof(*all), by_symbol);
	/* one warning per pair of packages, naming the first symbol they share */
	size_t (*pairs)[2] = NULL, npairs = 0, pairs_alloc = 0;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(all[i].name, all[i - 1].name) || all[i].pkg == all[i - 1].pkg)
			continue;
		size_t x = all[i - 1].pkg, y = all[i].pkg;
		bool known = false;
		for (size_t j = 0; j < npairs && !known; j++)
			known = pairs[j][0] == x && pairs[j][1] == y;
		if (known)
			continue;
		KNIT_ALLOC_GROW(pairs, npairs + 1, pairs_alloc);
		pairs[npairs][0] = x;
		pairs[npairs++][1] = y;
		knit_session_warn(s, "%s %s and %s %s both define the global symbol '%s' (the first of those they "
				  "share): a program linking both gets one of them, silently", b->p[x].lock->name,
				  b->p[x].lock->version, b->p[y].lock->name, b->p[y].lock->version, all[i].name);
	}
	free(pairs);
	free(all);
	for (size_t i = 0; i < b->n; i++)
		knit_paths_release(&syms[i]);
	free(syms);
}

/*
 * A built package that installs a pkg-config module the project (or a
 * package) takes from the system through c.pkgconfig: two copies of one
 * library. The error names both.
 */
static int check_duplicate_modules(const struct build *b, const struct knit_manifest *project, struct strbuf *err)
{
	for (size_t i = 0; i < b->n; i++) {
		struct knit_paths pcs = { 0 };
		knit_glob(b->p[i].prefix.buf, "lib/pkgconfig/*.pc", &pcs);
		knit_glob(b->p[i].prefix.buf, "share/pkgconfig/*.pc", &pcs);
		for (size_t k = 0; k < pcs.n; k++) {
			const char *base = strrchr(pcs.items[k], '/') + 1;
			size_t len = strlen(base) - 3;
			for (size_t j = 0; j <= b->n; j++) {
				const struct knit_manifest *m = j < b->n ? &b->p[j].m : project;
				for (size_t q = 0; q < m->c.pkgconfig.n; q++) {
					const char *mod = m->c.pkgconfig.items[q].key;
					if (strlen(mod) != len || strncmp(mod, base, len))
						continue;
					strbuf_addf(err, "%s %s installs the pkg-config module '%s', which %s takes from the "
							 "system (c.pkgconfig): a program would link two copies of one library; "
							 "drop one of them", b->p[i].lock->name, b->p[i].lock->version, mod,
						    j < b->n ? b->p[j].lock->name : "knit.json");
					knit_paths_release(&pcs);
					return KNIT_EINVALID_ARG;
				}
			}
		}
		knit_paths_release(&pcs);
		/* a library file of its own that a c.link asks the system for */
		struct knit_paths libs = { 0 };
		knit_glob(b->p[i].prefix.buf, "lib/lib*.a", &libs);
		knit_glob(b->p[i].prefix.buf, "lib/lib*.so", &libs);
		for (size_t k = 0; k < libs.n; k++) {
			const char *base = strrchr(libs.items[k], '/') + 4;
			size_t len = (size_t)(strrchr(base, '.') - base);
			for (size_t j = 0; j <= b->n; j++) {
				const struct knit_manifest *m = j < b->n ? &b->p[j].m : project;
				for (size_t q = 0; q < m->c.link.n; q++) {
					const char *name = m->c.link.items[q];
					if (j == i || strlen(name) != len || strncmp(name, base, len))
						continue;
					strbuf_addf(err, "%s %s builds the library '%s', which %s links from the system "
							 "(c.link '%s'): a program would link two copies of one library; drop "
							 "one of them", b->p[i].lock->name, b->p[i].lock->version,
						    strrchr(libs.items[k], '/') + 1, j < b->n ? b->p[j].lock->name : "knit.json",
						    name);
					knit_paths_release(&libs);
					return KNIT_EINVALID_ARG;
				}
			}
		}
		knit_paths_release(&libs);
	}
	return 0;
}

/*
 * Every package's .pc files (kept in pkg/<t>/pc by its build) into
 * deps/.pkgconfig: a new deps/ from an install has none, and its
 * up-to-date packages are not built again.
 */
static int publish_pc(const struct build *b, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, from = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_addf(&dir, "%s/deps/.pkgconfig", b->root.buf);
	int rc = 0;
	for (size_t i = 0; i < b->n && !rc; i++) {
		struct knit_paths pcs = { 0 };
		strbuf_reset(&from);
		strbuf_addf(&from, "%s/pc", b->p[i].base.buf);
		knit_glob(from.buf, "*.pc", &pcs);
		for (size_t k = 0; k < pcs.n && !rc; k++) {
			strbuf_reset(&from);
			strbuf_addf(&from, "%s/pc/%s", b->p[i].base.buf, pcs.items[k]);
			strbuf_reset(&text);
			if (!(rc = knit_read_file(from.buf, &text, err)))
				rc = write_at(dir.buf, pcs.items[k], &text, err);
		}
		knit_paths_release(&pcs);
	}
	strbuf_release(&dir);
	strbuf_release(&from);
	strbuf_release(&text);
	return rc;
}

/* deps/knit.env, for knit env: every package's flags, in dependency order. */
static int write_env(const struct build *b, const size_t *order, struct strbuf *err)
{
	struct knit_consumer *cs = knit_xcalloc(b->n ? b->n : 1, sizeof(*cs));
	int rc = 0;
	size_t got = 0;
	for (; got < b->n && !rc; got++)
		rc = read_consumer(&b->p[order[got]], &cs[got], err);
	if (!rc) {
		struct strbuf deps = STRBUF_INIT, text = STRBUF_INIT;
		strbuf_addf(&deps, "%s/deps", b->root.buf);
		knit_buildfiles_env(deps.buf, cs, b->n, &text);
		rc = write_at(deps.buf, "knit.env", &text, err);
		strbuf_release(&deps);
		strbuf_release(&text);
	}
	for (size_t i = 0; i < got; i++)
		knit_consumer_release(&cs[i]);
	free(cs);
	return rc;
}

/* What a run of knit build works from: the project, knit.lock, the packages in order with their keys. */
struct plan {
	struct knit_manifest project;
	struct knit_lockfile lf;
	struct build b;
	size_t *order;
	bool *shared_of;
	struct strbuf toolchain[KNIT_BUILD_MAKE + 1]; /* per kind, asked once */
};

static void plan_release(struct plan *pl)
{
	for (size_t k = 0; k <= KNIT_BUILD_MAKE; k++)
		strbuf_release(&pl->toolchain[k]);
	free(pl->order);
	free(pl->shared_of);
	knit_manifest_release(&pl->project);
	knit_build_cache_close(&pl->b.cache);
	release(&pl->b);
	knit_lockfile_release(&pl->lf);
}

/*
 * Reads the project and knit.lock, each package's manifest, and makes the
 * order and the keys; with cache_dir, each package's entry in the build
 * cache there.
 */
static int plan_open(struct plan *pl, const struct knit_build_opts *o, const char *cache_dir, struct strbuf *err)
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

/*
 * Package i, not up to date here, linked to its key's entry when the local
 * build cache has it or the remote one gives it (*todo cleared, a line
 * saying where it came from); else left to build. A remote cache that fails
 * is a warning. 0, or an error linking the entry.
 */
static int take_cached(struct knit_session *s, const struct build *b, size_t i, const struct knit_build_remote *remote,
		       bool *todo, struct strbuf *err)
{
	const struct pkg *p = &b->p[i];
	int lock = knit_build_cache_lock(&b->cache, p->key_id.buf, err);
	if (lock < 0)
		return KNIT_EIO;
	struct strbuf why = STRBUF_INIT;
	bool from_remote = false;
	int found = knit_build_cache_check(&b->cache, p->key_id.buf, &why);
	strbuf_reset(&why); /* a damaged entry is gone: the remote cache or a build makes it again */
	if (found != 1 && remote->url) {
		found = knit_build_remote_get(remote, &b->cache, p->key_id.buf, &why);
		if (found < 0)
			knit_session_warn(s, "%s %s: %s; building it here", p->lock->name, p->lock->version, why.buf);
		from_remote = found == 1;
	}
	strbuf_release(&why);
	int rc = found == 1 ? link_entry(b, p, err) : 0;
	knit_build_cache_unlock(lock);
	if (found == 1 && !rc) {
		*todo = false;
		struct knit_build_event e = { p->lock->name, p->lock->version, knit_build_kind_name(p->kind), 0, false,
					      true, from_remote };
		knit_session_built(s, &e);
	}
	return rc;
}

int knit_build_deps(struct knit_session *s, const struct knit_build_opts *o, struct strbuf *err,
		    struct strbuf *log_tail)
{
	struct plan pl;
	int rc = plan_open(&pl, o, s->cfg.cache_dir, err);
	struct build *b = &pl.b;
	bool *todo = knit_xcalloc(b->n ? b->n : 1, sizeof(*todo));
	for (size_t o_i = 0; o_i < b->n && !rc; o_i++) {
		size_t i = pl.order[o_i];
		const struct pkg *p = &b->p[i];
		if (up_to_date(p)) {
			mark_used(b, p);
			struct knit_build_event e = { p->lock->name, p->lock->version, knit_build_kind_name(p->kind), 0, true,
						      false, false };
			knit_session_built(s, &e);
		} else {
			todo[i] = true;
		}
	}
	/* what the local or the remote build cache has needs no build, nor any tool */
	struct knit_build_remote remote;
	if (!rc)
		rc = knit_build_remote_open(&remote, &s->cfg, s->fetch, o->push, err);
	else
		memset(&remote, 0, sizeof(remote));
	for (size_t o_i = 0; o_i < b->n && !rc; o_i++) {
		size_t i = pl.order[o_i];
		if (todo[i])
			rc = take_cached(s, b, i, &remote, &todo[i], err);
	}
	bool *built_now = knit_xcalloc(b->n ? b->n : 1, sizeof(*built_now));
	memcpy(built_now, todo, b->n * sizeof(*todo));
	/* every tool first: a missing one stops the build before anything is built */
	size_t ntodo = 0;
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct pkg *p = &b->p[i];
		if (!todo[i])
			continue; /* an up-to-date package needs no tool */
		ntodo++;
		if ((rc = knit_build_tools_check(p->kind, p->src.buf, err))) {
			struct strbuf why = STRBUF_INIT;
			strbuf_addf(&why, "%s %s (%s): %s", p->lock->name, p->lock->version,
				    knit_build_kind_name(p->kind), err->buf);
			strbuf_reset(err);
			strbuf_add(err, why.buf, why.len);
			strbuf_release(&why);
		}
	}
	/* dependencies' build code runs in a sandbox, unless the user says otherwise */
	bool sandbox = true;
	if (!rc)
		rc = knit_session_sandbox(s, &sandbox, err);
	b->sandbox = !o->no_sandbox && sandbox;
	if (!rc && ntodo && b->sandbox)
		rc = knit_sandbox_check("builds", "--no-sandbox or the setting sandbox=false", err);
	if (!rc)
		rc = run_builds(s, b, o, pl.order, pl.shared_of, todo, err, log_tail);
	free(todo);
	if (!rc)
		rc = check_duplicate_modules(b, &pl.project, err);
	if (!rc && ntodo) /* nm reads every archive: only when something was built */
		warn_duplicate_symbols(s, b, pl.shared_of);
	for (size_t o_i = 0; !rc && remote.push && o_i < b->n; o_i++) {
		size_t i = pl.order[o_i];
		struct strbuf why = STRBUF_INIT;
		if (built_now[i] && knit_build_remote_put(&remote, &b->cache, b->p[i].key_id.buf, &why))
			knit_session_warn(s, "%s %s: %s", b->p[i].lock->name, b->p[i].lock->version, why.buf);
		strbuf_release(&why);
	}
	free(built_now);
	knit_build_remote_close(&remote);
	if (!rc)
		rc = publish_pc(b, err);
	if (!rc)
		rc = write_env(b, pl.order, err);
	plan_release(&pl);
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
	int rc = plan_open(&pl, o, NULL, err);
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
	plan_release(&pl);
	return rc;
}
