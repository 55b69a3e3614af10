#include "install.h"
#include "deps.h"
#include "manifest.h"
#include "util/config.h"
#include "util/fetch.h"
#include "store/git.h"
#include "util/integrity.h"
#include "registry/registry.h"
#include "store/store.h"
#include "store/store_pool.h"
#include "scripts.h"
#include "sources.h"
#include "tarballs.h"
#include "txn.h"
#include "buildfiles.h"
#include "syslibs.h"
#include "resolver/lockfile.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/json_edit.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* One package to have in deps/. */
struct item {
	enum knit_spec_kind kind;
	const char *name, *version, *tarball, *sri, *shasum; /* tarball: knit.lock's "resolved" */
	char *git_url;        /* git: the repository */
	char commit[41];      /* git: the commit */
	char *symlink_to;     /* file: deps/<name>'s link target */
	char *state_id;       /* git and file: what deps/.knit-state records instead of an integrity */
	struct knit_integrity id;
	struct knit_transfer *transfer;
	struct strbuf store_dir;
	char *url; /* the tarball URL used */
	struct knit_store_job store; /* its extraction, when queued */
	bool queued;
};

struct run {
	const struct knit_install_opts *opts;
	struct knit_config cfg;
	struct knit_manifest manifest;
	struct knit_lockfile lock;
	bool have_lock;
	bool from_lock;          /* the items are knit.lock's, not a resolution's */
	struct knit_fetch *fetch;
	struct knit_tarballs *tarballs; /* downloads by URL, some started during the solve */
	struct knit_registry *registry;
	struct knit_specials *specials; /* git and folder packages, around the registry */
	struct knit_solution solution;
	bool solved;
	struct item *items;
	size_t n;
	struct strbuf lock_path, manifest_path;
	struct knit_install_progress progress;
	unsigned long long tarball_bytes_kept; /* of tarballs whose bodies are released */
	struct strbuf *warn;     /* warnings for the caller, one a line */
	struct knit_manifest *pkg_manifests; /* per item, read once when deps/ or its build files change */
	struct knit_buildfiles buildfiles; /* made before deps/ changes */
	bool buildfiles_due;     /* made, and not yet written */
	bool buildfiles_written; /* into the new deps/ */
	bool repaired;           /* a damaged store entry was removed: deps/ may hold its files */
	bool deps_current;       /* knit install with deps/ holding exactly these packages already:
				  * no store entry is linked, so none is checked file by file */
};

/* --- progress: phases, and download counts from the fetch ------------------------- */

static void report(struct run *r)
{
	if (r->opts->progress)
		r->opts->progress(r->opts->progress_ctx, &r->progress);
}

static void on_fetch_tick(void *ctx)
{
	struct run *r = ctx;
	if (r->progress.phase == KNIT_PHASE_RESOLVE) {
		struct knit_fetch_counts c;
		knit_fetch_get_counts(r->fetch, &c);
		r->progress.packuments = c.started - knit_tarballs_started(r->tarballs);
	} else if (r->progress.phase == KNIT_PHASE_FETCH) {
		r->progress.tarballs_done = 0;
		r->progress.bytes = r->tarball_bytes_kept;
		for (size_t i = 0; i < r->n; i++) {
			const struct knit_transfer *t = r->items[i].transfer;
			if (t) {
				r->progress.tarballs_done += t->done;
				r->progress.bytes += t->size;
			}
		}
	}
	report(r);
}

static void enter_phase(struct run *r, enum knit_install_phase phase)
{
	r->progress.phase = phase;
	report(r);
}

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
static void drift(const struct run *r, struct strbuf *diff)
{
	compare_maps("dependencies", &r->manifest.deps, &r->lock.root_deps, diff);
	compare_maps("devDependencies", &r->manifest.dev_deps, &r->lock.root_dev_deps, diff);
	compare_maps("overrides", &r->manifest.overrides, &r->lock.root_overrides, diff);
}

static bool locked_satisfies(const struct knit_lockfile *lf, const char *name, const char *range)
{
	const struct knit_lock_pkg *p = knit_lockfile_find(lf, name);
	return p && knit_semver_satisfies(p->version, strlen(p->version), range, strlen(range),
					  KNIT_SEMVER_LOOSE);
}

/*
 * Whether knit.lock can stand for the resolution as it is: made from this
 * knit.json, every range in it satisfied by the locked version of its
 * target (overrides taken into account), and every package complete.
 * Then an install needs no registry at all.
 */
static bool lock_is_current(const struct run *r)
{
	struct strbuf diff = STRBUF_INIT;
	bool ok;
	drift(r, &diff);
	ok = !diff.len;
	strbuf_release(&diff);
	const struct knit_deps *roots[] = { &r->manifest.deps, &r->manifest.dev_deps };
	for (size_t k = 0; ok && k < 2; k++)
		for (size_t i = 0; ok && i < roots[k]->n; i++) {
			const struct knit_dep *d = &roots[k]->items[i];
			const char *range = d->range;
			for (size_t o = 0; o < r->manifest.overrides.n; o++)
				if (!strcmp(r->manifest.overrides.items[o].name, d->name))
					range = r->manifest.overrides.items[o].range;
			if (knit_spec_kind(range) != KNIT_SPEC_REGISTRY) {
				const struct knit_lock_pkg *p = knit_lockfile_find(&r->lock, d->name);
				ok = p && knit_resolved_matches(r->opts->project_dir, range, p->resolved);
			} else {
				ok = locked_satisfies(&r->lock, d->name, range);
			}
		}
	for (size_t i = 0; ok && i < r->lock.n; i++) {
		const struct knit_lock_pkg *p = &r->lock.pkgs[i];
		/* git and folder packages have no integrity: the commit or the folder stands for it */
		ok = p->resolved && (p->integrity || knit_resolved_kind(p->resolved) != KNIT_SPEC_REGISTRY);
		for (size_t k = 0; ok && k < p->deps.n; k++) {
			const char *range = p->deps.items[k].range;
			for (size_t o = 0; o < r->manifest.overrides.n; o++)
				if (!strcmp(r->manifest.overrides.items[o].name, p->deps.items[k].name))
					range = r->manifest.overrides.items[o].range;
			ok = locked_satisfies(&r->lock, p->deps.items[k].name, range);
		}
	}
	return ok;
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

static int items_from_lock(struct run *r, struct strbuf *err)
{
	r->items = knit_xcalloc(r->lock.n ? r->lock.n : 1, sizeof(*r->items));
	for (size_t i = 0; i < r->lock.n; i++) {
		const struct knit_lock_pkg *p = &r->lock.pkgs[i];
		struct item *it = &r->items[r->n++];
		it->name = p->name;
		it->version = p->version;
		it->tarball = p->resolved;
		it->sri = p->integrity;
		it->kind = knit_resolved_kind(p->resolved);
		if (it->kind == KNIT_SPEC_GIT && knit_resolved_git(p->resolved, &it->git_url, it->commit)) {
			strbuf_addf(err, "%s: package '%s' has a malformed git source '%s' (git+<url>#<40-hex commit>)",
				    r->lock_path.buf, p->name, p->resolved);
			return KNIT_EPARSE;
		}
		if (!p->resolved || (!p->integrity && it->kind == KNIT_SPEC_REGISTRY)) {
			strbuf_addf(err, "%s: package '%s' has no %s", r->lock_path.buf, p->name,
				    p->resolved ? "integrity" : "resolved URL");
			return KNIT_EPARSE;
		}
	}
	return 0;
}

/* --- knit install: resolving --------------------------------------------------------- */

/* A decision of the solver: its tarball starts downloading unless the store has it. */
static void download_early(void *ctx, const char *name, const struct knit_pkg_version *pv)
{
	struct run *r = ctx;
	struct knit_integrity id;
	(void)name;
	if (pv->tarball && !knit_integrity_parse(&id, pv->integrity, pv->shasum) &&
	    !knit_store_has(r->cfg.cache_dir, &id))
		knit_tarballs_get(r->tarballs, pv->tarball, id.algo);
}

static int solve(struct run *r, struct strbuf *warn, struct strbuf *err)
{
	struct knit_solve_request req = { 0 };
	struct knit_deps all = { 0 }, pins = { 0 };

	for (size_t i = 0; i < r->manifest.deps.n; i++)
		knit_deps_add(&all, r->manifest.deps.items[i].name, r->manifest.deps.items[i].range);
	for (size_t i = 0; i < r->manifest.dev_deps.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < all.n && !dup; k++)
			dup = !strcmp(all.items[k].name, r->manifest.dev_deps.items[i].name);
		if (!dup)
			knit_deps_add(&all, r->manifest.dev_deps.items[i].name, r->manifest.dev_deps.items[i].range);
	}
	/* knit update with no names frees everything; with names, only those */
	bool pin = r->have_lock && !(r->opts->update && !r->opts->nunlock);
	for (size_t i = 0; pin && i < r->lock.n; i++)
		knit_deps_add(&pins, r->lock.pkgs[i].name, r->lock.pkgs[i].version);
	req.unlock = r->opts->unlock;
	req.nunlock = r->opts->nunlock;

	req.root_name = r->manifest.name ? r->manifest.name : "knit.json";
	req.root_version = r->manifest.version ? r->manifest.version : "0.0.0";
	req.deps = all.items;
	req.ndeps = all.n;
	req.overrides = r->manifest.overrides.items;
	req.noverrides = r->manifest.overrides.n;
	req.lock = pins.items;
	req.nlock = pins.n;
	req.resolution = r->opts->resolution;
	if (r->opts->cache_mode != KNIT_CACHE_ONLY) {
		req.on_decide = download_early;
		req.on_decide_ctx = r;
	}

	enter_phase(r, KNIT_PHASE_RESOLVE);
	r->registry = knit_registry_new(&r->cfg, r->fetch);
	knit_registry_set_cache_mode(r->registry, r->opts->cache_mode);
	/* git and folder dependencies: resolved first, then solved as their exact versions */
	r->specials = knit_specials_new(knit_registry_source(r->registry), r->cfg.cache_dir, r->opts->project_dir);
	struct knit_deps solve_deps = { 0 };
	int rc = 0;
	for (size_t i = 0; i < all.n && !rc; i++) {
		const char *range;
		rc = knit_specials_root(r->specials, all.items[i].name, all.items[i].range, req.root_name, &range, err);
		if (!rc)
			knit_deps_add(&solve_deps, all.items[i].name, range);
	}
	req.deps = solve_deps.items;
	if (!rc)
		rc = knit_solve(&req, knit_specials_source(r->specials), &r->solution, err);
	knit_deps_release(&all);
	knit_deps_release(&solve_deps);
	knit_deps_release(&pins);
	if (rc)
		return rc;
	r->solved = true;

	r->items = knit_xcalloc(r->solution.n ? r->solution.n : 1, sizeof(*r->items));
	for (size_t i = 0; i < r->solution.n; i++) {
		const struct knit_solution_entry *e = &r->solution.pkgs[i];
		struct item *it = &r->items[r->n++];
		it->name = e->name;
		it->version = e->pv->version;
		it->tarball = e->pv->tarball;
		it->sri = e->pv->integrity;
		it->shasum = e->pv->shasum;
		const struct knit_special *sp = knit_specials_find(r->specials, e->name);
		if (sp) {
			it->kind = sp->kind;
			it->tarball = sp->resolved;
			if (sp->kind == KNIT_SPEC_GIT) {
				it->git_url = knit_xstrdup(sp->url);
				memcpy(it->commit, sp->commit, sizeof(it->commit));
			}
			continue;
		}
		if (e->pv->deprecated)
			strbuf_addf(warn, "%s@%s is deprecated: %s\n", e->name, e->pv->version, e->pv->deprecated);
		if (!it->tarball) {
			strbuf_addf(err, "the registry gives no tarball for %s@%s", it->name, it->version);
			return KNIT_EPARSE;
		}
	}
	return 0;
}

static void new_lockfile(struct run *r, struct knit_lockfile *lf)
{
	memset(lf, 0, sizeof(*lf));
	for (size_t i = 0; i < r->manifest.deps.n; i++)
		knit_deps_add(&lf->root_deps, r->manifest.deps.items[i].name, r->manifest.deps.items[i].range);
	for (size_t i = 0; i < r->manifest.dev_deps.n; i++)
		knit_deps_add(&lf->root_dev_deps, r->manifest.dev_deps.items[i].name,
			      r->manifest.dev_deps.items[i].range);
	for (size_t i = 0; i < r->manifest.overrides.n; i++)
		knit_deps_add(&lf->root_overrides, r->manifest.overrides.items[i].name,
			      r->manifest.overrides.items[i].range);
	for (size_t i = 0; i < r->solution.n; i++) {
		const struct knit_solution_entry *e = &r->solution.pkgs[i];
		struct strbuf sri = STRBUF_INIT;
		const struct item *it = &r->items[i];
		if (it->kind == KNIT_SPEC_REGISTRY)
			knit_integrity_format(&it->id, &sri);
		struct knit_lock_pkg *p = knit_lockfile_add(lf, e->name, e->pv->version, it->tarball,
							    it->kind == KNIT_SPEC_REGISTRY ? sri.buf : NULL);
		for (size_t k = 0; k < e->pv->ndeps; k++)
			knit_deps_add(&p->deps, e->pv->deps[k].name, e->pv->deps[k].range);
		strbuf_release(&sri);
	}
}

/* --- fetching, verifying, storing -------------------------------------------------------- */

/*
 * Whether the store entry at it->store_dir can be used: whole (0), absent
 * (KNIT_ENOTFOUND), or damaged, which is warned about and the entry
 * removed, so that the caller makes it again (KNIT_ENOTFOUND too).
 */
static int check_entry(struct run *r, struct item *it, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	if (r->deps_current) /* nothing is linked from the store: its presence is enough */
		return knit_store_entry_exists(it->store_dir.buf) ? 0 : KNIT_ENOTFOUND;
	int rc = knit_store_check(it->store_dir.buf, r->opts->verify, &why);
	if (rc == KNIT_EPARSE) {
		strbuf_addf(r->warn, "store entry of %s@%s was modified (%s); extracting it again\n", it->name,
			    it->version, why.buf);
		rc = knit_store_evict(r->cfg.cache_dir, it->store_dir.buf, err);
		if (!rc) {
			rc = KNIT_ENOTFOUND;
			r->repaired = true;
		}
	}
	strbuf_release(&why);
	return rc;
}

/*
 * A git package: its commit's files in the store (<store>/v2/git-<commit>),
 * exported from the mirror unless there already and whole. A folder
 * package: the folder itself, linked from deps/.
 */
static int place_special(struct run *r, struct item *it, struct strbuf *err)
{
	strbuf_init(&it->store_dir, 0);
	if (it->kind == KNIT_SPEC_GIT) {
		knit_store_git_path(r->cfg.cache_dir, it->commit, &it->store_dir);
		int rc = check_entry(r, it, err);
		if (rc != KNIT_ENOTFOUND)
			return rc;
		struct strbuf tmp = STRBUF_INIT, files = STRBUF_INIT;
		int owner;
		rc = knit_store_begin(r->cfg.cache_dir, &tmp, &owner, err);
		if (!rc) {
			strbuf_addf(&files, "%s/package", tmp.buf);
			rc = knit_git_export(r->cfg.cache_dir, it->git_url, it->commit, files.buf, err);
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
	const char *rel = it->tarball + 5; /* "file:<path from the project>" */
	knit_spec_folder(it->tarball, r->opts->project_dir, &it->store_dir);
	struct stat st;
	if (stat(it->store_dir.buf, &st) || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: the folder %s (%s) is not there", it->name, it->tarball, it->store_dir.buf);
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

/*
 * What deps/.knit-state records of each item (its integrity, or for git and
 * folder packages the commit or the folder), set once the items are known,
 * before anything looks at deps/.
 */
static void set_state_ids(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		struct strbuf id = STRBUF_INIT;
		if (it->kind == KNIT_SPEC_GIT)
			strbuf_addf(&id, "git-%s", it->commit);
		else if (it->kind != KNIT_SPEC_REGISTRY)
			strbuf_addstr(&id, it->tarball);
		it->state_id = id.len ? strbuf_detach(&id, NULL) : NULL;
		strbuf_release(&id);
	}
}

static bool trusted(const struct run *r, const char *name);

/* The items as deps/ links them (malloc'd, one per item); store_dir and symlink_to once placed. */
static struct knit_dep_link *dep_links(const struct run *r)
{
	struct knit_dep_link *links = knit_xcalloc(r->n ? r->n : 1, sizeof(*links));
	for (size_t i = 0; i < r->n; i++)
		links[i] = (struct knit_dep_link){ .name = r->items[i].name,
						   .version = r->items[i].version,
						   .integrity = r->items[i].state_id ? r->items[i].state_id : r->items[i].sri,
						   .store_dir = r->items[i].store_dir.buf,
						   .symlink_to = r->items[i].symlink_to,
						   .trusted = trusted(r, r->items[i].name) };
	return links;
}

/* Whether deps/ already holds exactly the items, told before the store is looked at. */
static bool deps_current(const struct run *r)
{
	struct knit_dep_link *links = dep_links(r);
	bool current = knit_deps_in_place(r->opts->project_dir, links, r->n);
	free(links);
	return current;
}

static int fetch_missing(struct run *r, struct knit_install_stats *stats, struct strbuf *err)
{
	unsigned long long max_unpacked;
	if (knit_config_size(&r->cfg, "max-unpacked-size", KNIT_STORE_DEFAULT_MAX_UNPACKED, &max_unpacked, err))
		return KNIT_EPARSE;
	r->progress.packages = r->n;
	r->progress.phase = KNIT_PHASE_FETCH; /* reported once the downloads are counted */
	for (size_t i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		if (it->kind != KNIT_SPEC_REGISTRY) {
			int rc = place_special(r, it, err);
			if (rc)
				return rc;
			continue;
		}
		if (knit_integrity_parse(&it->id, it->sri, it->shasum)) {
			strbuf_addf(err, "%s@%s has no usable integrity (dist.integrity or dist.shasum)",
				    it->name, it->version);
			return KNIT_EPARSE;
		}
		strbuf_init(&it->store_dir, 0);
		knit_store_path(r->cfg.cache_dir, &it->id, &it->store_dir);
		int rc = check_entry(r, it, err);
		if (rc != KNIT_ENOTFOUND) {
			if (rc)
				return rc;
			continue;
		}
		if (r->opts->cache_mode == KNIT_CACHE_ONLY) {
			strbuf_addf(err, "%s@%s is not in the store, and --offline keeps knit off the network",
				    it->name, it->version);
			return KNIT_EIO;
		}
		it->url = r->from_lock ? rebase(&r->cfg, it->name, it->tarball) : knit_xstrdup(it->tarball);
		it->transfer = knit_tarballs_get(r->tarballs, it->url, it->id.algo);
		r->progress.tarballs++;
	}
	on_fetch_tick(r); /* early downloads may be done already */
	struct knit_store_pool *pool = knit_store_pool_new(r->cfg.cache_dir, 0);
	int rc = 0;
	for (size_t i = 0; i < r->n && !rc; i++) {
		struct item *it = &r->items[i];
		if (!it->transfer)
			continue;
		knit_fetch_wait(r->fetch, it->transfer);
		stats->fetched++;
		if (it->transfer->rc) {
			strbuf_addf(err, "cannot fetch %s@%s: %s", it->name, it->version, it->transfer->message.buf);
			rc = it->transfer->rc == KNIT_ENOTFOUND ? KNIT_EIO : it->transfer->rc;
		} else if (!knit_integrity_equal(&it->id, &it->transfer->digest)) {
			struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
			knit_integrity_format(&it->id, &want);
			knit_integrity_format(&it->transfer->digest, &got);
			strbuf_addf(err, "integrity mismatch for %s@%s: expected %s, got %s", it->name,
				    it->version, want.buf, got.buf);
			strbuf_release(&want);
			strbuf_release(&got);
			rc = KNIT_EPARSE;
		} else {
			it->store.id = it->id;
			it->store.pkg = it->name;
			it->store.max_unpacked = max_unpacked;
			/* moved: the pool frees the bytes or closes the file */
			r->tarball_bytes_kept += it->transfer->size;
			knit_transfer_take_body(it->transfer, &it->store.tgz, &it->store.fd);
			it->store.has_fd = it->store.fd >= 0;
			it->store.fetch = r->fetch;
			knit_store_pool_put(pool, &it->store);
			it->queued = true;
		}
	}
	knit_store_pool_finish(pool);
	/* the first failure in install order, as a serial install would report it */
	for (size_t i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		if (!it->queued)
			continue;
		if (it->store.rc && !rc) {
			strbuf_add(err, it->store.err.buf, it->store.err.len);
			rc = it->store.rc;
		} else if (!it->store.rc) {
			stats->stored++;
		}
		strbuf_release(&it->store.err);
		it->queued = false;
	}
	return rc;
}

/* --- build files: deps/knit.cmake, knit.mk, knit.env, .pkgconfig/ ------------------------ */

static bool buildfiles_exist(const char *project_dir)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/deps/knit.cmake", project_dir);
	bool yes = !access(path.buf, F_OK);
	strbuf_release(&path);
	return yes;
}

static int make_buildfiles(struct run *r, struct knit_buildfiles *bf, struct strbuf *err)
{
	struct knit_build_pkg *pkgs = knit_xcalloc(r->n ? r->n : 1, sizeof(*pkgs));
	struct knit_deps *solved = knit_xcalloc(r->n ? r->n : 1, sizeof(*solved));
	for (size_t i = 0; i < r->n; i++) {
		const struct knit_deps *deps = NULL;
		if (r->from_lock) {
			const struct knit_lock_pkg *p = knit_lockfile_find(&r->lock, r->items[i].name);
			deps = p ? &p->deps : NULL;
		} else { /* items follow the solution's order */
			const struct knit_solution_entry *e = &r->solution.pkgs[i];
			for (size_t k = 0; k < e->pv->ndeps; k++)
				knit_deps_add(&solved[i], e->pv->deps[k].name, e->pv->deps[k].range);
			deps = &solved[i];
		}
		pkgs[i] = (struct knit_build_pkg){ r->items[i].name, r->items[i].version,
						   r->items[i].store_dir.buf, deps, &r->pkg_manifests[i] };
	}
	const struct knit_deps direct[2] = { r->manifest.deps, r->manifest.dev_deps };
	int rc = knit_syslibs_check("knit.json", &r->manifest.c.pkgconfig, err);
	if (!rc)
		rc = knit_buildfiles_make(bf, r->opts->project_dir, pkgs, r->n, direct, 2, err);
	for (size_t i = 0; i < r->n; i++)
		knit_deps_release(&solved[i]);
	free(solved);
	free(pkgs);
	return rc;
}

/* --- dependencies' install scripts: only for trustedDependencies ------------------------- */

static bool trusted(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->manifest.trusted.n; i++)
		if (!strcmp(r->manifest.trusted.items[i], name))
			return true;
	return false;
}

/*
 * Runs preinstall, install and postinstall of every trusted package that has
 * them, in the new deps/ before it is swapped in (a failure leaves the old
 * one); names the others in r->warn.
 */
static int install_scripts(void *ctx, const char *new_deps, struct strbuf *err)
{
	struct run *r = ctx;
	struct strbuf skipped = STRBUF_INIT, bin = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(&bin, "%s/.bin", new_deps);
	for (size_t i = 0; i < r->n && !rc; i++) {
		const struct item *it = &r->items[i];
		const struct knit_manifest *m = &r->pkg_manifests[i];
		struct strbuf label = STRBUF_INIT, root = STRBUF_INIT;
		strbuf_addf(&label, "package '%s@%s'", it->name, it->version);
		bool has = knit_manifest_script(m, "preinstall") || knit_manifest_script(m, "install") ||
			   knit_manifest_script(m, "postinstall");
		if (has && !trusted(r, it->name)) {
			strbuf_addf(&skipped, "%s%s", skipped.len ? ", " : "", it->name);
		} else if (has) {
			if ((rc = knit_pkgname_path(new_deps, it->name, NULL, &root, err))) {
				strbuf_release(&label);
				break;
			}
			struct knit_script_run run = { root.buf, bin.buf, m, "install", NULL, 0, NULL, NULL };
			struct knit_script_status st;
			rc = knit_script_run(&run, &st, err);
			if (!rc && st.failed) {
				if (st.signal)
					strbuf_addf(err, "%s: its '%s' script was killed by signal %d", label.buf,
						    st.failed, st.signal);
				else
					strbuf_addf(err, "%s: its '%s' script exited with status %d", label.buf,
						    st.failed, st.exit_code);
				rc = KNIT_EIO;
			}
		}
		strbuf_release(&label);
		strbuf_release(&root);
	}
	if (!rc && skipped.len)
		strbuf_addf(r->warn, "skipped the install scripts of %s; list them in knit.json's "
				     "trustedDependencies to run them\n", skipped.buf);
	strbuf_release(&skipped);
	strbuf_release(&bin);
	return rc;
}

/*
 * deps/.bin comes first on PATH in knit run, as node_modules/.bin does in
 * npm run: a dependency's command named cc or make is the one a build
 * script gets. Allowed, as npm allows it, but said.
 */
static void warn_shadowing(struct run *r, size_t i)
{
	const struct knit_deps *bins = &r->pkg_manifests[i].bin;
	struct strbuf found = STRBUF_INIT;
	for (size_t k = 0; k < bins->n; k++) {
		strbuf_reset(&found);
		if (knit_script_shadowed(bins->items[k].name, &found))
			strbuf_addf(r->warn, "package '%s@%s' has a command '%s' that shadows %s in knit run "
				    "scripts\n", r->items[i].name, r->items[i].version, bins->items[k].name,
				    found.buf);
	}
	strbuf_release(&found);
}

/* Each package's manifest, read once from the store, and its commands for deps/.bin. */
static int load_manifests(struct run *r, struct knit_dep_link *links, struct strbuf *err)
{
	r->pkg_manifests = knit_xcalloc(r->n ? r->n : 1, sizeof(*r->pkg_manifests));
	for (size_t i = 0; i < r->n; i++) {
		struct strbuf label = STRBUF_INIT;
		strbuf_addf(&label, "package '%s@%s'", r->items[i].name, r->items[i].version);
		int rc = knit_manifest_read_package(&r->pkg_manifests[i], r->items[i].store_dir.buf,
						    label.buf, err);
		strbuf_release(&label);
		if (rc)
			return rc;
		links[i].bins = &r->pkg_manifests[i].bin;
		warn_shadowing(r, i);
	}
	return 0;
}

/* The new deps/ is complete: the build files go into it, then the trusted install scripts run. */
static int before_swap(void *ctx, const char *new_deps, struct strbuf *err)
{
	struct run *r = ctx;
	if (r->buildfiles_due) {
		int rc = knit_buildfiles_write(&r->buildfiles, new_deps, true, &r->buildfiles_written, err);
		if (rc)
			return rc;
		r->buildfiles_due = false;
	}
	return install_scripts(r, new_deps, err);
}

/* --- knit install <spec> and knit uninstall: knit.json's dependencies change ------------- */

static void deps_remove(struct knit_deps *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->items[i].name, name))
			continue;
		free((char *)d->items[i].name);
		free((char *)d->items[i].range);
		memmove(&d->items[i], &d->items[i + 1], (d->n - i - 1) * sizeof(*d->items));
		d->n--;
		return;
	}
}

static bool deps_has(const struct knit_deps *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->items[i].name, name))
			return true;
	return false;
}

/* What knit.json will ask for: before solving, a spec's own range or the latest tag. */
static int change_manifest(struct run *r, struct strbuf *err)
{
	const struct knit_install_opts *o = r->opts;
	for (size_t i = 0; i < o->nremove; i++) {
		const char *name = o->remove[i];
		if (!deps_has(&r->manifest.deps, name) && !deps_has(&r->manifest.dev_deps, name)) {
			strbuf_addf(err, "'%s' is not in knit.json's dependencies or devDependencies", name);
			return KNIT_EINVALID_ARG;
		}
		deps_remove(&r->manifest.deps, name);
		deps_remove(&r->manifest.dev_deps, name);
	}
	for (size_t i = 0; i < o->nadd; i++) {
		const struct knit_dep *d = &o->add[i];
		deps_remove(&r->manifest.deps, d->name);
		deps_remove(&r->manifest.dev_deps, d->name);
		knit_deps_add(o->save_dev ? &r->manifest.dev_deps : &r->manifest.deps, d->name,
			      *d->range ? d->range : "latest");
	}
	return 0;
}

/* npm's rule for what is saved: a range as given; for a version or a tag, ^version (or exact). */
static char *saved_range(const struct run *r, const struct knit_dep *spec)
{
	if (knit_spec_kind(spec->range) != KNIT_SPEC_REGISTRY)
		return knit_xstrdup(spec->range); /* git and folder specs as given */
	const char *resolved = NULL;
	for (size_t i = 0; i < r->solution.n; i++)
		if (!strcmp(r->solution.pkgs[i].name, spec->name))
			resolved = r->solution.pkgs[i].pv->version;
	struct knit_version v;
	bool is_version = *spec->range &&
			  !knit_version_parse(&v, spec->range, strlen(spec->range), KNIT_SEMVER_LOOSE);
	if (is_version)
		knit_version_release(&v);
	struct knit_range rg;
	bool is_range = *spec->range && !is_version &&
			!knit_range_parse(&rg, spec->range, strlen(spec->range), KNIT_SEMVER_LOOSE);
	if (is_range) {
		knit_range_release(&rg);
		return knit_xstrdup(spec->range);
	}
	const char *version = is_version ? spec->range : resolved;
	struct strbuf out = STRBUF_INIT;
	strbuf_addf(&out, "%s%s", r->opts->save_exact ? "" : "^", version ? version : "*");
	return strbuf_detach(&out, NULL);
}

/* Rewrites knit.json's text for the changes, keeping everything else as written. */
static int edit_manifest_text(struct run *r, struct strbuf *text, struct strbuf *err)
{
	const struct knit_install_opts *o = r->opts;
	int rc = knit_read_file(r->manifest_path.buf, text, err);
	for (size_t i = 0; !rc && i < o->nremove; i++) {
		rc = knit_json_edit(text, "dependencies", o->remove[i], NULL);
		if (!rc)
			rc = knit_json_edit(text, "devDependencies", o->remove[i], NULL);
	}
	for (size_t i = 0; !rc && i < o->nadd; i++) {
		char *range = saved_range(r, &o->add[i]);
		struct strbuf json = STRBUF_INIT;
		knit_json_string(&json, range);
		rc = knit_json_edit(text, o->save_dev ? "devDependencies" : "dependencies", o->add[i].name, json.buf);
		if (!rc)
			rc = knit_json_edit(text, o->save_dev ? "dependencies" : "devDependencies", o->add[i].name, NULL);
		/* the lock's root section records what knit.json now says */
		struct knit_deps *d = o->save_dev ? &r->manifest.dev_deps : &r->manifest.deps;
		for (size_t k = 0; k < d->n; k++)
			if (!strcmp(d->items[k].name, o->add[i].name)) {
				free((char *)d->items[k].range);
				d->items[k].range = knit_xstrdup(range);
			}
		strbuf_release(&json);
		free(range);
	}
	if (rc && !err->len)
		strbuf_addf(err, "%s: cannot edit it: 'dependencies' and 'devDependencies' must be objects",
			    r->manifest_path.buf);
	return rc;
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		strbuf_release(&r->items[i].store_dir);
		free(r->items[i].url);
		free(r->items[i].git_url);
		free(r->items[i].symlink_to);
		free(r->items[i].state_id);
		if (r->pkg_manifests)
			knit_manifest_release(&r->pkg_manifests[i]);
	}
	free(r->pkg_manifests);
	free(r->items);
	if (r->solved)
		knit_solution_release(&r->solution);
	knit_specials_free(r->specials);
	knit_registry_free(r->registry);
	knit_tarballs_free(r->tarballs);
	knit_fetch_free(r->fetch);
	if (r->have_lock)
		knit_lockfile_release(&r->lock);
	knit_manifest_release(&r->manifest);
	knit_config_release(&r->cfg);
	strbuf_release(&r->lock_path);
	strbuf_release(&r->manifest_path);
}

/* The project folder's descriptor, flock'ed exclusively (waiting if need be), or -1. */
static int lock_project(struct run *r, struct strbuf *err)
{
	int fd = open(r->opts->project_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "cannot open the project folder '%s': %s", r->opts->project_dir, strerror(errno));
		return -1;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	r->progress.phase = KNIT_PHASE_WAIT;
	report(r);
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		strbuf_addf(err, "cannot lock the project folder '%s': %s", r->opts->project_dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int knit_install(const struct knit_install_opts *opts, struct knit_install_stats *stats,
		 struct strbuf *warn, struct strbuf *err)
{
	struct run r = { .opts = opts, .warn = warn };
	int rc;

	memset(stats, 0, sizeof(*stats));
	int project_fd = lock_project(&r, err);
	if (project_fd < 0)
		return KNIT_EIO;
	/* before anything else: finish or undo what a killed run left */
	if ((rc = knit_txn_recover(opts->project_dir, err))) {
		close(project_fd);
		return rc;
	}
	strbuf_init(&r.lock_path, 0);
	strbuf_init(&r.manifest_path, 0);
	strbuf_addf(&r.manifest_path, "%s/knit.json", opts->project_dir);
	strbuf_addf(&r.lock_path, "%s/knit.lock", opts->project_dir);

	if ((rc = knit_config_load(&r.cfg, opts->project_dir, opts->registry, err)))
		goto done;
	knit_store_clean_tmp(r.cfg.cache_dir);
	rc = knit_manifest_read(&r.manifest, r.manifest_path.buf, err);
	if (rc == KNIT_ENOTFOUND)
		strbuf_addf(err, "no knit.json in '%s'; 'knit init' makes one", opts->project_dir);
	if (rc)
		goto done;
	rc = knit_lockfile_read(&r.lock, r.lock_path.buf, err);
	if (rc == KNIT_ENOTFOUND && opts->mode == KNIT_INSTALL_CI)
		strbuf_addf(err, "knit ci needs knit.lock in '%s'; run 'knit install' and commit it",
			    opts->project_dir);
	else if (rc == KNIT_ENOTFOUND)
		rc = 0;
	else if (!rc)
		r.have_lock = true;
	if (rc)
		goto done;
	struct knit_fetch_opts fo;
	knit_registry_fetch_opts(&r.cfg, &fo);
	fo.tick = on_fetch_tick;
	fo.tick_ctx = &r;
	r.fetch = knit_fetch_new(&fo);
	r.tarballs = knit_tarballs_new(r.fetch, &r.cfg);
	bool edits = opts->nadd || opts->nremove;
	if (edits && (rc = change_manifest(&r, err)))
		goto done;

	if (opts->mode == KNIT_INSTALL_CI) {
		struct strbuf diff = STRBUF_INIT;
		drift(&r, &diff);
		if (diff.len) {
			strbuf_addf(err, "knit.json and knit.lock disagree: %s; run 'knit install' to update knit.lock",
				    diff.buf);
			strbuf_release(&diff);
			rc = KNIT_EPARSE;
			goto done;
		}
		strbuf_release(&diff);
		r.from_lock = true;
		if ((rc = items_from_lock(&r, err)))
			goto done;
	} else if (!opts->update && !edits && r.have_lock && lock_is_current(&r)) {
		/* nothing in knit.json changed: the lock is the resolution, no registry needed */
		r.from_lock = true;
		if ((rc = items_from_lock(&r, err)))
			goto done;
	} else {
		for (size_t i = 0; opts->update && r.have_lock && i < opts->nunlock; i++) {
			if (!knit_lockfile_find(&r.lock, opts->unlock[i])) {
				strbuf_addf(err, "'%s' is not in knit.lock, so there is nothing to update", opts->unlock[i]);
				rc = KNIT_EINVALID_ARG;
				goto done;
			}
		}
		if ((rc = solve(&r, warn, err)))
			goto done;
	}
	set_state_ids(&r);
	r.deps_current = opts->mode == KNIT_INSTALL && !opts->verify && deps_current(&r);
	if ((rc = fetch_missing(&r, stats, err)))
		goto done;
	if (r.repaired) { /* deps/ may hold links to the damaged files: it is made again */
		struct strbuf state = STRBUF_INIT;
		strbuf_addf(&state, "%s/deps/.knit-state", opts->project_dir);
		unlink(state.buf);
		strbuf_release(&state);
	}

	struct knit_lockfile lf;
	struct strbuf text = STRBUF_INIT, old = STRBUF_INIT, scratch = STRBUF_INIT, json = STRBUF_INIT;
	if (edits)
		rc = edit_manifest_text(&r, &json, err);
	bool write_lock = !rc && opts->mode == KNIT_INSTALL && !r.from_lock;
	if (write_lock) {
		new_lockfile(&r, &lf);
		knit_lockfile_format(&lf, &text);
		int read = knit_read_file(r.lock_path.buf, &old, &scratch);
		if (opts->frozen_lockfile && (read || old.len != text.len || memcmp(old.buf, text.buf, text.len))) {
			strbuf_addf(err, "knit.lock %s; --frozen-lockfile forbids changing it",
				    read ? "does not exist" : "is out of date with knit.json");
			rc = KNIT_EPARSE;
		}
	}
	if (!rc) {
		enter_phase(&r, KNIT_PHASE_LINK);
		struct knit_dep_link *links = dep_links(&r);
		/* build files: made before deps/ changes, so that a package with a bad
		 * `c` section fails the install with nothing touched */
		bool in_place = knit_deps_in_place(opts->project_dir, links, r.n);
		bool build_current = r.from_lock && in_place && buildfiles_exist(opts->project_dir);
		if (!build_current || !in_place)
			rc = load_manifests(&r, links, err);
		if (!rc && !build_current && (rc = make_buildfiles(&r, &r.buildfiles, err)) == 0)
			r.buildfiles_due = true;
		/* the new deps/, build files, knit.lock and knit.json: one transaction (txn.h) */
		struct knit_txn txn;
		knit_txn_init(&txn);
		if (!rc)
			rc = knit_deps_prepare(opts->project_dir, links, r.n, before_swap, &r, &txn.deps_tmp,
					       &txn.deps_state, err);
		for (size_t i = 0; !rc && r.buildfiles_due && i < r.buildfiles.n; i++) {
			/* deps/ stays: its build files change in place, within the transaction */
			struct strbuf rel = STRBUF_INIT;
			strbuf_addf(&rel, "deps/%s", r.buildfiles.files[i].path.buf);
			knit_txn_add_file(&txn, rel.buf, r.buildfiles.files[i].text.buf, r.buildfiles.files[i].text.len);
			strbuf_release(&rel);
		}
		if (!rc && write_lock)
			knit_txn_add_file(&txn, "knit.lock", text.buf, text.len);
		if (!rc && edits)
			knit_txn_add_file(&txn, "knit.json", json.buf, json.len);
		if (!rc)
			rc = knit_txn_commit(opts->project_dir, &txn, err);
		stats->deps_changed = txn.deps_changed;
		for (size_t i = 0; i < txn.n; i++) {
			bool *flag = !strcmp(txn.files[i].path, "knit.lock")   ? &stats->lock_changed
				     : !strcmp(txn.files[i].path, "knit.json") ? &stats->manifest_changed
									: &stats->build_changed;
			*flag |= txn.files[i].changed;
		}
		knit_txn_release(&txn);
		stats->build_changed |= r.buildfiles_written;
		knit_buildfiles_release(&r.buildfiles);
		free(links);
		stats->packages = r.n;
	}
	if (write_lock)
		knit_lockfile_release(&lf);
	strbuf_release(&text);
	strbuf_release(&old);
	strbuf_release(&scratch);
	strbuf_release(&json);
done:
	if (r.fetch)
		enter_phase(&r, KNIT_PHASE_DONE);
	run_release(&r);
	close(project_fd); /* releases the lock */
	return rc;
}
