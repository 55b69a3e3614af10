/*
 * The planning stage of knit install (install_stages.h): knit.lock as it
 * is when it still stands for knit.json, else a resolution.
 */
#include "install_stages.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* --- knit ci: what knit.json says against what knit.lock recorded -------------------- */

static void compare_maps(const char *field, const struct knit_deps *json, const struct knit_deps *lock,
			 struct strbuf *diff)
{
	for (size_t i = 0; i < json->n; i++) {
		const struct knit_dep *a = &json->items[i];
		const struct knit_dep *b = NULL;
		for (size_t k = 0; k < lock->n && !b; k++)
			if (!strcmp(lock->items[k].name, a->name))
				b = &lock->items[k];
		if (diff->len)
			strbuf_addstr(diff, "; ");
		if (!b)
			strbuf_addf(diff, "%s.%s is in knit.json but not in knit.lock", field, a->name);
		else if (strcmp(a->range, b->range))
			strbuf_addf(diff, "%s.%s is %s in knit.json but %s in knit.lock", field, a->name,
				    a->range, b->range);
		else if (diff->len >= 2)
			strbuf_setlen(diff, diff->len - 2);
	}
	for (size_t k = 0; k < lock->n; k++) {
		bool found = false;
		for (size_t i = 0; i < json->n && !found; i++)
			found = !strcmp(json->items[i].name, lock->items[k].name);
		if (!found)
			strbuf_addf(diff, "%s%s.%s is in knit.lock but not in knit.json", diff->len ? "; " : "",
				    field, lock->items[k].name);
	}
}

/* Every difference between what knit.json asks for and what knit.lock was made from. */
static void drift(const struct knit_manifest *m, const struct knit_lockfile *lock, struct strbuf *diff)
{
	compare_maps("dependencies", &m->deps, &lock->root_deps, diff);
	compare_maps("devDependencies", &m->dev_deps, &lock->root_dev_deps, diff);
	compare_maps("overrides", &m->overrides, &lock->root_overrides, diff);
}

static bool locked_satisfies(const struct knit_lockfile *lf, const char *name, const char *range)
{
	const struct knit_lock_pkg *p = knit_lockfile_find(lf, name);
	return p && knit_semver_satisfies(p->version, strlen(p->version), range, strlen(range),
					  KNIT_SEMVER_LOOSE);
}

static const char *overridden(const struct knit_manifest *m, const char *name, const char *range)
{
	for (size_t o = 0; o < m->overrides.n; o++)
		if (!strcmp(m->overrides.items[o].name, name))
			return m->overrides.items[o].range;
	return range;
}

/*
 * Whether knit.lock can stand for the resolution as it is: made from this
 * knit.json, every range in it satisfied by the locked version of its
 * target (overrides taken into account), and every package complete.
 * Then an install needs no registry at all.
 */
static bool lock_is_current(const struct knit_manifest *m, const struct knit_lockfile *lock,
			    const char *project_dir)
{
	struct strbuf diff = STRBUF_INIT;
	drift(m, lock, &diff);
	bool ok = !diff.len;
	strbuf_release(&diff);
	const struct knit_deps *roots[] = { &m->deps, &m->dev_deps };
	for (size_t k = 0; ok && k < 2; k++)
		for (size_t i = 0; ok && i < roots[k]->n; i++) {
			const struct knit_dep *d = &roots[k]->items[i];
			const char *range = overridden(m, d->name, d->range);
			if (knit_spec_kind(range) != KNIT_SPEC_REGISTRY) {
				const struct knit_lock_pkg *p = knit_lockfile_find(lock, d->name);
				ok = p && knit_resolved_matches(project_dir, range, p->resolved);
			} else {
				ok = locked_satisfies(lock, d->name, range);
			}
		}
	for (size_t i = 0; ok && i < lock->n; i++) {
		const struct knit_lock_pkg *p = &lock->pkgs[i];
		/* git and folder packages have no integrity: the commit or the folder stands for it */
		ok = p->resolved && (p->integrity || knit_resolved_kind(p->resolved) != KNIT_SPEC_REGISTRY);
		for (size_t k = 0; ok && k < p->deps.n; k++)
			ok = locked_satisfies(lock, p->deps.items[k].name,
					      overridden(m, p->deps.items[k].name, p->deps.items[k].range));
	}
	return ok;
}

static char *dup_or_null(const char *s)
{
	return s ? knit_xstrdup(s) : NULL;
}

static struct knit_plan_item *add_item(struct knit_plan *plan, const char *name, const char *version,
				       const char *resolved)
{
	struct knit_plan_item *it = &plan->items[plan->n++];
	it->name = knit_xstrdup(name);
	it->version = knit_xstrdup(version);
	it->resolved = dup_or_null(resolved);
	strbuf_init(&it->store_dir, 0);
	return it;
}

static int items_from_lock(struct knit_plan *plan, const struct knit_lockfile *lock, const char *lock_path,
			   struct strbuf *err)
{
	plan->from_lock = true;
	plan->items = knit_xcalloc(lock->n ? lock->n : 1, sizeof(*plan->items));
	for (size_t i = 0; i < lock->n; i++) {
		const struct knit_lock_pkg *p = &lock->pkgs[i];
		struct knit_plan_item *it = add_item(plan, p->name, p->version, p->resolved);
		it->sri = dup_or_null(p->integrity);
		it->kind = knit_resolved_kind(p->resolved);
		for (size_t k = 0; k < p->deps.n; k++)
			knit_deps_add(&it->deps, p->deps.items[k].name, p->deps.items[k].range);
		if (it->kind == KNIT_SPEC_GIT && knit_resolved_git(p->resolved, &it->git_url, it->commit)) {
			strbuf_addf(err, "%s: package '%s' has a malformed git source '%s' (git+<url>#<40-hex commit>)",
				    lock_path, p->name, p->resolved);
			return KNIT_EPARSE;
		}
		if (!p->resolved || (!p->integrity && it->kind == KNIT_SPEC_REGISTRY)) {
			strbuf_addf(err, "%s: package '%s' has no %s", lock_path, p->name,
				    p->resolved ? "integrity" : "resolved URL");
			return KNIT_EPARSE;
		}
	}
	return 0;
}

/* --- knit install: resolving --------------------------------------------------------- */

struct resolve {
	struct knit_session *session;
	const struct knit_plan_request *req;
};

/* A decision of the solver: its tarball starts downloading unless the store has it, to be extracted on arrival. */
static void download_early(void *ctx, const char *name, const struct knit_pkg_version *pv)
{
	struct resolve *rs = ctx;
	struct knit_integrity id;
	if (pv->tarball && !knit_integrity_parse(&id, pv->integrity, pv->shasum) &&
	    !knit_store_has(rs->session->cfg.cache_dir, &id))
		knit_tarballs_get_entry(rs->req->tarballs, pv->tarball, &id, name);
}

static void on_resolve_tick(void *ctx)
{
	struct resolve *rs = ctx;
	struct knit_fetch_counts c;
	if (rs->req->tarballs)
		knit_tarballs_poll(rs->req->tarballs);
	knit_fetch_get_counts(rs->session->fetch, &c);
	size_t tarballs = rs->req->tarballs ? knit_tarballs_started(rs->req->tarballs) : 0;
	rs->req->progress->packuments = c.started - tarballs;
	/* a caller's own source (tests) has no registry: no answered count to show */
	rs->req->progress->packuments_done = rs->session->registry ? knit_registry_answered(rs->session->registry) : 0;
	knit_session_progress(rs->session, rs->req->progress);
}

static int items_from_solution(struct knit_plan *plan, struct knit_session *s, const struct knit_solution *sol,
			       const struct knit_specials *specials, struct strbuf *err)
{
	plan->items = knit_xcalloc(sol->n ? sol->n : 1, sizeof(*plan->items));
	for (size_t i = 0; i < sol->n; i++) {
		const struct knit_solution_entry *e = &sol->pkgs[i];
		const struct knit_special *sp = knit_specials_find(specials, e->name);
		struct knit_plan_item *it = add_item(plan, e->name, e->pv->version, sp ? sp->resolved : e->pv->tarball);
		for (size_t k = 0; k < e->pv->ndeps; k++)
			knit_deps_add(&it->deps, e->pv->deps[k].name, e->pv->deps[k].range);
		if (sp) {
			it->kind = sp->kind;
			if (sp->kind == KNIT_SPEC_GIT) {
				it->git_url = knit_xstrdup(sp->url);
				memcpy(it->commit, sp->commit, sizeof(it->commit));
			}
			continue;
		}
		it->sri = dup_or_null(e->pv->integrity);
		it->shasum = dup_or_null(e->pv->shasum);
		if (e->pv->deprecated)
			knit_session_warn(s, "%s@%s is deprecated: %s", e->name, e->pv->version, e->pv->deprecated);
		if (!it->resolved) {
			strbuf_addf(err, "the registry gives no tarball for %s@%s", it->name, it->version);
			return KNIT_EPARSE;
		}
	}
	return 0;
}

static int solve(struct knit_plan *plan, struct knit_session *s, const struct knit_plan_request *req,
		 struct strbuf *err)
{
	const struct knit_install_opts *o = req->opts;
	const struct knit_manifest *m = req->manifest;
	struct knit_solve_request sr = { 0 };
	struct knit_deps all = { 0 }, pins = { 0 }, solve_deps = { 0 };
	struct resolve rs = { s, req };

	for (size_t i = 0; i < m->deps.n; i++)
		knit_deps_add(&all, m->deps.items[i].name, m->deps.items[i].range);
	for (size_t i = 0; i < m->dev_deps.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < all.n && !dup; k++)
			dup = !strcmp(all.items[k].name, m->dev_deps.items[i].name);
		if (!dup)
			knit_deps_add(&all, m->dev_deps.items[i].name, m->dev_deps.items[i].range);
	}
	/* knit update with no names frees everything; with names, only those */
	bool pin = req->lock && !(o->update && !o->nunlock);
	for (size_t i = 0; pin && i < req->lock->n; i++)
		knit_deps_add(&pins, req->lock->pkgs[i].name, req->lock->pkgs[i].version);
	sr.unlock = o->unlock;
	sr.nunlock = o->nunlock;
	sr.root_name = m->name ? m->name : "knit.json";
	sr.root_version = m->version ? m->version : "0.0.0";
	sr.overrides = m->overrides.items;
	sr.noverrides = m->overrides.n;
	sr.lock = pins.items;
	sr.nlock = pins.n;
	sr.resolution = o->resolution;
	if (s->cache_mode != KNIT_CACHE_ONLY && req->tarballs) {
		sr.on_decide = download_early;
		sr.on_decide_ctx = &rs;
		knit_tarballs_extract_early(req->tarballs, s->cfg.cache_dir);
	}

	req->progress->phase = KNIT_PHASE_RESOLVE;
	knit_session_progress(s, req->progress);
	knit_fetch_set_tick(s->fetch, on_resolve_tick, &rs);
	/* git and folder dependencies: resolved first, then solved as their exact versions */
	struct knit_specials *specials = knit_specials_new(knit_session_source(s), s->cfg.cache_dir, o->project_dir);
	int rc = 0;
	for (size_t i = 0; i < all.n && !rc; i++) {
		const char *range;
		rc = knit_specials_root(specials, all.items[i].name, all.items[i].range, sr.root_name, &range, err);
		if (!rc)
			knit_deps_add(&solve_deps, all.items[i].name, range);
	}
	sr.deps = solve_deps.items;
	sr.ndeps = solve_deps.n;
	struct knit_solution sol;
	bool solved = false;
	if (!rc && !(rc = knit_solve(&sr, knit_specials_source(specials), &sol, err)))
		solved = true;
	if (solved)
		rc = items_from_solution(plan, s, &sol, specials, err);
	knit_fetch_set_tick(s->fetch, NULL, NULL);
	if (solved)
		knit_solution_release(&sol);
	knit_specials_free(specials);
	knit_deps_release(&all);
	knit_deps_release(&solve_deps);
	knit_deps_release(&pins);
	return rc;
}

/*
 * What deps/.knit-state records of each item (its integrity, or for git and
 * folder packages the commit or the folder), set once the items are known,
 * before anything looks at deps/.
 */
static void set_state_ids(struct knit_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct knit_plan_item *it = &plan->items[i];
		struct strbuf id = STRBUF_INIT;
		if (it->kind == KNIT_SPEC_GIT)
			strbuf_addf(&id, "git-%s", it->commit);
		else if (it->kind != KNIT_SPEC_REGISTRY)
			strbuf_addstr(&id, it->resolved);
		it->state_id = id.len ? strbuf_detach(&id, NULL) : NULL;
		strbuf_release(&id);
	}
}

int knit_plan_make(struct knit_plan *plan, struct knit_session *s, const struct knit_plan_request *req,
		   struct strbuf *err)
{
	const struct knit_install_opts *o = req->opts;
	int rc;
	memset(plan, 0, sizeof(*plan));
	if (o->mode == KNIT_INSTALL_CI) {
		struct strbuf diff = STRBUF_INIT;
		drift(req->manifest, req->lock, &diff);
		if (diff.len) {
			strbuf_addf(err, "knit.json and knit.lock disagree: %s; run 'knit install' to update knit.lock",
				    diff.buf);
			strbuf_release(&diff);
			return KNIT_EPARSE;
		}
		strbuf_release(&diff);
		rc = items_from_lock(plan, req->lock, req->lock_path, err);
	} else if (!o->update && !req->edits && req->lock && lock_is_current(req->manifest, req->lock, o->project_dir)) {
		/* nothing in knit.json changed: the lock is the resolution, no registry needed */
		rc = items_from_lock(plan, req->lock, req->lock_path, err);
	} else {
		for (size_t i = 0; o->update && req->lock && i < o->nunlock; i++) {
			if (!knit_lockfile_find(req->lock, o->unlock[i])) {
				strbuf_addf(err, "'%s' is not in knit.lock, so there is nothing to update", o->unlock[i]);
				return KNIT_EINVALID_ARG;
			}
		}
		rc = solve(plan, s, req, err);
	}
	if (!rc)
		set_state_ids(plan);
	return rc;
}

void knit_plan_lockfile(const struct knit_plan *plan, const struct knit_manifest *m, struct knit_lockfile *lf)
{
	memset(lf, 0, sizeof(*lf));
	for (size_t i = 0; i < m->deps.n; i++)
		knit_deps_add(&lf->root_deps, m->deps.items[i].name, m->deps.items[i].range);
	for (size_t i = 0; i < m->dev_deps.n; i++)
		knit_deps_add(&lf->root_dev_deps, m->dev_deps.items[i].name, m->dev_deps.items[i].range);
	for (size_t i = 0; i < m->overrides.n; i++)
		knit_deps_add(&lf->root_overrides, m->overrides.items[i].name, m->overrides.items[i].range);
	for (size_t i = 0; i < plan->n; i++) {
		const struct knit_plan_item *it = &plan->items[i];
		struct strbuf sri = STRBUF_INIT;
		if (it->kind == KNIT_SPEC_REGISTRY)
			knit_integrity_format(&it->id, &sri);
		struct knit_lock_pkg *p = knit_lockfile_add(lf, it->name, it->version, it->resolved,
							    it->kind == KNIT_SPEC_REGISTRY ? sri.buf : NULL);
		for (size_t k = 0; k < it->deps.n; k++)
			knit_deps_add(&p->deps, it->deps.items[k].name, it->deps.items[k].range);
		strbuf_release(&sri);
	}
}

const struct knit_plan_item *knit_plan_find(const struct knit_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n; i++)
		if (!strcmp(plan->items[i].name, name))
			return &plan->items[i];
	return NULL;
}

void knit_plan_release(struct knit_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct knit_plan_item *it = &plan->items[i];
		free(it->name);
		free(it->version);
		free(it->resolved);
		free(it->sri);
		free(it->shasum);
		free(it->git_url);
		free(it->state_id);
		knit_deps_release(&it->deps);
		strbuf_release(&it->store_dir);
		if (it->has_index)
			knit_store_index_release(&it->index);
		free(it->symlink_to);
	}
	free(plan->items);
	memset(plan, 0, sizeof(*plan));
}
