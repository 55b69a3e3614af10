/*
 * knit build --deps (build_deps.h): a plan made (build_plan.c), what is up
 * to date or cached linked and the rest built (build_run.c), then the
 * checks that one copy of each library reaches the program (a module or
 * library also taken from the system, a symbol defined twice) and what
 * deps/ gives pkg-config and knit env (.pkgconfig/, knit.env).
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
				rc = knit_deps_write_at(dir.buf, pcs.items[k], &text, err);
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
		rc = knit_deps_read_consumer(&b->p[order[got]], &cs[got], err);
	if (!rc) {
		struct strbuf deps = STRBUF_INIT, text = STRBUF_INIT;
		strbuf_addf(&deps, "%s/deps", b->root.buf);
		knit_buildfiles_env(deps.buf, cs, b->n, &text);
		rc = knit_deps_write_at(deps.buf, "knit.env", &text, err);
		strbuf_release(&deps);
		strbuf_release(&text);
	}
	for (size_t i = 0; i < got; i++)
		knit_consumer_release(&cs[i]);
	free(cs);
	return rc;
}



int knit_build_deps(struct knit_session *s, const struct knit_build_opts *o, struct strbuf *err,
		    struct strbuf *log_tail)
{
	struct plan pl;
	int rc = knit_deps_plan_open(&pl, o, s->cfg.cache_dir, err);
	struct build *b = &pl.b;
	bool *todo = knit_xcalloc(b->n ? b->n : 1, sizeof(*todo));
	for (size_t o_i = 0; o_i < b->n && !rc; o_i++) {
		size_t i = pl.order[o_i];
		const struct pkg *p = &b->p[i];
		if (knit_deps_up_to_date(p)) {
			knit_deps_mark_used(b, p);
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
			rc = knit_deps_take_cached(s, b, i, &remote, &todo[i], err);
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
		rc = knit_deps_run_builds(s, b, o, pl.order, pl.shared_of, todo, err, log_tail);
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
	knit_deps_plan_release(&pl);
	return rc;
}

