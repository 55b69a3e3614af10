#include "store.h"
#include "util/error.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void knit_store_path(const char *cache_dir, const struct knit_integrity *id, struct strbuf *out)
{
	static const char *const names[] = { "none", "sha1", "sha256", "sha384", "sha512" };
	/* on every install's path, once per package: no printf */
	strbuf_addstr(out, cache_dir);
	strbuf_addstr(out, "/store/v1/");
	strbuf_addstr(out, names[id->algo]);
	strbuf_addch(out, '-');
	knit_integrity_hex(id, out);
}

void knit_store_git_path(const char *cache_dir, const char *commit, struct strbuf *out)
{
	strbuf_addf(out, "%s/store/v1/git-%s", cache_dir, commit);
}

bool knit_store_has(const char *cache_dir, const struct knit_integrity *id)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	knit_store_path(cache_dir, id, &path);
	bool has = !stat(path.buf, &st) && S_ISDIR(st.st_mode);
	strbuf_release(&path);
	return has;
}

/*
 * The path inside the package for a tar entry: the first component
 * ("package/" in npm tarballs, whatever it is named) dropped, "." and empty
 * components dropped. false when it would leave the package.
 */
static bool inner_path(const char *entry, struct strbuf *out)
{
	const char *p = strchr(entry, '/');
	strbuf_reset(out);
	if (entry[0] == '/' || !p)
		return entry[0] != '/'; /* a top-level name alone is skipped, an absolute one refused */
	for (p++; *p;) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && !memcmp(p, "..", 2))
			return false;
		if (n && !(n == 1 && *p == '.')) {
			if (out->len)
				strbuf_addch(out, '/');
			strbuf_add(out, p, n);
		}
		p += n + (end ? 1 : 0);
	}
	return true;
}

/* A symlink target stays inside when resolving it lexically from its folder never climbs out. */
static bool link_stays_inside(const char *inner, const char *target)
{
	if (!target[0] || target[0] == '/')
		return false;
	int depth = 0;
	for (const char *p = inner; *p; p++)
		depth += *p == '/';
	for (const char *p = target; *p;) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && !memcmp(p, "..", 2)) {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n + (end ? 1 : 0);
	}
	return true;
}

/* Opens (making them) the folders of inner below root, never following a symlink. */
static int open_parent(int root, const char *inner, const char **leaf)
{
	int fd = dup(root);
	const char *p = inner;
	for (const char *slash; fd >= 0 && (slash = strchr(p, '/'));) {
		char *name = knit_xmemdupz(p, (size_t)(slash - p));
		if (mkdirat(fd, name, 0755) && errno != EEXIST) {
			close(fd);
			fd = -1;
		} else {
			int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(fd);
			fd = next;
		}
		free(name);
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

/*
 * The folder holding inner, kept open while entries stay in the same folder
 * (tarballs list a folder's files together). Safe to keep: an entry cannot
 * remove a folder (unlinkat without AT_REMOVEDIR), so the descriptor always
 * names a real folder inside the package.
 */
struct parent {
	struct strbuf path;
	int fd;
};

static int parent_of(struct parent *pc, int root, const char *inner, const char **leaf)
{
	const char *slash = strrchr(inner, '/');
	size_t n = slash ? (size_t)(slash - inner) : 0;
	*leaf = slash ? slash + 1 : inner;
	if (pc->fd >= 0 && pc->path.len == n && !memcmp(pc->path.buf, inner, n))
		return pc->fd;
	if (pc->fd >= 0)
		close(pc->fd);
	strbuf_reset(&pc->path);
	const char *ignored;
	pc->fd = open_parent(root, inner, &ignored);
	if (pc->fd >= 0)
		strbuf_add(&pc->path, inner, n);
	return pc->fd;
}

/* A new file at leaf in fd; one already there (a tar may hold a path twice) is replaced. */
static int create_file(int fd, const char *leaf, mode_t mode)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int out = openat(fd, leaf, flags, mode);
	if (out < 0 && errno == EEXIST && !unlinkat(fd, leaf, 0))
		out = openat(fd, leaf, flags, mode);
	return out;
}

static int write_entry(struct archive *a, struct archive_entry *e, struct parent *pc, int root,
		       const char *inner, struct strbuf *err, const char *pkg)
{
	const char *leaf;
	mode_t type = archive_entry_filetype(e);
	int fd = parent_of(pc, root, inner, &leaf), rc = 0;
	if (fd < 0) {
		strbuf_addf(err, "package '%s': cannot create the folders of '%s': %s", pkg, inner, strerror(errno));
		return KNIT_EIO;
	}
	if (type == AE_IFDIR) {
		if (mkdirat(fd, leaf, 0755) && errno != EEXIST)
			rc = -1;
	} else if (type == AE_IFLNK) {
		unlinkat(fd, leaf, 0);
		if (symlinkat(archive_entry_symlink(e), fd, leaf))
			rc = -1;
	} else {
		mode_t mode = archive_entry_perm(e) & 0111 ? 0755 : 0644;
		int out = create_file(fd, leaf, mode);
		if (out < 0) {
			rc = -1;
		} else {
			const void *buf;
			size_t size;
			la_int64_t offset, at = 0;
			int r;
			while ((r = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
				/* seek only over holes of a sparse entry */
				if ((offset != at && lseek(out, offset, SEEK_SET) < 0) ||
				    write(out, buf, size) != (ssize_t)size) {
					rc = -1;
					break;
				}
				at = offset + (la_int64_t)size;
			}
			if (!rc && at < archive_entry_size(e) && ftruncate(out, archive_entry_size(e)))
				rc = -1; /* a sparse file ending in a hole */
			if (r != ARCHIVE_EOF && !rc) {
				strbuf_addf(err, "package '%s': the tarball is damaged at '%s': %s", pkg, inner,
					    archive_error_string(a));
				close(out);
				return KNIT_EPARSE;
			}
			if (close(out))
				rc = -1;
		}
	}
	if (rc)
		strbuf_addf(err, "package '%s': cannot write '%s': %s", pkg, inner, strerror(errno));
	return rc ? KNIT_EIO : 0;
}

static int extract(const void *tgz, size_t len, const char *dir, const char *pkg, struct strbuf *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct strbuf inner = STRBUF_INIT, link = STRBUF_INIT;
	struct parent pc = { STRBUF_INIT, -1 };
	int rc = 0, r;
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	archive_read_support_filter_gzip(a);
	archive_read_support_filter_none(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (root < 0 || archive_read_open_memory(a, tgz, len) != ARCHIVE_OK) {
		strbuf_addf(err, "package '%s': the tarball is damaged: %s", pkg,
			    root < 0 ? strerror(errno) : archive_error_string(a));
		rc = KNIT_EPARSE;
	}
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		mode_t type = archive_entry_filetype(e);
		if (!name || !inner_path(name, &inner)) {
			strbuf_addf(err, "package '%s' is refused: its entry '%s' would land outside it", pkg,
				    name ? name : "");
			rc = KNIT_EPARSE;
			break;
		}
		if (!inner.len)
			continue; /* the top folder itself, or a top-level file npm ignores too */
		const char *hard = archive_entry_hardlink(e);
		if (hard) {
			if (!inner_path(hard, &link) || !link.len) {
				strbuf_addf(err, "package '%s' is refused: '%s' is a hard link to '%s', outside it",
					    pkg, name, hard);
				rc = KNIT_EPARSE;
				break;
			}
			const char *leaf;
			int fd = open_parent(root, inner.buf, &leaf);
			if (fd < 0 || linkat(root, link.buf, fd, leaf, 0)) {
				strbuf_addf(err, "package '%s': cannot link '%s' to '%s': %s", pkg, inner.buf,
					    link.buf, strerror(errno));
				rc = KNIT_EPARSE;
			}
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (type == AE_IFLNK && !link_stays_inside(inner.buf, archive_entry_symlink(e))) {
			strbuf_addf(err, "package '%s' is refused: '%s' is a link to '%s', outside it", pkg, name,
				    archive_entry_symlink(e));
			rc = KNIT_EPARSE;
			break;
		}
		if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
			strbuf_addf(err, "package '%s' is refused: '%s' is not a file, folder or link", pkg, name);
			rc = KNIT_EPARSE;
			break;
		}
		rc = write_entry(a, e, &pc, root, inner.buf, err, pkg);
	}
	if (!rc && r != ARCHIVE_EOF) {
		strbuf_addf(err, "package '%s': the tarball is damaged: %s", pkg, archive_error_string(a));
		rc = KNIT_EPARSE;
	}
	if (pc.fd >= 0)
		close(pc.fd);
	strbuf_release(&pc.path);
	if (root >= 0)
		close(root);
	archive_read_free(a);
	strbuf_release(&inner);
	strbuf_release(&link);
	return rc;
}

int knit_store_put(const char *cache_dir, const struct knit_integrity *id, const void *tgz,
		   size_t len, const char *pkg, struct strbuf *err)
{
	struct strbuf final = STRBUF_INIT, tmp = STRBUF_INIT;
	int rc = 0, owner = -1;

	knit_store_path(cache_dir, id, &final);
	strbuf_addf(&tmp, "%s/store/tmp", cache_dir);
	if (knit_make_dirs(tmp.buf) || knit_make_parents(final.buf)) {
		strbuf_addf(err, "cannot create the store under '%s': %s", cache_dir, strerror(errno));
		rc = KNIT_EIO;
		goto done;
	}
	/* the owner's PID in the name and a flock on the folder while it is
	 * filled: knit_store_clean_tmp can prove a killed run's folder dead */
	strbuf_addf(&tmp, "/pkg-%ld-XXXXXX", (long)getpid());
	if (!mkdtemp(tmp.buf)) {
		strbuf_addf(err, "cannot create '%s': %s", tmp.buf, strerror(errno));
		rc = KNIT_EIO;
		goto done;
	}
	owner = open(tmp.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (owner >= 0)
		flock(owner, LOCK_EX | LOCK_NB);
	chmod(tmp.buf, 0755);
	rc = extract(tgz, len, tmp.buf, pkg, err);
	if (!rc && rename(tmp.buf, final.buf)) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			strbuf_addf(err, "cannot move '%s' into the store: %s", pkg, strerror(errno));
			rc = KNIT_EIO;
		}
		/* else another knit put the same package there first */
	}
	knit_remove_tree(tmp.buf);
	if (owner >= 0)
		close(owner);
done:
	strbuf_release(&final);
	strbuf_release(&tmp);
	return rc;
}

/* Whether the extraction folder name (pkg-<pid>-XXXXXX) is a dead process's. */
static bool tmp_dead(const char *path, const char *name)
{
	char *stop;
	long pid = strtol(name + 4, &stop, 10);
	struct stat st;
	if (stop == name + 4 || *stop != '-') /* an older knit's pkg-XXXXXX */
		return !lstat(path, &st) && st.st_mtime < time(NULL) - 86400;
	/* our own PID may be an earlier process's (PIDs repeat in containers): the flock tells */
	if (pid <= 0 || (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
		return false;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* a live owner in another PID namespace still holds it */
	bool unheld = fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB);
	if (fd >= 0)
		close(fd);
	return unheld;
}

void knit_store_clean_tmp(const char *cache_dir)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	strbuf_addf(&dir, "%s/store/tmp", cache_dir);
	DIR *d = opendir(dir.buf);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "pkg-", 4))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, e->d_name);
		if (tmp_dead(path.buf, e->d_name))
			knit_remove_tree(path.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&path);
}
