/*
 * Running the builds of a plan (build_plan.h): linking what is up to date
 * or cached, building the rest side by side in dependency order, each
 * into the build cache.
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

/* Whether deps/.build/pkg/<t> links to the entry of p's key (whose key file says so too). */
bool knit_deps_up_to_date(const struct pkg *p)
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
void knit_deps_mark_used(const struct build *b, const struct pkg *p)
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
		knit_deps_mark_used(b, p);
	strbuf_release(&tmp);
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
		knit_deps_add_path(&requires, b->p[p->deps[k]].t.buf);
	for (size_t k = 0; k < p->m.c.pkgconfig.n; k++)
		knit_deps_add_path(&requires, p->m.c.pkgconfig.items[k].key);
	knit_buildfiles_built(p->lock->name, p->lock->version, &c, &requires, &cmake, &mk, &pc);
	knit_paths_release(&requires);
	knit_deps_consumer_text(&c, &text);
	strbuf_addf(&pcdir, "%s/pc", dir); /* published into deps/.pkgconfig by publish_pc */
	strbuf_addf(&name, "%s.pc", p->t.buf);
	if (!(rc = knit_deps_write_at(dir, "link.cmake", &cmake, err)) && !(rc = knit_deps_write_at(dir, "link.mk", &mk, err)) &&
	    !(rc = knit_deps_write_at(dir, "consumer", &text, err)))
		rc = knit_deps_write_at(pcdir.buf, name.buf, &pc, err);
	for (size_t i = 0; !rc && i < c.pc_files.n; i++) {
		const char *file = c.pc_files.items[i];
		const char *base = strrchr(file, '/') + 1;
		strbuf_reset(&text);
		if (!plain_pc_name(file) || !strcmp(base, name.buf))
			continue; /* knit's own <t>.pc wins; odd names stay in the prefix */
		if (!(rc = knit_read_file(file, &text, err)))
			rc = knit_deps_write_at(pcdir.buf, base, &text, err);
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
	knit_deps_built_prefixes(b, i, &dep_prefixes);
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
		rc = knit_deps_dep_cflags(b, i, &flags, err);
		for (size_t k = 0; k < p->m.c.pkgconfig.n; k++)
			knit_deps_add_path(&modules, p->m.c.pkgconfig.items[k].key);
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
	if (!rc && !(rc = knit_deps_write_at(stage.buf, "key", &p->key, err))) {
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
	size_t n = knit_deps_transitive(b, i, *out = knit_xcalloc(b->n + 1, sizeof(**out)));
	*nout = 0;
	for (size_t k = 0; k < n; k++)
		if (todo[(*out)[k]] && pos[(*out)[k]] < pos[i])
			(*out)[(*nout)++] = (*out)[k];
}

int knit_deps_run_builds(struct knit_session *s, const struct build *b, const struct knit_build_opts *o,
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


/*
 * Package i, not up to date here, linked to its key's entry when the local
 * build cache has it or the remote one gives it (*todo cleared, a line
 * saying where it came from); else left to build. A remote cache that fails
 * is a warning. 0, or an error linking the entry.
 */
int knit_deps_take_cached(struct knit_session *s, const struct build *b, size_t i, const struct knit_build_remote *remote,
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
