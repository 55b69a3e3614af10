#include "depsdir.h"
#include "manifest.h"
#include "store/store.h"
#include "store/store_index.h"
#include "util/beneath.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct knit_depsdir_link *)a)->name, ((const struct knit_depsdir_link *)b)->name);
}

static void state_text(const struct knit_depsdir_link *pkgs, size_t n, struct strbuf *out)
{
	strbuf_addstr(out, "knit deps state 1\n");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "%s %s %s%s\n", pkgs[i].name, pkgs[i].version,
			    pkgs[i].integrity ? pkgs[i].integrity : "-", pkgs[i].trusted ? " trusted" : "");
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out >= 0) {
		if (!ioctl(out, FICLONE, in)) {
			rc = 0; /* a reflink: shared blocks, copy on write */
		} else {
			char buf[65536];
			ssize_t r;
			rc = 0;
			while ((r = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)r) != r) {
					rc = -1;
					break;
				}
			if (r < 0)
				rc = -1;
		}
		if (close(out))
			rc = -1;
	}
	close(in);
	return rc;
}

/*
 * Recreates the tree at src under dst (each a path, extended and restored
 * while walking: no allocation or formatting per entry, which matters on a
 * warm install of thousands of files): folders made, files hard-linked (or
 * copied with copy: real copies, for packages whose scripts may change
 * their files), links kept. Iterative, with one open folder per level
 * below, and refused past KNIT_DEPS_MAX_DEPTH levels: a store entry nested
 * thousands deep (a tampered store, an older knit) gets one error, not a
 * stack overflow.
 */
#define KNIT_DEPS_MAX_DEPTH KNIT_STORE_MAX_DEPTH /* no deeper than the store lets a package be */

struct level {
	DIR *d;
	size_t src_len, dst_len; /* the paths' lengths at this folder */
};

/* What a tree placed in deps/ took (atomically added to: linking runs on several threads). */
static void count(size_t *field)
{
	__atomic_fetch_add(field, 1, __ATOMIC_RELAXED);
}

static int link_tree_at(struct strbuf *src, struct strbuf *dst, bool copy, struct knit_depsdir_counts *c,
			struct strbuf *err)
{
	struct level stack[KNIT_DEPS_MAX_DEPTH + 1];
	size_t depth = 0;
	int rc = 0;
	bool descend = true; /* src/dst name a folder to open next */
	while (!rc) {
		if (descend) {
			descend = false;
			if (depth > KNIT_DEPS_MAX_DEPTH) {
				strbuf_addf(err, "cannot place '%.200s...' in deps: more than %d folders deep",
					    dst->buf, KNIT_DEPS_MAX_DEPTH);
				rc = KNIT_EIO;
				break;
			}
			DIR *d = opendir(src->buf);
			count(&c->folders);
			if (!d || (mkdir(dst->buf, 0755) && errno != EEXIST)) {
				strbuf_addf(err, "cannot read '%s' or make '%s': %s", src->buf, dst->buf,
					    strerror(errno));
				if (d)
					closedir(d);
				rc = KNIT_EIO;
				break;
			}
			stack[depth++] = (struct level){ d, src->len, dst->len };
		}
		struct level *top = &stack[depth - 1];
		strbuf_setlen(src, top->src_len);
		strbuf_setlen(dst, top->dst_len);
		struct dirent *e = readdir(top->d);
		if (!e) {
			closedir(top->d);
			if (!--depth)
				break;
			continue;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		strbuf_addch(src, '/');
		strbuf_addstr(src, e->d_name);
		strbuf_addch(dst, '/');
		strbuf_addstr(dst, e->d_name);
		/* readdir's type saves a stat per file; lstat only when the filesystem does not say */
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			if (lstat(src->buf, &st))
				rc = KNIT_EIO;
			else
				type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
		}
		if (rc) {
			/* reported below */
		} else if (type == DT_DIR) {
			descend = true;
		} else if (type == DT_LNK) {
			char target[4096];
			ssize_t n = readlink(src->buf, target, sizeof(target) - 1);
			if (n < 0 || (target[n] = '\0', symlink(target, dst->buf)))
				rc = KNIT_EIO;
			count(&c->links);
		} else if ((count(&c->files), copy || link(src->buf, dst->buf)) && /* a copy is writable: the project's own */
			   (lstat(src->buf, &st) || copy_file(src->buf, dst->buf, (st.st_mode & 0777) | S_IWUSR))) {
			rc = KNIT_EIO;
		}
		if (rc == KNIT_EIO && !err->len)
			strbuf_addf(err, "cannot place '%s' in deps: %s", dst->buf, strerror(errno));
	}
	while (depth)
		closedir(stack[--depth].d);
	return rc;
}

static int link_tree(const char *from, const char *to, bool copy, struct knit_depsdir_counts *c, struct strbuf *err)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
	strbuf_addstr(&src, from);
	strbuf_addstr(&dst, to);
	int rc = link_tree_at(&src, &dst, copy, c, err);
	strbuf_release(&src);
	strbuf_release(&dst);
	return rc;
}

static bool path_inside(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *seg = p; *seg;) {
		size_t len = strcspn(seg, "/");
		if (len == 2 && !strncmp(seg, "..", 2))
			return false;
		seg += len + (seg[len] == '/');
	}
	return true;
}

/*
 * The tree of a store entry made under dst from the index its check just
 * read: its folders made, files hard-linked, links kept, in the index's
 * order (a folder before what it holds: paths sort by bytes; the package
 * folder itself first, though "." may sort after "-x"), without opening or reading any of
 * the entry's folders; where a hard link cannot be made (another file
 * system), the file is copied. Every path is checked to stay inside.
 */
static int link_from_index(const char *src_dir, const struct knit_store_index *idx, const char *to,
			   struct knit_depsdir_counts *c, struct strbuf *err)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
	strbuf_addstr(&src, src_dir);
	strbuf_addstr(&dst, to);
	size_t src_len = src.len, dst_len = dst.len;
	int rc = 0;
	count(&c->folders);
	if (mkdir(to, 0755) && errno != EEXIST) {
		strbuf_addf(err, "cannot make '%s': %s", to, strerror(errno));
		rc = KNIT_EIO;
	}
	/* every call relative to the two folders: the kernel walks the entry's long path once, not per file */
	int sfd = rc ? -1 : open(src_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int dfd = rc ? -1 : open(to, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (!rc && (sfd < 0 || dfd < 0)) {
		strbuf_addf(err, "cannot open '%s' or '%s': %s", src_dir, to, strerror(errno));
		rc = KNIT_EIO;
	}
	for (size_t i = 0; i < idx->n && !rc; i++) {
		const struct knit_store_item *it = &idx->items[i];
		if (!strcmp(it->path, "."))
			continue;
		if (!path_inside(it->path)) {
			strbuf_addf(err, "cannot place '%s' in deps: its store index names '%s'", to, it->path);
			rc = KNIT_EIO;
			break;
		}
		strbuf_setlen(&src, src_len);
		strbuf_setlen(&dst, dst_len);
		strbuf_addch(&src, '/');
		strbuf_addstr(&src, it->path);
		strbuf_addch(&dst, '/');
		strbuf_addstr(&dst, it->path);
		struct stat st;
		count(it->type == 'd' ? &c->folders : it->type == 'l' ? &c->links : &c->files);
		if (it->type == 'd')
			rc = mkdirat(dfd, it->path, 0755) && errno != EEXIST ? KNIT_EIO : 0;
		else if (it->type == 'l')
			rc = !it->target || symlinkat(it->target, dfd, it->path) ? KNIT_EIO : 0;
		else if (linkat(sfd, it->path, dfd, it->path, 0) &&
			 (lstat(src.buf, &st) || copy_file(src.buf, dst.buf, (st.st_mode & 0777) | S_IWUSR)))
			rc = KNIT_EIO;
		if (rc)
			strbuf_addf(err, "cannot place '%s' in deps: %s", dst.buf, strerror(errno));
	}
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	strbuf_release(&src);
	strbuf_release(&dst);
	return rc;
}

/* deps/.bin/<command> -> ../<package>/<path>, for each "bin" of the package;
 * the first package (by name) to claim a command keeps it. */
/* deps/<name> for one package: its scope folder, then a symbolic link or the tree from the store. */
static int link_package(const char *deps_dir, const struct knit_depsdir_link *pkg, struct knit_depsdir_counts *c,
			struct strbuf *err)
{
	struct strbuf dst = STRBUF_INIT, scope = STRBUF_INIT;
	int rc = knit_pkgname_path(deps_dir, pkg->name, NULL, &dst, err);
	/* only a scoped name needs a folder above it: deps/@scope/ (workers may race to make it) */
	const char *slash = strchr(pkg->name, '/');
	if (!rc && slash)
		strbuf_add(&scope, dst.buf, dst.len - strlen(slash));
	if (rc) {
		/* reported: the name would leave deps/ */
	} else if (slash && mkdir(scope.buf, 0755) && errno != EEXIST) {
		strbuf_addf(err, "cannot make '%s': %s", scope.buf, strerror(errno));
		rc = KNIT_EIO;
	} else if (pkg->symlink_to) {
		if (symlink(pkg->symlink_to, dst.buf)) {
			strbuf_addf(err, "cannot link '%s' to '%s': %s", dst.buf, pkg->symlink_to, strerror(errno));
			rc = KNIT_EIO;
		}
	} else if (pkg->index && !pkg->trusted) {
		rc = link_from_index(pkg->store_dir, pkg->index, dst.buf, c, err);
	} else {
		rc = link_tree(pkg->store_dir, dst.buf, pkg->trusted, c, err);
	}
	strbuf_release(&dst);
	strbuf_release(&scope);
	return rc;
}

/*
 * Every package linked into deps_dir by a few threads at once: making
 * folders and links is one system call per entry, and the kernel serves
 * calls in different folders in parallel. The first failure in package
 * order is reported, as a serial run would.
 */
struct link_job {
	const char *deps_dir;
	const struct knit_depsdir_link *pkgs;
	size_t n;
	size_t next;            /* taken atomically */
	int *rcs;
	struct strbuf *errs;
	struct knit_depsdir_counts *counts;
};

static void *link_worker(void *arg)
{
	struct link_job *job = arg;
	for (;;) {
		size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (i >= job->n)
			return NULL;
		job->rcs[i] = link_package(job->deps_dir, &job->pkgs[i], job->counts, &job->errs[i]);
		if (job->rcs[i]) /* the others stop at their next package */
			__atomic_store_n(&job->next, job->n, __ATOMIC_RELAXED);
	}
}

static int link_all(const char *deps_dir, const struct knit_depsdir_link *pkgs, size_t n,
		    struct knit_depsdir_counts *counts, struct strbuf *err)
{
	struct link_job job = { deps_dir, pkgs, n, 0, knit_xcalloc(n ? n : 1, sizeof(int)),
				knit_xcalloc(n ? n : 1, sizeof(struct strbuf)), counts };
	for (size_t i = 0; i < n; i++)
		strbuf_init(&job.errs[i], 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus > 1 ? (size_t)(cpus > 8 ? 8 : cpus) : 1;
	if (nthreads > n / 16 + 1)
		nthreads = n / 16 + 1; /* a thread is worth it for a dozen packages or more */
	pthread_t threads[8];
	size_t started = 0;
	for (size_t t = 1; t < nthreads; t++)
		if (!pthread_create(&threads[started], NULL, link_worker, &job))
			started++;
	link_worker(&job);
	for (size_t t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (job.rcs[i] && !rc) {
			rc = job.rcs[i];
			strbuf_add(err, job.errs[i].buf, job.errs[i].len);
		}
		strbuf_release(&job.errs[i]);
	}
	free(job.rcs);
	free(job.errs);
	return rc;
}

static int link_bins(const char *deps_dir, const struct knit_depsdir_link *pkg, struct strbuf *err)
{
	static const struct knit_strmap none;
	const struct knit_strmap *bins = pkg->bins ? pkg->bins : &none;
	struct strbuf label = STRBUF_INIT, target = STRBUF_INIT, link = STRBUF_INIT;
	strbuf_addf(&label, "package '%s@%s'", pkg->name, pkg->version);
	int rc = 0, fd = -1, pkg_fd = -1;
	if (bins->n && !(rc = knit_pkgname_path(deps_dir, pkg->name, NULL, &link, err))) {
		pkg_fd = open(link.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pkg_fd < 0) {
			strbuf_addf(err, "cannot open '%s': %s", link.buf, strerror(errno));
			rc = KNIT_EIO;
		}
	}
	for (size_t i = 0; !rc && i < bins->n; i++) {
		const char *cmd = bins->items[i].key, *path = bins->items[i].value;
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		if (!path_inside(path)) {
			strbuf_addf(err, "%s: 'bin.%s' points outside the package: '%s'", label.buf, cmd,
				    bins->items[i].value);
			rc = KNIT_EPARSE;
			break;
		}
		/*
		 * Resolved beneath the package, its own links followed only while
		 * they stay inside; the mode is then changed through this
		 * descriptor, never through a path resolved again later.
		 */
		if (fd >= 0)
			close(fd);
		fd = knit_beneath_open(pkg_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
		struct stat st;
		if (fd < 0 && (errno == EXDEV || errno == ELOOP)) {
			strbuf_addf(err, "%s: 'bin.%s' points outside the package through a link: '%s'",
				    label.buf, cmd, bins->items[i].value);
			rc = KNIT_EPARSE;
			break;
		}
		if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			strbuf_addf(err, "%s: 'bin.%s' names '%s', which the package does not have", label.buf,
				    cmd, bins->items[i].value);
			rc = KNIT_EPARSE;
			break;
		}
		strbuf_reset(&link);
		strbuf_addf(&link, "%s/.bin", deps_dir);
		if (mkdir(link.buf, 0755) && errno != EEXIST) {
			strbuf_addf(err, "cannot make '%s': %s", link.buf, strerror(errno));
			rc = KNIT_EIO;
			break;
		}
		strbuf_addf(&link, "/%s", cmd);
		strbuf_reset(&target);
		if ((rc = knit_pkgname_path("..", pkg->name, "/", &target, err)))
			break;
		strbuf_addstr(&target, path);
		if (symlink(target.buf, link.buf)) {
			if (errno == EEXIST)
				continue; /* an earlier package has this command */
			strbuf_addf(err, "cannot link '%s': %s", link.buf, strerror(errno));
			rc = KNIT_EIO;
			break;
		}
		/* as npm does: a command is executable, whatever mode the tarball gave */
		if ((st.st_mode & 0111) != 0111)
			fchmod(fd, (st.st_mode & 07777) | 0111);
	}
	strbuf_release(&label);
	strbuf_release(&target);
	strbuf_release(&link);
	if (fd >= 0)
		close(fd);
	if (pkg_fd >= 0)
		close(pkg_fd);
	return rc;
}

/* The packages sorted by name (a malloc'd copy) and the state text deps/ records for them. */
static struct knit_depsdir_link *sorted_state(const struct knit_depsdir_link *in, size_t n, struct strbuf *state)
{
	struct knit_depsdir_link *pkgs = knit_xmalloc((n ? n : 1) * sizeof(*pkgs));
	if (n)
		memcpy(pkgs, in, n * sizeof(*pkgs));
	qsort(pkgs, n, sizeof(*pkgs), by_name);
	state_text(pkgs, n, state);
	return pkgs;
}

/* Whether deps_dir/.knit-state holds exactly state: nothing to do costs one small read. */
static bool state_on_disk(const char *deps_dir, const struct strbuf *state)
{
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addf(&path, "%s/.knit-state", deps_dir);
	bool same = !knit_read_file(path.buf, &old, &err) && old.len == state->len &&
		    !memcmp(old.buf, state->buf, state->len);
	strbuf_release(&path);
	strbuf_release(&old);
	strbuf_release(&err);
	return same;
}

/* A folder or a link: what a package is in deps/ (the kind from readdir, else from lstat). */
static bool package_like(const char *dir, const struct dirent *e)
{
	if (e->d_type == DT_DIR || e->d_type == DT_LNK)
		return true;
	if (e->d_type != DT_UNKNOWN)
		return false;
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	strbuf_addf(&path, "%s/%s", dir, e->d_name);
	bool yes = !lstat(path.buf, &st) && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode));
	strbuf_release(&path);
	return yes;
}

/* The packages in dir: deps/ itself (scope NULL), or one @scope folder in it. */
static int each_in(const char *dir, const char *scope, void (*fn)(void *ctx, const char *name), void *ctx,
		   struct strbuf *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT && !scope)
			return 0;
		strbuf_addf(err, "cannot read the folder '%s': %s", dir, strerror(errno));
		return KNIT_EIO;
	}
	struct dirent *e;
	struct strbuf name = STRBUF_INIT;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !package_like(dir, e))
			continue;
		strbuf_reset(&name);
		if (!scope && e->d_name[0] == '@') { /* a scope: its packages one level down, no deeper */
			strbuf_addf(&name, "%s/%s", dir, e->d_name);
			rc = each_in(name.buf, e->d_name, fn, ctx, err);
			continue;
		}
		if (scope)
			strbuf_addf(&name, "%s/", scope);
		strbuf_addstr(&name, e->d_name);
		fn(ctx, name.buf);
	}
	strbuf_release(&name);
	closedir(d);
	return rc;
}

int knit_depsdir_each_package(const char *deps_dir, void (*fn)(void *ctx, const char *name), void *ctx,
			      struct strbuf *err)
{
	return each_in(deps_dir, NULL, fn, ctx, err);
}

static void count_one(void *ctx, const char *name)
{
	(void)name;
	++*(size_t *)ctx;
}

/*
 * .knit-state says deps/ holds pkgs, and deps/ still does: each package's
 * folder there and no other (a folder removed or added by hand makes deps/
 * again). One lstat a package and one readdir: the warm path stays cheap.
 */
static bool in_place(const char *deps_dir, const struct strbuf *state, const struct knit_depsdir_link *pkgs,
		     size_t n)
{
	if (!state_on_disk(deps_dir, state))
		return false;
	struct strbuf path = STRBUF_INIT, scratch = STRBUF_INIT;
	bool all = true;
	for (size_t i = 0; all && i < n; i++) {
		struct stat st;
		strbuf_reset(&path);
		all = !knit_pkgname_path(deps_dir, pkgs[i].name, NULL, &path, &scratch) && !lstat(path.buf, &st);
	}
	size_t held = 0;
	if (all)
		all = !knit_depsdir_each_package(deps_dir, count_one, &held, &scratch) && held == n;
	strbuf_release(&path);
	strbuf_release(&scratch);
	return all;
}

bool knit_depsdir_in_place(const char *project_dir, const struct knit_depsdir_link *in, size_t n)
{
	struct strbuf state = STRBUF_INIT, deps = STRBUF_INIT;
	struct knit_depsdir_link *pkgs = sorted_state(in, n, &state);
	strbuf_addf(&deps, "%s/deps", project_dir);
	bool same = in_place(deps.buf, &state, pkgs, n);
	free(pkgs);
	strbuf_release(&state);
	strbuf_release(&deps);
	return same;
}

int knit_depsdir_prepare(const char *project_dir, const struct knit_depsdir_link *in, size_t n,
		      knit_depsdir_before_swap_fn before_swap, void *ctx, struct strbuf *tmp_name,
		      struct strbuf *state_out, struct knit_depsdir_counts *counts, struct strbuf *err)
{
	struct knit_depsdir_counts ignored = { 0 };
	if (!counts)
		counts = &ignored;
	struct strbuf deps = STRBUF_INIT, state = STRBUF_INIT, tmp = STRBUF_INIT;
	struct strbuf scratch = STRBUF_INIT;
	struct knit_depsdir_link *pkgs = sorted_state(in, n, &state);
	int rc = 0;

	strbuf_addf(&deps, "%s/deps", project_dir);
	if (in_place(deps.buf, &state, pkgs, n))
		goto done;
	if (state_on_disk(deps.buf, &state)) {
		/* the state is right but deps/ was changed by hand: the state goes, so that the exchange
		 * makes deps/ again (it is derived: a run killed from here on just makes it again too) */
		strbuf_addf(&scratch, "%s/.knit-state", deps.buf);
		unlink(scratch.buf);
		strbuf_reset(&scratch);
	}

	/* the owner's PID in the name: a later run can tell a killed run's folder */
	strbuf_addf(&tmp, "%s/.deps-%ld-XXXXXX", project_dir, (long)getpid());
	if (!mkdtemp(tmp.buf)) {
		strbuf_addf(err, "cannot make a new deps folder in '%s': %s", project_dir, strerror(errno));
		rc = KNIT_EIO;
		strbuf_reset(&tmp);
		goto done;
	}
	chmod(tmp.buf, 0755);
	rc = link_all(tmp.buf, pkgs, n, counts, err);
	for (size_t i = 0; i < n && !rc; i++)
		rc = link_bins(tmp.buf, &pkgs[i], err);
	if (!rc && before_swap)
		rc = before_swap(ctx, tmp.buf, err);
	if (!rc) { /* last: a folder with its state is complete */
		bool dummy;
		strbuf_addf(&scratch, "%s/.knit-state", tmp.buf);
		rc = knit_write_file_atomic(scratch.buf, state.buf, state.len, &dummy, err);
	}
	if (rc) {
		knit_remove_tree(tmp.buf);
	} else {
		strbuf_addstr(tmp_name, tmp.buf + strlen(project_dir) + 1);
		strbuf_add(state_out, state.buf, state.len);
	}
done:
	free(pkgs);
	strbuf_release(&deps);
	strbuf_release(&state);
	strbuf_release(&tmp);
	strbuf_release(&scratch);
	return rc;
}

/*
 * The old deps/'s builds (knit build's deps/.build) moved into the new one:
 * each package's key says whether its build still holds, so an install
 * does not make every package build again. Best effort: a build lost here
 * is only built again.
 */
static void carry_builds(const char *old_deps, const char *new_deps)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	strbuf_addf(&from, "%s/.build", old_deps);
	strbuf_addf(&to, "%s/.build", new_deps);
	if (!access(from.buf, F_OK) && access(to.buf, F_OK) && rename(from.buf, to.buf)) {
		/* not moved: the next knit build builds again */
	}
	strbuf_release(&from);
	strbuf_release(&to);
}

int knit_depsdir_exchange(const char *project_dir, const char *tmp_name, const struct strbuf *state,
		       struct strbuf *err)
{
	struct strbuf deps = STRBUF_INIT, tmp = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(&deps, "%s/deps", project_dir);
	strbuf_addf(&tmp, "%s/%s", project_dir, tmp_name);
	if (state_on_disk(deps.buf, state)) {
		/* done before: what has the prepared name is the old deps/, if anything */
	} else if (!state_on_disk(tmp.buf, state)) {
		rc = KNIT_ENOTFOUND;
		strbuf_reset(&tmp);
	} else if (renameat2(AT_FDCWD, tmp.buf, AT_FDCWD, deps.buf, RENAME_EXCHANGE)) {
		/* one atomic step: the old deps/ or the new one, never neither */
		if (errno == ENOENT && !rename(tmp.buf, deps.buf)) {
			strbuf_reset(&tmp); /* nothing old to remove */
		} else {
			strbuf_addf(err, "cannot put the new deps in place: %s", strerror(errno));
			rc = KNIT_EIO;
			strbuf_reset(&tmp);
		}
	} else {
		carry_builds(tmp.buf, deps.buf);
	}
	strbuf_release(&deps);
	strbuf_release(&tmp);
	return rc;
}

int knit_depsdir_sync(const char *project_dir, const struct knit_depsdir_link *in, size_t n,
		   knit_depsdir_before_swap_fn before_swap, void *ctx, bool *changed,
		   struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT, state = STRBUF_INIT;
	*changed = false;
	int rc = knit_depsdir_prepare(project_dir, in, n, before_swap, ctx, &tmp, &state, NULL, err);
	if (!rc && tmp.len) {
		rc = knit_depsdir_exchange(project_dir, tmp.buf, &state, err);
		*changed = !rc;
		strbuf_reset(&state);
		strbuf_addf(&state, "%s/%s", project_dir, tmp.buf);
		knit_remove_tree(state.buf); /* the old deps/, or the new one that failed */
	}
	strbuf_release(&tmp);
	strbuf_release(&state);
	return rc;
}
