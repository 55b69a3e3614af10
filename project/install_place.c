/*
 * The placing stage of knit install (install_stages.h): every planned
 * package in the store, whole, before deps/ is touched.
 */
#include "install_stages.h"
#include "store/git.h"
#include "store/store_pool.h"
#include "util/error.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct place {
	struct knit_plan *plan;
	struct knit_session *session;
	const struct knit_place_opts *opts;
	struct knit_place_result *res;
	struct knit_transfer **transfers; /* per item, when downloaded */
	unsigned long long bytes_kept;    /* of tarballs whose bodies went to the pool */
};

static void on_fetch_tick(void *ctx)
{
	struct place *pl = ctx;
	struct knit_progress *p = pl->opts->progress;
	p->tarballs_done = 0;
	p->bytes = pl->bytes_kept;
	for (size_t i = 0; i < pl->plan->n; i++) {
		const struct knit_transfer *t = pl->transfers[i];
		if (t) {
			p->tarballs_done += t->done;
			p->bytes += t->size;
		}
	}
	knit_session_progress(pl->session, p);
}

/* it->index becomes idx (moved), the one it had released. */
static void set_index(struct knit_plan_item *it, struct knit_store_index *idx)
{
	if (it->has_index)
		knit_store_index_release(&it->index);
	it->index = *idx;
	it->has_index = true;
}

/* One item's store check, as a worker makes it: its answer and, when damaged, what differs. */
struct check {
	int rc;
	struct strbuf why;
	bool done;
};

static void check_one(const struct place *pl, struct knit_plan_item *it, struct check *c)
{
	if (it->has_index) {
		knit_store_index_release(&it->index);
		it->has_index = false;
	}
	c->rc = knit_store_check_keep(it->store_dir.buf, pl->opts->verify, &it->index, &c->why);
	it->has_index = !c->rc;
	c->done = true;
}

/*
 * The registry packages' store entries checked by a few threads at once
 * (a stat per file: on a warm install, the largest part of the work before
 * linking), each item's answer into checks[i]; nothing is reported here.
 */
struct check_job {
	const struct place *pl;
	bool *todo;
	struct check *checks;
	size_t n, next;
};

static void *check_worker(void *arg)
{
	struct check_job *job = arg;
	for (;;) {
		size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (i >= job->n)
			return NULL;
		if (job->todo[i])
			check_one(job->pl, &job->pl->plan->items[i], &job->checks[i]);
	}
}

static void check_all(const struct place *pl, bool *todo, struct check *checks)
{
	size_t n = pl->plan->n, want = 0;
	for (size_t i = 0; i < n; i++)
		want += todo[i];
	struct check_job job = { pl, todo, checks, n, 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus > 1 ? (size_t)(cpus > 8 ? 8 : cpus) : 1;
	if (nthreads > want / 16 + 1)
		nthreads = want / 16 + 1; /* a thread is worth it for a dozen entries or more */
	pthread_t threads[8];
	size_t started = 0;
	for (size_t t = 1; t < nthreads; t++)
		if (!pthread_create(&threads[started], NULL, check_worker, &job))
			started++;
	check_worker(&job);
	for (size_t t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
}

/*
 * Whether the store entry at it->store_dir can be used: whole (0), absent
 * (KNIT_ENOTFOUND), or damaged, which is warned about and the entry
 * removed, so that the caller makes it again (KNIT_ENOTFOUND too). c: the
 * check already made, or NULL to make it here.
 */
static int check_entry(struct place *pl, struct knit_plan_item *it, struct check *c, struct strbuf *err)
{
	if (pl->opts->deps_current) /* nothing is linked from the store: its presence is enough */
		return knit_store_entry_exists(it->store_dir.buf) ? 0 : KNIT_ENOTFOUND;
	struct check here = { 0, STRBUF_INIT, false };
	if (!c || !c->done) {
		c = &here;
		check_one(pl, it, c);
	}
	int rc = c->rc;
	struct strbuf why = STRBUF_INIT;
	strbuf_add(&why, c->why.buf, c->why.len);
	strbuf_release(&here.why);
	if (rc == KNIT_EPARSE) {
		knit_session_warn(pl->session, "store entry of %s@%s was modified (%s); extracting it again",
				  it->name, it->version, why.buf);
		rc = knit_store_evict(pl->session->cfg.cache_dir, it->store_dir.buf, err);
		if (!rc) {
			rc = KNIT_ENOTFOUND;
			pl->res->repaired = true;
		}
	}
	strbuf_release(&why);
	return rc;
}

/* A git package: its commit's files in the store (<store>/v2/git-<commit>), exported from the mirror. */
static int place_git(struct place *pl, struct knit_plan_item *it, struct strbuf *err)
{
	const char *cache_dir = pl->session->cfg.cache_dir;
	knit_store_git_path(cache_dir, it->commit, &it->store_dir);
	int rc = check_entry(pl, it, NULL, err);
	if (rc != KNIT_ENOTFOUND)
		return rc;
	struct strbuf tmp = STRBUF_INIT, files = STRBUF_INIT;
	int owner;
	rc = knit_store_begin(cache_dir, &tmp, &owner, err);
	if (!rc) {
		strbuf_addf(&files, "%s/package", tmp.buf);
		rc = knit_git_export(cache_dir, it->git_url, it->commit, files.buf, err);
		if (!rc)
			rc = knit_store_publish(tmp.buf, owner, it->store_dir.buf, it->name, err);
		else
			knit_store_abort(tmp.buf, owner);
	}
	strbuf_release(&tmp);
	strbuf_release(&files);
	if (rc) {
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "cannot fetch %s@%s: %s", it->name, it->version, err->buf);
		strbuf_reset(err);
		strbuf_add(err, msg.buf, msg.len);
		strbuf_release(&msg);
	}
	return rc;
}

/* A folder package: the folder itself, linked from deps/. */
static int place_folder(struct place *pl, struct knit_plan_item *it, struct strbuf *err)
{
	const char *rel = it->resolved + 5; /* "file:<path from the project>" */
	knit_spec_folder(it->resolved, pl->opts->project_dir, &it->store_dir);
	struct stat st;
	if (stat(it->store_dir.buf, &st) || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: the folder %s (%s) is not there", it->name, it->resolved, it->store_dir.buf);
		return KNIT_ENOTFOUND;
	}
	/* the link sits in deps/ (deps/@scope/ when scoped) */
	struct strbuf target = STRBUF_INIT;
	if (*rel != '/')
		knit_pkgname_up(it->name, &target);
	strbuf_addstr(&target, rel);
	it->symlink_to = strbuf_detach(&target, NULL);
	return 0;
}

/* The same path from the registry configured now, when url came from a registry's layout. */
static char *rebase(const struct knit_config *cfg, const char *name, const char *url)
{
	const char *base = knit_config_registry(cfg, name);
	if (!strncmp(url, base, strlen(base)))
		return knit_xstrdup(url);
	struct strbuf marker = STRBUF_INIT, out = STRBUF_INIT;
	strbuf_addf(&marker, "/%s/-/", name);
	const char *at = strstr(url, marker.buf);
	if (at)
		strbuf_addf(&out, "%s%s", base, at);
	else
		strbuf_addstr(&out, url);
	strbuf_release(&marker);
	return strbuf_detach(&out, NULL);
}

/* Starts the download of each registry package the store lacks; places git and folder packages. */
static int start(struct place *pl, struct strbuf *err)
{
	struct knit_session *s = pl->session;
	size_t n = pl->plan->n;
	/* the registry packages' entries: their paths, then all checked at once */
	bool *todo = knit_xcalloc(n ? n : 1, sizeof(*todo));
	struct check *checks = knit_xcalloc(n ? n : 1, sizeof(*checks));
	for (size_t i = 0; i < n; i++)
		strbuf_init(&checks[i].why, 0);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct knit_plan_item *it = &pl->plan->items[i];
		if (it->kind == KNIT_SPEC_GIT || it->kind == KNIT_SPEC_FILE)
			continue;
		if (knit_integrity_parse(&it->id, it->sri, it->shasum)) {
			strbuf_addf(err, "%s@%s has no usable integrity (dist.integrity or dist.shasum)",
				    it->name, it->version);
			rc = KNIT_EPARSE;
			break;
		}
		knit_store_path(s->cfg.cache_dir, &it->id, &it->store_dir);
		todo[i] = !pl->opts->deps_current;
		/* an entry this run extracted early comes with its index: nothing to check */
		struct knit_store_index sealed;
		if (todo[i] && !pl->opts->verify && !pl->plan->from_lock && pl->opts->tarballs &&
		    knit_tarballs_take_index(pl->opts->tarballs, it->resolved, &sealed)) {
			set_index(it, &sealed);
			todo[i] = false;
			checks[i].done = true;
		}
	}
	if (!rc)
		check_all(pl, todo, checks);
	for (size_t i = 0; i < n && !rc; i++) {
		struct knit_plan_item *it = &pl->plan->items[i];
		if (it->kind == KNIT_SPEC_GIT || it->kind == KNIT_SPEC_FILE) {
			rc = it->kind == KNIT_SPEC_GIT ? place_git(pl, it, err) : place_folder(pl, it, err);
			continue;
		}
		rc = check_entry(pl, it, &checks[i], err);
		if (rc != KNIT_ENOTFOUND)
			continue;
		rc = 0;
		if (s->cache_mode == KNIT_CACHE_ONLY) {
			strbuf_addf(err, "%s@%s is not in the store, and --offline keeps knit off the network",
				    it->name, it->version);
			rc = KNIT_EIO;
			continue;
		}
		char *url = pl->plan->from_lock ? rebase(&s->cfg, it->name, it->resolved) : knit_xstrdup(it->resolved);
		pl->transfers[i] = knit_tarballs_get(pl->opts->tarballs, url, it->id.algo);
		free(url);
		pl->opts->progress->tarballs++;
	}
	for (size_t i = 0; i < n; i++)
		strbuf_release(&checks[i].why);
	free(checks);
	free(todo);
	return rc;
}

/* Waits for each download, verifies it and hands it to the pool that extracts it into the store. */
static int store(struct place *pl, struct strbuf *err)
{
	unsigned long long max_unpacked;
	struct knit_session *s = pl->session;
	if (knit_config_size(&s->cfg, "max-unpacked-size", KNIT_STORE_DEFAULT_MAX_UNPACKED, &max_unpacked, err))
		return KNIT_EPARSE;
	struct knit_plan *plan = pl->plan;
	struct knit_store_job *jobs = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*jobs));
	bool *queued = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*queued));
	struct knit_store_pool *pool = knit_store_pool_new(s->cfg.cache_dir, 0);
	int rc = 0;
	/* interrupted, every download not done ends at once (fetch.h): those that had arrived are still stored */
	for (size_t i = 0; i < plan->n && (!rc || rc == KNIT_EINTR); i++) {
		struct knit_plan_item *it = &plan->items[i];
		struct knit_transfer *t = pl->transfers[i];
		if (!t)
			continue;
		knit_fetch_wait(s->fetch, t);
		pl->res->fetched++;
		if (t->rc == KNIT_EINTR) {
			if (!rc)
				strbuf_addf(err, "cannot fetch %s@%s: %s", it->name, it->version, t->message.buf);
			rc = KNIT_EINTR;
		} else if (rc && t->rc) {
			continue; /* interrupted: only what arrived whole goes on */
		} else if (t->rc) {
			strbuf_addf(err, "cannot fetch %s@%s: %s", it->name, it->version, t->message.buf);
			rc = t->rc == KNIT_ENOTFOUND ? KNIT_EIO : t->rc;
		} else if (!knit_integrity_equal(&it->id, &t->digest)) {
			struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
			knit_integrity_format(&it->id, &want);
			knit_integrity_format(&t->digest, &got);
			strbuf_addf(err, "integrity mismatch for %s@%s: expected %s, got %s", it->name,
				    it->version, want.buf, got.buf);
			strbuf_release(&want);
			strbuf_release(&got);
			rc = KNIT_EPARSE;
		} else {
			struct knit_store_job *job = &jobs[i];
			job->id = it->id;
			job->pkg = it->name;
			job->max_unpacked = max_unpacked;
			/* moved: the pool frees the bytes or closes the file */
			pl->bytes_kept += t->size;
			knit_transfer_take_body(t, &job->tgz, &job->fd);
			job->has_fd = job->fd >= 0;
			job->fetch = s->fetch;
			job->keep_index = true; /* deps/ is linked from it, without a walk of the entry */
			knit_store_pool_put(pool, job);
			queued[i] = true;
		}
	}
	knit_store_pool_finish(pool);
	/* the first failure in install order, as a serial install would report it */
	for (size_t i = 0; i < plan->n; i++) {
		if (!queued[i])
			continue;
		if (jobs[i].rc && !rc) {
			strbuf_add(err, jobs[i].err.buf, jobs[i].err.len);
			rc = jobs[i].rc;
		} else if (!jobs[i].rc) {
			pl->res->stored++;
		}
		if (jobs[i].has_index)
			set_index(&plan->items[i], &jobs[i].index);
		strbuf_release(&jobs[i].err);
	}
	free(queued);
	free(jobs);
	return rc;
}

int knit_place(struct knit_plan *plan, struct knit_session *s, const struct knit_place_opts *o,
	       struct knit_place_result *res, struct strbuf *err)
{
	struct place pl = { plan, s, o, res, knit_xcalloc(plan->n ? plan->n : 1, sizeof(*pl.transfers)), 0 };
	memset(res, 0, sizeof(*res));
	o->progress->packages = plan->n;
	o->progress->phase = KNIT_PHASE_FETCH; /* reported once the downloads are counted */
	/* what the solver's downloads put in the store while it worked */
	size_t early = o->tarballs ? knit_tarballs_settle(o->tarballs) : 0;
	res->fetched = res->stored = early;
	int rc = start(&pl, err);
	if (!rc) {
		knit_fetch_set_tick(s->fetch, on_fetch_tick, &pl);
		on_fetch_tick(&pl); /* early downloads may be done already */
		rc = store(&pl, err);
		knit_fetch_set_tick(s->fetch, NULL, NULL);
	}
	free(pl.transfers);
	return rc;
}
