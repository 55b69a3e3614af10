#include "txn.h"
#include "depsdir.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_HEAD "knit txn 1\n"
#define JOURNAL_MAX (1u << 30) /* a journal holds knit.lock and knit.json: far below this */

void knit_txn_init(struct knit_txn *t)
{
	memset(t, 0, sizeof(*t));
	strbuf_init(&t->deps_tmp, 0);
	strbuf_init(&t->deps_state, 0);
}

void knit_txn_add_file(struct knit_txn *t, const char *path, const char *text, size_t len)
{
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 4;
		t->files = knit_xrealloc(t->files, t->alloc * sizeof(*t->files));
	}
	struct knit_txn_file *f = &t->files[t->n++];
	f->path = knit_xstrdup(path);
	strbuf_init(&f->text, len + 1);
	strbuf_add(&f->text, text, len);
	f->changed = false;
}

void knit_txn_release(struct knit_txn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->files[i].path);
		strbuf_release(&t->files[i].text);
	}
	free(t->files);
	strbuf_release(&t->deps_tmp);
	strbuf_release(&t->deps_state);
	memset(t, 0, sizeof(*t));
}

/*
 * The paths a journal may name: knit.json, knit.lock, and deps/'s build
 * files (knit.cmake, knit.mk, knit.env, .pkgconfig/<name>.pc). A journal is
 * read back from the project folder, which a cloned repository may have
 * filled: nothing else is ever written from one.
 */
static bool journal_path_ok(const char *p)
{
	if (!strcmp(p, "knit.json") || !strcmp(p, "knit.lock") || !strcmp(p, "deps/knit.cmake") ||
	    !strcmp(p, "deps/knit.mk") || !strcmp(p, "deps/knit.env"))
		return true;
	const char *pc = "deps/.pkgconfig/";
	if (strncmp(p, pc, strlen(pc)))
		return false;
	const char *name = p + strlen(pc);
	size_t len = strlen(name);
	return len > 3 && !strchr(name, '/') && name[0] != '.' && !strcmp(name + len - 3, ".pc");
}

/* A prepared folder's name: .deps-<anything without a slash>. */
static bool deps_tmp_ok(const char *name)
{
	return !strncmp(name, ".deps-", 6) && name[6] && !strchr(name, '/');
}

/*
 * journal: JOURNAL_HEAD, "deps <name> <len>\n<state>\n" or none, then
 * "file <len> <base> <path>\n<text>\n" each (base: the replaced text's hash
 * in 16 hex digits, or "-" for none), "end\n"
 */
static void journal_text(const struct knit_txn *t, struct strbuf *out)
{
	strbuf_addstr(out, JOURNAL_HEAD);
	if (t->deps_tmp.len) {
		strbuf_addf(out, "deps %s %zu\n", t->deps_tmp.buf, t->deps_state.len);
		strbuf_add(out, t->deps_state.buf, t->deps_state.len);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < t->n; i++) {
		if (!t->files[i].changed)
			continue;
		if (t->files[i].had_base)
			strbuf_addf(out, "file %zu %016" PRIx64 " %s\n", t->files[i].text.len, t->files[i].base,
				    t->files[i].path);
		else
			strbuf_addf(out, "file %zu - %s\n", t->files[i].text.len, t->files[i].path);
		strbuf_add(out, t->files[i].text.buf, t->files[i].text.len);
		strbuf_addch(out, '\n');
	}
	strbuf_addstr(out, "end\n");
}

/* The line at *at (without its '\n') into line; false at the end of the text. */
static bool take_line(const struct strbuf *text, size_t *at, struct strbuf *line)
{
	strbuf_reset(line);
	const char *nl = *at < text->len ? memchr(text->buf + *at, '\n', text->len - *at) : NULL;
	if (!nl)
		return false;
	strbuf_add(line, text->buf + *at, (size_t)(nl - (text->buf + *at)));
	*at = (size_t)(nl - text->buf) + 1;
	return true;
}

/* len bytes and a '\n' at *at, into out. */
static bool take_bytes(const struct strbuf *text, size_t *at, unsigned long long len, struct strbuf *out)
{
	if (len > text->len - *at || text->len - *at - len < 1 || text->buf[*at + len] != '\n')
		return false;
	strbuf_add(out, text->buf + *at, (size_t)len);
	*at += (size_t)len + 1;
	return true;
}

static int journal_parse(const struct strbuf *text, struct knit_txn *t)
{
	struct strbuf line = STRBUF_INIT;
	size_t at = strlen(JOURNAL_HEAD);
	bool ok = text->len >= at && !memcmp(text->buf, JOURNAL_HEAD, at), end = false;
	while (ok && !end && take_line(text, &at, &line)) {
		char *space, *stop;
		unsigned long long len;
		if (!strcmp(line.buf, "end")) {
			end = true;
		} else if (!strncmp(line.buf, "deps ", 5) && !t->deps_tmp.len && !t->n &&
			   (space = strrchr(line.buf + 5, ' '))) {
			*space = '\0';
			len = strtoull(space + 1, &stop, 10);
			ok = deps_tmp_ok(line.buf + 5) && *stop == '\0' && stop != space + 1 &&
			     take_bytes(text, &at, len, &t->deps_state);
			if (ok)
				strbuf_addstr(&t->deps_tmp, line.buf + 5);
		} else if (!strncmp(line.buf, "file ", 5)) {
			len = strtoull(line.buf + 5, &stop, 10);
			ok = stop != line.buf + 5 && *stop == ' ';
			char *base = stop + 1, *path = ok ? strchr(base, ' ') : NULL;
			uint64_t hash = 0;
			bool had = ok && path && *base != '-';
			if (had) {
				hash = strtoull(base, &stop, 16);
				ok = stop == path && path - base == 16;
			} else {
				ok = ok && path == base + 1;
			}
			ok = ok && journal_path_ok(path + 1);
			if (ok) {
				knit_txn_add_file(t, path + 1, "", 0);
				t->files[t->n - 1].had_base = had;
				t->files[t->n - 1].base = hash;
				ok = take_bytes(text, &at, len, &t->files[t->n - 1].text);
			}
		} else {
			ok = false;
		}
	}
	strbuf_release(&line);
	return ok && end && at == text->len ? 0 : KNIT_EPARSE;
}

/* A build file's folder in deps/ must be a real folder, not a link a repository planted. */
static bool real_folder(const char *project_dir, const char *rel)
{
	struct strbuf dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/%s", project_dir, rel);
	char *slash = strrchr(dir.buf, '/');
	bool ok = true;
	struct stat st;
	for (; ok && slash && slash > dir.buf + strlen(project_dir); slash = strrchr(dir.buf, '/')) {
		*slash = '\0';
		ok = !lstat(dir.buf, &st) && S_ISDIR(st.st_mode);
	}
	strbuf_release(&dir);
	return ok;
}

/*
 * Steps 3 of txn.h, each idempotent; the journal's name is removed last.
 * 0, KNIT_ENOTFOUND when its deps/ step cannot be done (nothing applied,
 * the journal removed), or KNIT_EIO with a line in *err.
 */
static bool edited_since(const char *path, const struct knit_txn_file *f)
{
	struct strbuf now = STRBUF_INIT, scratch = STRBUF_INIT;
	int rc = knit_read_file(path, &now, &scratch);
	bool keep = rc == KNIT_ENOTFOUND ? f->had_base
		    : rc		  ? false /* unreadable: writing it says why */
		    : (now.len == f->text.len && !memcmp(now.buf, f->text.buf, now.len)) ||
			      !f->had_base || knit_hash_bytes(KNIT_HASH_SEED, now.buf, now.len) != f->base;
	strbuf_release(&now);
	strbuf_release(&scratch);
	return keep;
}

static int apply(const char *project_dir, struct knit_txn *t, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;
	if (t->deps_tmp.len) {
		rc = knit_depsdir_exchange(project_dir, t->deps_tmp.buf, &t->deps_state, err);
		t->deps_changed = !rc;
	}
	for (size_t i = 0; !rc && i < t->n; i++) {
		struct knit_txn_file *f = &t->files[i];
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", project_dir, f->path);
		if (!real_folder(project_dir, f->path)) {
			strbuf_addf(err, "cannot write '%s': a folder on its way is not a folder", path.buf);
			rc = KNIT_EIO;
		} else if (edited_since(path.buf, f)) {
			/* done before, or changed by someone since: kept as it is */
		} else if (!strncmp(f->path, "deps/", 5)) { /* derived data, as buildfiles.c writes it */
			if (knit_make_parents(path.buf)) {
				strbuf_addf(err, "cannot make the folder of '%s': %s", path.buf, strerror(errno));
				rc = KNIT_EIO;
			} else {
				rc = knit_write_cache_file(path.buf, f->text.buf, f->text.len, err);
			}
		} else {
			bool changed;
			rc = knit_write_file_atomic(path.buf, f->text.buf, f->text.len, &changed, err);
		}
	}
	if (!rc || rc == KNIT_ENOTFOUND) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", project_dir, KNIT_TXN_JOURNAL);
		if (unlink(path.buf) && errno != ENOENT) {
			strbuf_addf(err, "cannot remove '%s': %s", path.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		knit_fsync_folder(project_dir);
	}
	if (!rc && t->deps_tmp.len) { /* last, being long: the old deps/, stale once the journal is gone */
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", project_dir, t->deps_tmp.buf);
		knit_remove_tree(path.buf);
	}
	strbuf_release(&path);
	return rc;
}

int knit_txn_commit(const char *project_dir, struct knit_txn *t, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT, scratch = STRBUF_INIT, text = STRBUF_INIT;
	bool any = false;
	for (size_t i = 0; i < t->n; i++) {
		struct knit_txn_file *f = &t->files[i];
		strbuf_reset(&path);
		strbuf_reset(&old);
		strbuf_addf(&path, "%s/%s", project_dir, f->path);
		f->had_base = !knit_read_file(path.buf, &old, &scratch);
		f->base = knit_hash_bytes(KNIT_HASH_SEED, old.buf, old.len);
		f->changed = !f->had_base || old.len != f->text.len || memcmp(old.buf, f->text.buf, old.len);
		any |= f->changed;
		strbuf_reset(&scratch);
	}
	int rc = 0;
	t->deps_changed = false;
	if (!any && t->deps_tmp.len) {
		/* deps/ alone (knit ci, a relink): its exchange is one rename, all or nothing by itself, and
		 * recovery's roll back removes what is left under the temporary name, old or new, as it should */
		rc = apply(project_dir, t, err);
		if (rc == KNIT_ENOTFOUND) {
			strbuf_addf(err, "the new deps folder '%s' disappeared before it was put in place",
				    t->deps_tmp.buf);
			rc = KNIT_EIO;
		}
	} else if (any) {
		journal_text(t, &text);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", project_dir, KNIT_TXN_JOURNAL);
		bool dummy;
		/* the commit point: fsync'ed temporary, rename, fsync of the folder */
		rc = knit_write_file_atomic(path.buf, text.buf, text.len, &dummy, err);
		if (rc && t->deps_tmp.len) { /* wholly old: the prepared folder goes */
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", project_dir, t->deps_tmp.buf);
			knit_remove_tree(path.buf);
		}
		if (!rc)
			rc = apply(project_dir, t, err);
		if (rc == KNIT_ENOTFOUND) {
			strbuf_addf(err, "the new deps folder '%s' disappeared before it was put in place",
				    t->deps_tmp.buf);
			rc = KNIT_EIO;
		}
	}
	strbuf_release(&path);
	strbuf_release(&old);
	strbuf_release(&scratch);
	strbuf_release(&text);
	return rc;
}

/*
 * In dir (its own entries only): removes each temporary whose name starts
 * with one of the prefixes ("*x": has x in it) and whose owner is gone.
 * Names without a PID (older knit) go too: the caller holds the project
 * lock, which every writer of these names holds.
 */
static void remove_stale(const char *dir, const char *const *prefixes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct strbuf path = STRBUF_INIT;
	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid = 0;
		bool temp = false;
		for (size_t i = 0; prefixes[i] && !temp; i++) {
			const char *p = prefixes[i];
			if (*p == '*')
				temp = knit_temp_pid(e->d_name, p + 1, &pid);
			else if (!strncmp(e->d_name, p, strlen(p)))
				temp = knit_temp_pid(e->d_name + strlen(p) - 1, p + strlen(p) - 1, &pid);
		}
		/* our own PID: an earlier process's (PIDs repeat, in containers
		 * above all), since recovery runs before this one makes any */
		if (!temp || (pid != (long)getpid() && knit_pid_alive(pid)))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, e->d_name);
		knit_remove_tree(path.buf);
	}
	closedir(d);
	strbuf_release(&path);
}

int knit_txn_recover(const char *project_dir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct knit_txn t;
	knit_txn_init(&t);
	strbuf_addf(&path, "%s/%s", project_dir, KNIT_TXN_JOURNAL);
	int rc = knit_read_file(path.buf, &text, err);
	if (rc == KNIT_ENOTFOUND) {
		rc = 0;
	} else if (!rc && (text.len > JOURNAL_MAX || journal_parse(&text, &t))) {
		strbuf_addf(err, "'%s' is not a journal of knit's; remove it, then install again", path.buf);
		rc = KNIT_EPARSE;
	} else if (!rc) {
		rc = apply(project_dir, &t, err);
		if (rc == KNIT_ENOTFOUND)
			rc = 0; /* rolled back: nothing of it was applied */
		if (rc)
			strbuf_addf(err, "%scannot finish the interrupted install", err->len ? "; " : "");
	}
	if (!rc) { /* no journal now: what killed runs prepared is stale */
		static const char *const top[] = { ".deps-", "knit.lock.tmp-", "knit.json.tmp-",
						   KNIT_TXN_JOURNAL ".tmp-", NULL };
		static const char *const in_deps[] = { "knit.cmake.tmp-", "knit.mk.tmp-", "knit.env.tmp-",
						       ".knit-state.tmp-", NULL };
		static const char *const in_pkgconfig[] = { "*.pc.tmp-", NULL };
		remove_stale(project_dir, top);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/deps", project_dir);
		remove_stale(path.buf, in_deps);
		strbuf_addstr(&path, "/.pkgconfig");
		remove_stale(path.buf, in_pkgconfig);
	}
	knit_txn_release(&t);
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

int knit_txn_recover_project(const char *project_dir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/knit.json", project_dir);
	bool project = !access(path.buf, F_OK);
	strbuf_release(&path);
	if (!project)
		return 0;
	int fd = open(project_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "cannot open the project folder '%s': %s", project_dir, strerror(errno));
		return KNIT_EIO;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		strbuf_addf(err, "cannot lock the project folder '%s': %s", project_dir, strerror(errno));
		close(fd);
		return KNIT_EIO;
	}
	int rc = knit_txn_recover(project_dir, err);
	close(fd);
	return rc;
}

int knit_txn_read_project(const char *project_dir, struct knit_manifest *m, struct strbuf *err)
{
	int rc = knit_txn_recover_project(project_dir, err);
	if (rc)
		return rc;
	struct strbuf path = STRBUF_INIT;
	if (strcmp(project_dir, ".")) /* messages name knit.json as the user sees it */
		strbuf_addf(&path, "%s/", project_dir);
	strbuf_addstr(&path, "knit.json");
	rc = knit_manifest_read(m, path.buf, err);
	strbuf_release(&path);
	if (rc == KNIT_ENOTFOUND) {
		strbuf_reset(err);
		if (!strcmp(project_dir, "."))
			strbuf_addstr(err, "no knit.json here");
		else
			strbuf_addf(err, "no knit.json in %s", project_dir);
	}
	return rc;
}
