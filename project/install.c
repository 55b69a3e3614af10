/*
 * knit install's sequence (install_stages.h has the stages) and its writes:
 * the project lock, recovery of a killed run, and the one transaction.
 */
#include "install.h"
#include "install_stages.h"
#include "txn.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* What one knit_install reads before it plans. */
struct project {
	struct strbuf manifest_path, lock_path;
	struct knit_manifest manifest;
	struct knit_lockfile lock;
	bool have_lock;
};

/* The project folder's descriptor, flock'ed exclusively (waiting if need be), or -1. */
static int lock_project(struct knit_session *s, const char *dir, struct knit_progress *progress, struct strbuf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "cannot open the project folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	progress->phase = KNIT_PHASE_WAIT;
	knit_session_progress(s, progress);
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		strbuf_addf(err, "cannot lock the project folder '%s': %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int read_project(struct project *p, const struct knit_install_opts *opts, struct strbuf *err)
{
	strbuf_addf(&p->manifest_path, "%s/knit.json", opts->project_dir);
	strbuf_addf(&p->lock_path, "%s/knit.lock", opts->project_dir);
	int rc = knit_manifest_read(&p->manifest, p->manifest_path.buf, err);
	if (rc == KNIT_ENOTFOUND)
		strbuf_addf(err, "no knit.json in '%s'; 'knit init' makes one", opts->project_dir);
	if (rc)
		return rc;
	rc = knit_lockfile_read(&p->lock, p->lock_path.buf, err);
	if (rc == KNIT_ENOTFOUND && opts->mode == KNIT_INSTALL_CI)
		strbuf_addf(err, "knit ci needs knit.lock in '%s'; run 'knit install' and commit it",
			    opts->project_dir);
	else if (rc == KNIT_ENOTFOUND)
		rc = 0;
	else if (!rc)
		p->have_lock = true;
	return rc;
}

static void release_project(struct project *p)
{
	if (p->have_lock)
		knit_lockfile_release(&p->lock);
	knit_manifest_release(&p->manifest);
	strbuf_release(&p->manifest_path);
	strbuf_release(&p->lock_path);
}

/* Whether deps/ already holds exactly the plan, told before the store is looked at. */
static bool deps_current(const struct knit_plan *plan, const struct project *p, struct knit_session *s,
			 const char *project_dir)
{
	struct knit_link l;
	knit_link_init(&l, plan, &p->manifest, s);
	bool current = knit_link_in_place(&l, project_dir);
	knit_link_release(&l);
	return current;
}

/* The new knit.lock's text into *text; with --frozen-lockfile, an error if it differs from the file's. */
static int lock_text(const struct knit_plan *plan, const struct project *p, const struct knit_install_opts *opts,
		     struct strbuf *text, struct strbuf *err)
{
	struct knit_lockfile lf;
	knit_plan_lockfile(plan, &p->manifest, &lf);
	knit_lockfile_format(&lf, text);
	knit_lockfile_release(&lf);
	if (!opts->frozen_lockfile)
		return 0;
	struct strbuf old = STRBUF_INIT, scratch = STRBUF_INIT;
	int read = knit_read_file(p->lock_path.buf, &old, &scratch);
	int rc = 0;
	if (read || old.len != text->len || memcmp(old.buf, text->buf, text->len)) {
		strbuf_addf(err, "knit.lock %s; --frozen-lockfile forbids changing it",
			    read ? "does not exist" : "is out of date with knit.json");
		rc = KNIT_EPARSE;
	}
	strbuf_release(&old);
	strbuf_release(&scratch);
	return rc;
}

/*
 * The link stage and the transaction: deps/, its build files, knit.lock and
 * knit.json (the last two when given) change together or not at all.
 */
static int link_and_commit(const struct knit_plan *plan, struct project *p, struct knit_session *s,
			   const struct knit_install_opts *opts, const struct strbuf *lock, const struct strbuf *json,
			   struct knit_install_stats *stats, struct strbuf *err)
{
	struct knit_link l;
	struct knit_buildfiles bf = { 0 };
	struct knit_txn txn;
	knit_link_init(&l, plan, &p->manifest, s);
	knit_txn_init(&txn);
	bool in_place = knit_link_in_place(&l, opts->project_dir);
	bool build_current = plan->from_lock && in_place && knit_plan_buildfiles_exist(opts->project_dir);
	int rc = 0;
	if (!build_current || !in_place)
		rc = knit_link_load_manifests(&l, err);
	bool build_due = false;
	if (!rc && !build_current && !(rc = knit_plan_buildfiles(plan, l.manifests, &p->manifest, opts->project_dir,
								   &bf, err))) {
		build_due = true;
		l.buildfiles = &bf; /* into the new deps/, when one is made */
	}
	if (!rc)
		rc = knit_link_prepare(&l, opts->project_dir, &txn.deps_tmp, &txn.deps_state, err);
	/* deps/ stays: its build files change in place, within the transaction */
	for (size_t i = 0; !rc && build_due && l.buildfiles && i < bf.n; i++) {
		struct strbuf rel = STRBUF_INIT;
		strbuf_addf(&rel, "deps/%s", bf.files[i].path.buf);
		knit_txn_add_file(&txn, rel.buf, bf.files[i].text.buf, bf.files[i].text.len);
		strbuf_release(&rel);
	}
	if (!rc && lock)
		knit_txn_add_file(&txn, "knit.lock", lock->buf, lock->len);
	if (!rc && json)
		knit_txn_add_file(&txn, "knit.json", json->buf, json->len);
	if (!rc)
		rc = knit_txn_commit(opts->project_dir, &txn, err);
	stats->deps_changed = txn.deps_changed;
	for (size_t i = 0; i < txn.n; i++) {
		bool *flag = !strcmp(txn.files[i].path, "knit.lock")   ? &stats->lock_changed
			     : !strcmp(txn.files[i].path, "knit.json") ? &stats->manifest_changed
								: &stats->build_changed;
		*flag |= txn.files[i].changed;
	}
	stats->build_changed |= l.buildfiles_written;
	stats->files_placed = l.counts.files;
	stats->folders_made = l.counts.folders;
	stats->links_made = l.counts.links;
	knit_txn_release(&txn);
	knit_buildfiles_release(&bf);
	knit_link_release(&l);
	return rc;
}

static int item_by_name(const void *a, const void *b)
{
	const struct knit_plan_item *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

/*
 * What the new knit.lock changed from the old one (lock, or NULL for none),
 * package by package in name order, through the session: one merge of the
 * two sorted lists.
 */
static void report_changes(struct knit_session *s, const struct knit_lockfile *lock, const struct knit_plan *plan)
{
	const struct knit_plan_item **items = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*items));
	for (size_t i = 0; i < plan->n; i++)
		items[i] = &plan->items[i];
	if (plan->n)
		qsort(items, plan->n, sizeof(*items), item_by_name);
	size_t nold = lock ? lock->n : 0, i = 0, j = 0;
	while (i < nold || j < plan->n) {
		const struct knit_lock_pkg *was = i < nold ? &lock->pkgs[i] : NULL;
		const struct knit_plan_item *is = j < plan->n ? items[j] : NULL;
		int order = !was ? 1 : !is ? -1 : strcmp(was->name, is->name);
		struct knit_change_event e = { order < 0 ? was->name : is->name, order <= 0 ? was->version : NULL,
					       order >= 0 ? is->version : NULL };
		if (order <= 0)
			i++;
		if (order >= 0)
			j++;
		if (!e.from || !e.to || strcmp(e.from, e.to))
			knit_session_changed(s, &e);
	}
	free(items);
}

static int install_locked(struct knit_session *s, const struct knit_install_opts *opts, struct project *p,
			  struct knit_progress *progress, struct knit_install_stats *stats, struct strbuf *err)
{
	int rc;
	if ((rc = read_project(p, opts, err)))
		return rc;
	bool edits = opts->nadd || opts->nremove;
	if (edits && (rc = knit_manifest_edit_deps(&p->manifest, opts, err)))
		return rc;

	struct knit_tarballs *tarballs = knit_tarballs_new(s->fetch, &s->cfg);
	struct knit_plan plan;
	struct knit_plan_request req = { opts, &p->manifest, p->have_lock ? &p->lock : NULL, p->lock_path.buf,
					 edits, tarballs, progress };
	rc = knit_plan_make(&plan, s, &req, err);
	if (!rc) {
		struct knit_place_opts po = { opts->project_dir, opts->verify,
					      opts->mode == KNIT_INSTALL && !opts->verify &&
						      deps_current(&plan, p, s, opts->project_dir),
					      tarballs, progress };
		struct knit_place_result placed;
		rc = knit_place(&plan, s, &po, &placed, err);
		stats->fetched = placed.fetched;
		stats->stored = placed.stored;
		if (!rc && placed.repaired) { /* deps/ may hold links to the damaged files: it is made again */
			struct strbuf state = STRBUF_INIT;
			strbuf_addf(&state, "%s/deps/.knit-state", opts->project_dir);
			unlink(state.buf);
			strbuf_release(&state);
		}
	}
	struct strbuf lock = STRBUF_INIT, json = STRBUF_INIT;
	if (!rc && edits)
		rc = knit_manifest_edit_text(&p->manifest, p->manifest_path.buf, opts, &plan, &json, err);
	bool write_lock = opts->mode == KNIT_INSTALL && !plan.from_lock;
	if (!rc && write_lock)
		rc = lock_text(&plan, p, opts, &lock, err);
	if (!rc && knit_interrupted()) /* the last safe point: past it, the transaction runs to its end */
		rc = KNIT_EINTR;
	if (!rc) {
		progress->phase = KNIT_PHASE_LINK;
		knit_session_progress(s, progress);
		rc = link_and_commit(&plan, p, s, opts, write_lock ? &lock : NULL, edits ? &json : NULL, stats, err);
		stats->packages = plan.n;
		if (!rc && stats->lock_changed)
			report_changes(s, p->have_lock ? &p->lock : NULL, &plan);
	}
	strbuf_release(&lock);
	strbuf_release(&json);
	knit_plan_release(&plan);
	knit_tarballs_free(tarballs);
	progress->phase = KNIT_PHASE_DONE;
	knit_session_progress(s, progress);
	return rc;
}

int knit_install(struct knit_session *s, const struct knit_install_opts *opts, struct knit_install_stats *stats,
		 struct strbuf *err)
{
	struct knit_progress progress = { 0 };
	memset(stats, 0, sizeof(*stats));
	int project_fd = lock_project(s, opts->project_dir, &progress, err);
	if (project_fd < 0)
		return KNIT_EIO;
	/* before anything else: finish or undo what a killed run left */
	int rc = knit_txn_recover(opts->project_dir, err);
	if (!rc) {
		struct project p = { .manifest_path = STRBUF_INIT, .lock_path = STRBUF_INIT };
		knit_store_clean_tmp(s->cfg.cache_dir);
		rc = install_locked(s, opts, &p, &progress, stats, err);
		release_project(&p);
	}
	/* whatever failed on the way (a transfer cut short, a stage stopped): a failure leaves the project as it was */
	if (rc && knit_interrupted()) {
		strbuf_reset(err);
		strbuf_addstr(err, "interrupted; nothing changed");
		rc = KNIT_EINTR;
	}
	close(project_fd); /* releases the lock */
	return rc;
}
