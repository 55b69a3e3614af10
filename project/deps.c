#include "deps.h"
#include "manifest.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct knit_dep_link *)a)->name, ((const struct knit_dep_link *)b)->name);
}

static void state_text(const struct knit_dep_link *pkgs, size_t n, struct strbuf *out)
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

/* Recreates the tree at from under to: folders made, files hard-linked (or copied), links kept. */
/* copy: real copies, not hard links (for packages whose scripts may change their files) */
static int link_tree(const char *from, const char *to, bool copy, struct strbuf *err)
{
	DIR *d = opendir(from);
	struct dirent *e;
	int rc = 0;
	if (!d || (mkdir(to, 0755) && errno != EEXIST)) {
		strbuf_addf(err, "cannot read '%s' or make '%s': %s", from, to, strerror(errno));
		if (d)
			closedir(d);
		return KNIT_EIO;
	}
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
		struct stat st;
		strbuf_addf(&src, "%s/%s", from, e->d_name);
		strbuf_addf(&dst, "%s/%s", to, e->d_name);
		/* readdir's type saves a stat per file; lstat only when the filesystem does not say */
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			if (lstat(src.buf, &st))
				rc = KNIT_EIO;
			else
				type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
		}
		if (rc) {
			/* reported below */
		} else if (type == DT_DIR) {
			rc = link_tree(src.buf, dst.buf, copy, err);
		} else if (type == DT_LNK) {
			char target[4096];
			ssize_t n = readlink(src.buf, target, sizeof(target) - 1);
			if (n < 0 || (target[n] = '\0', symlink(target, dst.buf)))
				rc = KNIT_EIO;
		} else if ((copy || link(src.buf, dst.buf)) &&
			   (lstat(src.buf, &st) || copy_file(src.buf, dst.buf, st.st_mode & 0777))) {
			rc = KNIT_EIO;
		}
		if (rc == KNIT_EIO && !err->len)
			strbuf_addf(err, "cannot place '%s' in deps: %s", dst.buf, strerror(errno));
		strbuf_release(&src);
		strbuf_release(&dst);
	}
	closedir(d);
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

/* deps/.bin/<command> -> ../<package>/<path>, for each "bin" of the package;
 * the first package (by name) to claim a command keeps it. */
static int link_bins(const char *deps_dir, const struct knit_dep_link *pkg, struct strbuf *err)
{
	static const struct knit_deps none;
	const struct knit_deps *bins = pkg->bins ? pkg->bins : &none;
	struct strbuf label = STRBUF_INIT, target = STRBUF_INIT, link = STRBUF_INIT, file = STRBUF_INIT;
	strbuf_addf(&label, "package '%s@%s'", pkg->name, pkg->version);
	int rc = 0;
	for (size_t i = 0; !rc && i < bins->n; i++) {
		const char *cmd = bins->items[i].name, *path = bins->items[i].range;
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		strbuf_reset(&file);
		strbuf_addf(&file, "%s/%s/%s", deps_dir, pkg->name, path);
		struct stat st;
		if (!path_inside(path)) {
			strbuf_addf(err, "%s: 'bin.%s' points outside the package: '%s'", label.buf, cmd,
				    bins->items[i].range);
			rc = KNIT_EPARSE;
			break;
		}
		if (stat(file.buf, &st) || !S_ISREG(st.st_mode)) {
			strbuf_addf(err, "%s: 'bin.%s' names '%s', which the package does not have", label.buf,
				    cmd, bins->items[i].range);
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
		strbuf_addf(&target, "../%s/%s", pkg->name, path);
		if (symlink(target.buf, link.buf)) {
			if (errno == EEXIST)
				continue; /* an earlier package has this command */
			strbuf_addf(err, "cannot link '%s': %s", link.buf, strerror(errno));
			rc = KNIT_EIO;
			break;
		}
		/* as npm does: a command is executable, whatever mode the tarball gave */
		if ((st.st_mode & 0111) != 0111)
			chmod(file.buf, (st.st_mode & 07777) | 0111);
	}
	strbuf_release(&label);
	strbuf_release(&target);
	strbuf_release(&link);
	strbuf_release(&file);
	return rc;
}

/* The packages sorted by name (a malloc'd copy) and the state text deps/ records for them. */
static struct knit_dep_link *sorted_state(const struct knit_dep_link *in, size_t n, struct strbuf *state)
{
	struct knit_dep_link *pkgs = knit_xmalloc((n ? n : 1) * sizeof(*pkgs));
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

bool knit_deps_in_place(const char *project_dir, const struct knit_dep_link *in, size_t n)
{
	struct strbuf state = STRBUF_INIT, deps = STRBUF_INIT;
	free(sorted_state(in, n, &state));
	strbuf_addf(&deps, "%s/deps", project_dir);
	bool same = state_on_disk(deps.buf, &state);
	strbuf_release(&state);
	strbuf_release(&deps);
	return same;
}

int knit_deps_sync(const char *project_dir, const struct knit_dep_link *in, size_t n,
		   knit_deps_before_swap_fn before_swap, void *ctx, bool *changed,
		   struct strbuf *err)
{
	struct strbuf deps = STRBUF_INIT, state = STRBUF_INIT, tmp = STRBUF_INIT;
	struct strbuf scratch = STRBUF_INIT;
	struct knit_dep_link *pkgs = sorted_state(in, n, &state);
	int rc = 0;

	*changed = false;
	strbuf_addf(&deps, "%s/deps", project_dir);
	if (state_on_disk(deps.buf, &state))
		goto done;

	strbuf_addf(&tmp, "%s/.deps-XXXXXX", project_dir);
	if (!mkdtemp(tmp.buf)) {
		strbuf_addf(err, "cannot make a new deps folder in '%s': %s", project_dir, strerror(errno));
		rc = KNIT_EIO;
		goto done;
	}
	chmod(tmp.buf, 0755);
	for (size_t i = 0; i < n && !rc; i++) {
		struct strbuf dst = STRBUF_INIT;
		strbuf_addf(&dst, "%s/%s", tmp.buf, pkgs[i].name);
		/* only a scoped name needs a folder above it: deps/@scope/ */
		struct strbuf scope = STRBUF_INIT;
		const char *slash = strchr(pkgs[i].name, '/');
		if (slash)
			strbuf_addf(&scope, "%s/%.*s", tmp.buf, (int)(slash - pkgs[i].name), pkgs[i].name);
		int made = !slash || !mkdir(scope.buf, 0755) || errno == EEXIST ? 0 : -1;
		strbuf_release(&scope);
		if (made) {
			strbuf_addf(err, "cannot make '%s': %s", dst.buf, strerror(errno));
			rc = KNIT_EIO;
		} else if (pkgs[i].symlink_to) {
			if (symlink(pkgs[i].symlink_to, dst.buf)) {
				strbuf_addf(err, "cannot link '%s' to '%s': %s", dst.buf, pkgs[i].symlink_to,
					    strerror(errno));
				rc = KNIT_EIO;
			}
		} else {
			rc = link_tree(pkgs[i].store_dir, dst.buf, pkgs[i].trusted, err);
		}
		strbuf_release(&dst);
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = link_bins(tmp.buf, &pkgs[i], err);
	if (!rc && before_swap)
		rc = before_swap(ctx, tmp.buf, err);
	if (!rc) {
		bool dummy;
		strbuf_reset(&scratch);
		strbuf_addf(&scratch, "%s/.knit-state", tmp.buf);
		rc = knit_write_file_atomic(scratch.buf, state.buf, state.len, &dummy, err);
	}
	if (!rc) {
		/* one atomic step: the old deps/ or the new one, never neither */
		if (renameat2(AT_FDCWD, tmp.buf, AT_FDCWD, deps.buf, RENAME_EXCHANGE)) {
			if (errno == ENOENT && !rename(tmp.buf, deps.buf)) {
				strbuf_reset(&tmp); /* nothing old to remove */
			} else {
				strbuf_addf(err, "cannot put the new deps in place: %s", strerror(errno));
				rc = KNIT_EIO;
			}
		}
		*changed = !rc;
	}
	if (tmp.len)
		knit_remove_tree(tmp.buf); /* the old deps after the exchange, or the failed new one */
done:
	free(pkgs);
	strbuf_release(&deps);
	strbuf_release(&state);
	strbuf_release(&tmp);
	strbuf_release(&scratch);
	return rc;
}
