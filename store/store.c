#include "store.h"
#include "util/beneath.h"
#include "store_index.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/gunzip.h"
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

/* "<cache>/store/v2/": every entry's folder is below it. */
static void add_entries_dir(const char *cache_dir, struct strbuf *out)
{
	strbuf_addstr(out, cache_dir);
	strbuf_addstr(out, "/store/v2/");
}

void knit_store_path(const char *cache_dir, const struct knit_integrity *id, struct strbuf *out)
{
	static const char *const names[] = { "none", "sha1", "sha256", "sha384", "sha512" };
	/* on every install's path, once per package: no printf */
	add_entries_dir(cache_dir, out);
	strbuf_addstr(out, names[id->algo]);
	strbuf_addch(out, '-');
	knit_integrity_hex(id, out);
	strbuf_addstr(out, "/package");
}

void knit_store_git_path(const char *cache_dir, const char *commit, struct strbuf *out)
{
	add_entries_dir(cache_dir, out);
	strbuf_addf(out, "git-%s/package", commit);
}

/* The entry folder of a package folder: pkg_dir without its last component. */
static void entry_of(const char *pkg_dir, struct strbuf *out)
{
	size_t n = strlen(pkg_dir);
	while (n && pkg_dir[n - 1] != '/')
		n--;
	strbuf_add(out, pkg_dir, n > 1 ? n - 1 : 0);
}

bool knit_store_entry_exists(const char *pkg_dir)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_add(&path, pkg_dir, strlen(pkg_dir) - strlen("package"));
	strbuf_addstr(&path, "index");
	bool has = !access(path.buf, F_OK);
	strbuf_release(&path);
	return has;
}

bool knit_store_has(const char *cache_dir, const struct knit_integrity *id)
{
	struct strbuf path = STRBUF_INIT;
	knit_store_path(cache_dir, id, &path);
	bool has = knit_store_entry_exists(path.buf);
	strbuf_release(&path);
	return has;
}

#define USE_PRECISION 3600 /* seconds: how stale an entry's last use may be before a check records it again */

/*
 * The entry's index, read whole (it is bounded) and parsed. 0,
 * KNIT_ENOTFOUND or KNIT_EPARSE. Its mtime is the entry's last use:
 * refreshed here when an hour old (the owner may, read-only as it is).
 */
static int read_index(const char *entry, struct knit_store_index *idx)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_addf(&path, "%s/index", entry);
	int fd = open(path.buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = KNIT_EPARSE;
	struct stat st;
	if (fd < 0 && errno == ENOENT)
		rc = KNIT_ENOTFOUND;
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size <= KNIT_STORE_INDEX_MAX) {
		if (st.st_mtime + USE_PRECISION <= time(NULL))
			(void)futimens(fd, NULL); /* best effort: a cache shared between users may refuse */
		strbuf_grow(&text, (size_t)st.st_size + 1);
		ssize_t n;
		while (text.len <= KNIT_STORE_INDEX_MAX &&
		       (n = read(fd, text.buf + text.len, text.alloc - text.len - 1)) > 0) {
			strbuf_setlen(&text, text.len + (size_t)n);
			if (text.alloc - text.len <= 1)
				strbuf_grow(&text, 65536);
		}
		rc = knit_store_index_parse(idx, text.buf, text.len);
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

int knit_store_check_keep(const char *pkg_dir, bool full, struct knit_store_index *out, struct strbuf *why)
{
	struct strbuf entry = STRBUF_INIT;
	struct knit_store_index idx;
	struct stat st;
	entry_of(pkg_dir, &entry);
	int rc = 0;
	if (lstat(entry.buf, &st)) {
		rc = KNIT_ENOTFOUND;
	} else if ((rc = read_index(entry.buf, &idx))) {
		strbuf_addf(why, "its index: %s", rc == KNIT_ENOTFOUND ? "missing" : "malformed");
		rc = KNIT_EPARSE;
	} else {
		rc = knit_store_index_check(pkg_dir, &idx, full, why);
		if (!rc && out)
			*out = idx;
		else
			knit_store_index_release(&idx);
	}
	strbuf_release(&entry);
	return rc;
}

int knit_store_check(const char *pkg_dir, bool full, struct strbuf *why)
{
	return knit_store_check_keep(pkg_dir, full, NULL, why);
}

/*
 * store/tmp/pkg-<pid>-XXXXXX, made, with a flock held on *owner while it
 * is in use: the owner's PID and the flock let knit_store_clean_tmp prove
 * a killed run's folder dead. 0 or -1 with errno.
 */
static int make_tmp(const char *cache_dir, struct strbuf *tmp, int *owner)
{
	*owner = -1;
	strbuf_addf(tmp, "%s/store/tmp", cache_dir);
	if (knit_make_dirs(tmp->buf))
		return -1;
	strbuf_addf(tmp, "/pkg-%ld-XXXXXX", (long)getpid());
	if (!mkdtemp(tmp->buf))
		return -1;
	*owner = open(tmp->buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*owner >= 0)
		flock(*owner, LOCK_EX | LOCK_NB);
	return 0;
}

void knit_store_abort(const char *tmp, int owner)
{
	knit_remove_tree(tmp);
	if (owner >= 0)
		close(owner);
}

int knit_store_evict(const char *cache_dir, const char *pkg_dir, struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, tmp = STRBUF_INIT;
	int rc = 0, owner;
	entry_of(pkg_dir, &entry);
	if (!(rc = knit_store_begin(cache_dir, &tmp, &owner, err))) {
		size_t len = tmp.len;
		strbuf_addstr(&tmp, "/entry");
		if (rename(entry.buf, tmp.buf) && errno != ENOENT) { /* ENOENT: another knit moved it */
			strbuf_addf(err, "cannot move the damaged store entry '%s' away: %s", entry.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		strbuf_setlen(&tmp, len);
		if (knit_remove_tree(tmp.buf) && !rc) {
			strbuf_addf(err, "cannot remove '%s': %s", tmp.buf, strerror(errno));
			rc = KNIT_EIO;
		}
	}
	if (owner >= 0)
		close(owner);
	strbuf_release(&entry);
	strbuf_release(&tmp);
	return rc;
}

int knit_store_begin(const char *cache_dir, struct strbuf *tmp, int *owner, struct strbuf *err)
{
	if (make_tmp(cache_dir, tmp, owner)) {
		strbuf_addf(err, "cannot make a folder in '%s/store/tmp': %s", cache_dir, strerror(errno));
		return KNIT_EIO;
	}
	chmod(tmp->buf, 0755);
	return 0;
}

/*
 * fsync(2) of a folder (the names made in it survive a power cut), or with
 * whole syncfs(2) of the filesystem holding it: every file and folder of
 * a new entry on disk with one flush. An fsync of each of them costs a
 * journal commit apiece: a cold ci of 140 packages (2479 files) took
 * 5.7 s with them, against 2.2 to 3.3 s with one syncfs per entry and 2.8
 * to 3.2 s with no syncing at all, on the same machine.
 */
static int sync_path(const char *path, bool whole)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || (whole ? syncfs(fd) : fsync(fd)) ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Writes text to the new file path (mode 0444). 0 or -1 with errno. */
static int write_new(const char *path, const struct strbuf *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	size_t at = 0;
	while (at < text->len) {
		ssize_t n = write(fd, text->buf + at, text->len - at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		at += (size_t)n;
	}
	return close(fd);
}

static int publish(const char *tmp, int owner, const char *pkg_dir, const char *pkg,
		   struct knit_store_written_set *written, struct knit_store_index *keep, struct strbuf *err)
{
	struct strbuf files = STRBUF_INIT, text = STRBUF_INIT, entry = STRBUF_INIT;
	struct knit_store_index idx;
	strbuf_addf(&files, "%s/package", tmp);
	entry_of(pkg_dir, &entry);
	bool kept = false;
	int rc = knit_store_index_seal_written(files.buf, pkg, written, &idx, err);
	if (!rc) {
		knit_store_index_format(&idx, &text);
		if (keep) {
			*keep = idx; /* moved; released below if the entry does not make it */
			kept = true;
		} else
			knit_store_index_release(&idx);
		if (text.len > KNIT_STORE_INDEX_MAX) {
			strbuf_addf(err, "package '%s' has too many files for the store", pkg);
			rc = KNIT_EPARSE;
		}
	}
	strbuf_setlen(&files, strlen(tmp));
	strbuf_addstr(&files, "/index");
	if (!rc && (write_new(files.buf, &text) || sync_path(tmp, true) || knit_make_parents(entry.buf))) {
		strbuf_addf(err, "cannot write '%s' into the store: %s", pkg, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc && rename(tmp, entry.buf)) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			strbuf_addf(err, "cannot move '%s' into the store: %s", pkg, strerror(errno));
			rc = KNIT_EIO;
		}
		/* else another knit put the same package there first */
	} else if (!rc) {
		strbuf_setlen(&entry, entry.len - strlen(strrchr(entry.buf, '/')));
		if (sync_path(entry.buf, false)) {
			strbuf_addf(err, "cannot sync '%s': %s", entry.buf, strerror(errno));
			rc = KNIT_EIO; /* the entry is there, but might not be after a power cut */
		}
	}
	knit_store_abort(tmp, owner);
	if (rc && kept)
		knit_store_index_release(keep);
	strbuf_release(&files);
	strbuf_release(&text);
	strbuf_release(&entry);
	return rc;
}

int knit_store_publish(const char *tmp, int owner, const char *pkg_dir, const char *pkg, struct strbuf *err)
{
	return publish(tmp, owner, pkg_dir, pkg, NULL, NULL, err);
}

int knit_store_verify(const char *cache_dir, knit_store_damaged_fn damaged, void *ctx, size_t *checked,
		      size_t *bad, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, pkg = STRBUF_INIT, why = STRBUF_INIT;
	int rc = 0;
	*checked = *bad = 0;
	add_entries_dir(cache_dir, &dir);
	DIR *d = opendir(dir.buf);
	if (!d) {
		if (errno != ENOENT) {
			strbuf_addf(err, "cannot read the store '%s': %s", dir.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		strbuf_release(&dir);
		return rc;
	}
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		strbuf_reset(&pkg);
		strbuf_addf(&pkg, "%s%s/package", dir.buf, e->d_name);
		strbuf_reset(&why);
		int r = knit_store_check(pkg.buf, true, &why);
		(*checked)++;
		if (r != KNIT_EPARSE)
			continue;
		(*bad)++;
		rc = damaged(ctx, pkg.buf, why.buf, err);
	}
	closedir(d);
	strbuf_release(&dir);
	strbuf_release(&pkg);
	strbuf_release(&why);
	return rc;
}

int knit_store_list(const char *cache_dir, knit_store_entry_fn fn, void *ctx, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	int rc = 0;
	add_entries_dir(cache_dir, &dir);
	DIR *d = opendir(dir.buf);
	if (!d) {
		if (errno != ENOENT) {
			strbuf_addf(err, "cannot read the store '%s': %s", dir.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		strbuf_release(&dir);
		return rc;
	}
	for (struct dirent *e; !rc && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		struct stat st;
		struct knit_tree_usage use;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s/index", dir.buf, e->d_name);
		long long used = stat(path.buf, &st) ? 0 : (long long)st.st_mtime;
		strbuf_setlen(&path, path.len - strlen("index"));
		strbuf_addstr(&path, "package");
		if (knit_tree_usage(path.buf, &use))
			memset(&use, 0, sizeof(use)); /* half gone (another knit evicting it): empty, unused */
		struct knit_store_entry_info info = { path.buf, e->d_name, use.bytes, used, use.linked_outside };
		rc = fn(ctx, &info, err);
	}
	closedir(d);
	strbuf_release(&dir);
	strbuf_release(&path);
	return rc;
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

/* One extraction: the tarball being read, the package folder, what it has used of the limits. */
struct unpack {
	struct archive *a;
	int root;
	const char *pkg;
	struct strbuf *err;
	struct parent pc;
	unsigned long long bytes, max_bytes; /* file sizes as written, and max-unpacked-size */
	struct strbuf links;                 /* "inner\0name\0target\0" for each symbolic link, checked last */
	struct knit_store_written_set written; /* the files written whole, with their digests, for the seal */
};

static int too_big(struct unpack *u, const char *inner)
{
	strbuf_addf(u->err, "package '%s' is refused: it unpacks to more than %llu bytes (max-unpacked-size), at '%s'",
		    u->pkg, u->max_bytes, inner);
	return KNIT_EPARSE;
}

/*
 * A regular file's data, counted against max-unpacked-size as it is
 * written: the header's size is not trusted (a sparse entry may claim
 * terabytes, a gzip bomb says the truth too late), only the bytes that
 * would end up in the file.
 */
static int write_data(struct unpack *u, struct archive_entry *e, int out, const char *inner)
{
	const void *buf;
	size_t size;
	la_int64_t offset, at = 0, claimed = archive_entry_size(e);
	unsigned long long room = u->max_bytes - u->bytes;
	int r, rc = 0;
	struct knit_integrity d;
	bool in_order = true; /* every block where the last ended: the digest is the file's */
	if (claimed > 0 && (unsigned long long)claimed > room)
		return too_big(u, inner); /* refused before a byte is written */
	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA256);
	while ((r = archive_read_data_block(u->a, &buf, &size, &offset)) == ARCHIVE_OK) {
		if (offset < 0 || (unsigned long long)offset + size > room) {
			rc = too_big(u, inner);
			break;
		}
		in_order &= offset == at;
		/* seek only over holes of a sparse entry */
		if ((offset != at && lseek(out, offset, SEEK_SET) < 0) || write(out, buf, size) != (ssize_t)size)
			goto io;
		if (in_order)
			knit_hasher_update(h, buf, size);
		if (offset + (la_int64_t)size > at)
			at = offset + (la_int64_t)size;
	}
	if (!rc && r != ARCHIVE_EOF) {
		strbuf_addf(u->err, "package '%s': the tarball is damaged at '%s': %s", u->pkg, inner,
			    archive_error_string(u->a));
		rc = KNIT_EPARSE;
	}
	if (!rc && at < claimed) { /* a sparse file ending in a hole */
		in_order = false;
		if (ftruncate(out, claimed))
			goto io;
	}
	knit_hasher_finish(h, &d);
	if (rc)
		return rc;
	u->bytes += (unsigned long long)(at > claimed ? at : claimed);
	/* a sparse file is left for the seal to read: its digest covers the holes */
	if (in_order)
		knit_store_written_add(&u->written, inner, (unsigned long long)at, d.digest);
	return 0;
io:
	strbuf_addf(u->err, "package '%s': cannot write '%s': %s", u->pkg, inner, strerror(errno));
	knit_hasher_finish(h, &d); /* frees it */
	return KNIT_EIO;
}

static int write_entry(struct unpack *u, struct archive_entry *e, const char *name, const char *inner)
{
	const char *leaf;
	mode_t type = archive_entry_filetype(e);
	int fd = parent_of(&u->pc, u->root, inner, &leaf), rc = 0;
	if (fd < 0) {
		strbuf_addf(u->err, "package '%s': cannot create the folders of '%s': %s", u->pkg, inner,
			    strerror(errno));
		return KNIT_EIO;
	}
	if (type == AE_IFDIR) {
		if (mkdirat(fd, leaf, 0755) && errno != EEXIST)
			rc = -1;
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);
		unlinkat(fd, leaf, 0);
		if (symlinkat(target, fd, leaf))
			rc = -1;
		strbuf_add(&u->links, inner, strlen(inner) + 1);
		strbuf_add(&u->links, name, strlen(name) + 1);
		strbuf_add(&u->links, target, strlen(target) + 1);
	} else {
		/* read-only from the start, as the seal leaves it */
		mode_t mode = archive_entry_perm(e) & 0111 ? 0555 : 0444;
		int out = create_file(fd, leaf, mode);
		if (out < 0) {
			rc = -1;
		} else {
			int wrc = write_data(u, e, out, inner);
			if (wrc) {
				close(out);
				return wrc;
			}
			rc = close(out);
		}
	}
	if (rc)
		strbuf_addf(u->err, "package '%s': cannot write '%s': %s", u->pkg, inner, strerror(errno));
	return rc ? KNIT_EIO : 0;
}

/*
 * A hard link to a file already extracted: its folders resolved beneath
 * the root without following any link, so that no link in the package
 * (written earlier, checked only at the end) can bring a file from outside.
 */
static int write_hard_link(struct unpack *u, const char *name, const char *inner, const char *to,
			   const char *hard)
{
	const char *slash = strrchr(to, '/'), *leaf = slash ? slash + 1 : to, *dst_leaf;
	struct strbuf dir = STRBUF_INIT;
	struct stat st;
	int rc = 0;
	strbuf_add(&dir, to, slash ? (size_t)(slash - to) : 0);
	int from = knit_beneath_open(u->root, dir.buf, O_PATH | O_DIRECTORY, KNIT_BENEATH_NO_SYMLINKS);
	strbuf_release(&dir);
	if (from < 0 || fstatat(from, leaf, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode)) {
		strbuf_addf(u->err, "package '%s' is refused: '%s' is a hard link to '%s', which is not one of its files",
			    u->pkg, name, hard);
		rc = KNIT_EPARSE;
	} else if ((unsigned long long)st.st_size > u->max_bytes - u->bytes) {
		rc = too_big(u, inner); /* a package installed by copying gets one copy per link */
	} else {
		u->bytes += (unsigned long long)st.st_size;
		int fd = open_parent(u->root, inner, &dst_leaf);
		if (fd < 0 || linkat(from, leaf, fd, dst_leaf, 0)) {
			strbuf_addf(u->err, "package '%s': cannot link '%s' to '%s': %s", u->pkg, inner, to,
				    strerror(errno));
			rc = KNIT_EPARSE;
		}
		if (fd >= 0)
			close(fd);
	}
	if (from >= 0)
		close(from);
	return rc;
}

/*
 * Every symbolic link, once all entries are written: resolved beneath the
 * package as extracted, following its other links, so that a chain whose
 * every step looks harmless on its own but ends outside is refused. A link
 * to a file the package lacks is allowed while it would stay inside.
 */
static int check_links(struct unpack *u)
{
	for (size_t at = 0; at < u->links.len;) {
		const char *inner = u->links.buf + at, *name = inner + strlen(inner) + 1;
		const char *target = name + strlen(name) + 1;
		at = (size_t)(target - u->links.buf) + strlen(target) + 1;
		int fd = knit_beneath_open(u->root, inner, O_PATH, 0);
		if (fd >= 0) {
			close(fd);
		} else if (errno == ELOOP) {
			strbuf_addf(u->err, "package '%s' is refused: '%s' is a link to '%s', which loops or chains more than %d links",
				    u->pkg, name, target, KNIT_BENEATH_MAX_HOPS);
			return KNIT_EPARSE;
		} else if (errno != ENOENT && errno != ENOTDIR) {
			strbuf_addf(u->err, "package '%s' is refused: '%s' is a link to '%s', outside it",
				    u->pkg, name, target);
			return KNIT_EPARSE;
		}
	}
	return 0;
}

/* The limits on each entry's name, refused with a message naming the entry. */
static int check_name(struct unpack *u, const char *name, const struct strbuf *inner)
{
	size_t depth = 1;
	for (size_t i = 0; i < inner->len; i++)
		depth += inner->buf[i] == '/';
	if (depth > KNIT_STORE_MAX_DEPTH) {
		strbuf_addf(u->err, "package '%s' is refused: its entry '%.80s...' is %zu folders deep, more than %d",
			    u->pkg, name, depth, KNIT_STORE_MAX_DEPTH);
		return KNIT_EPARSE;
	}
	if (inner->len > KNIT_STORE_MAX_PATH) {
		strbuf_addf(u->err, "package '%s' is refused: its entry '%.80s...' is %zu bytes long, more than %d",
			    u->pkg, name, inner->len, KNIT_STORE_MAX_PATH);
		return KNIT_EPARSE;
	}
	return 0;
}

/*
 * A tarball in memory whose gzip trailer claims at most this much is inflated
 * in one call (util/gunzip.h) and read as a plain tar; a larger one, or one
 * on disk, streams through libarchive's gzip filter. Either way the
 * entries' sizes are counted against max-unpacked-size as they are written.
 */
#define WHOLE_INFLATE_MAX (64u << 20)

/* From tgz (len bytes), or from tgz_fd when it is not -1; *written gets the files written whole. */
static int extract(const void *tgz, size_t len, int tgz_fd, const char *dir, const char *pkg,
		   unsigned long long max_bytes, struct knit_store_written_set *written, struct strbuf *err)
{
	size_t tar_len = 0;
	void *tar = tgz_fd >= 0 ? NULL : knit_gunzip_whole(tgz, len, WHOLE_INFLATE_MAX, &tar_len);
	if (tar) {
		tgz = tar;
		len = tar_len;
	}
	struct archive_entry *e;
	struct strbuf inner = STRBUF_INIT, link = STRBUF_INIT;
	struct unpack u = { archive_read_new(), open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), pkg, err,
			    { STRBUF_INIT, -1 }, 0, max_bytes, STRBUF_INIT, { 0 } };
	size_t entries = 0;
	int rc = 0, r = ARCHIVE_EOF;

	archive_read_support_filter_gzip(u.a);
	archive_read_support_filter_none(u.a);
	archive_read_support_format_tar(u.a);
	archive_read_support_format_gnutar(u.a);
	if (u.root < 0 || (tgz_fd >= 0 ? archive_read_open_fd(u.a, tgz_fd, 64 << 10)
				   : archive_read_open_memory(u.a, tgz, len)) != ARCHIVE_OK) {
		strbuf_addf(err, "package '%s': the tarball is damaged: %s", pkg,
			    u.root < 0 ? strerror(errno) : archive_error_string(u.a));
		rc = KNIT_EPARSE;
	}
	while (!rc && (r = archive_read_next_header(u.a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		mode_t type = archive_entry_filetype(e);
		if (++entries > KNIT_STORE_MAX_ENTRIES) {
			strbuf_addf(err, "package '%s' is refused: it has more than %d entries", pkg,
				    KNIT_STORE_MAX_ENTRIES);
			rc = KNIT_EPARSE;
			break;
		}
		if (!name || !inner_path(name, &inner)) {
			strbuf_addf(err, "package '%s' is refused: its entry '%s' would land outside it", pkg,
				    name ? name : "");
			rc = KNIT_EPARSE;
			break;
		}
		if (!inner.len)
			continue; /* the top folder itself, or a top-level file npm ignores too */
		if ((rc = check_name(&u, name, &inner)))
			break;
		const char *hard = archive_entry_hardlink(e);
		if (hard) {
			if (!inner_path(hard, &link) || !link.len) {
				strbuf_addf(err, "package '%s' is refused: '%s' is a hard link to '%s', outside it",
					    pkg, name, hard);
				rc = KNIT_EPARSE;
				break;
			}
			rc = write_hard_link(&u, name, inner.buf, link.buf, hard);
			continue;
		}
		if (type == AE_IFLNK) {
			const char *target = archive_entry_symlink(e);
			if (!target || !target[0] || target[0] == '/') {
				strbuf_addf(err, "package '%s' is refused: '%s' is a link to '%s', outside it", pkg,
					    name, target ? target : "");
				rc = KNIT_EPARSE;
				break;
			}
		}
		if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
			strbuf_addf(err, "package '%s' is refused: '%s' is not a file, folder or link", pkg, name);
			rc = KNIT_EPARSE;
			break;
		}
		rc = write_entry(&u, e, name, inner.buf);
	}
	if (!rc && r != ARCHIVE_EOF) {
		strbuf_addf(err, "package '%s': the tarball is damaged: %s", pkg, archive_error_string(u.a));
		rc = KNIT_EPARSE;
	}
	if (!rc)
		rc = check_links(&u);
	if (u.pc.fd >= 0)
		close(u.pc.fd);
	strbuf_release(&u.pc.path);
	if (u.root >= 0)
		close(u.root);
	archive_read_free(u.a);
	free(tar);
	*written = u.written;
	strbuf_release(&u.links);
	strbuf_release(&inner);
	strbuf_release(&link);
	return rc;
}

static int put(const char *cache_dir, const struct knit_integrity *id, const void *tgz, size_t len,
	       int fd, const char *pkg, unsigned long long max_unpacked, struct knit_store_index *keep,
	       struct strbuf *err)
{
	struct strbuf final = STRBUF_INIT, tmp = STRBUF_INIT, files = STRBUF_INIT;
	struct knit_store_written_set written = { 0 };
	int owner;
	knit_store_path(cache_dir, id, &final);
	int rc = knit_store_begin(cache_dir, &tmp, &owner, err);
	if (!rc) {
		strbuf_addf(&files, "%s/package", tmp.buf);
		if (mkdir(files.buf, 0755)) {
			strbuf_addf(err, "cannot create '%s': %s", files.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		if (!rc)
			rc = extract(tgz, len, fd, files.buf, pkg, max_unpacked ? max_unpacked : KNIT_STORE_DEFAULT_MAX_UNPACKED,
				     &written, err);
		if (!rc)
			rc = publish(tmp.buf, owner, final.buf, pkg, &written, keep, err);
		else
			knit_store_abort(tmp.buf, owner);
		knit_store_written_release(&written);
	}
	strbuf_release(&final);
	strbuf_release(&tmp);
	strbuf_release(&files);
	return rc;
}

/* Whether the extraction folder name (pkg-<pid>-XXXXXX) is a dead process's. */
static bool tmp_dead(const char *path, const char *name)
{
	long pid;
	struct stat st;
	knit_temp_pid(name, "pkg-", &pid);
	if (!pid) /* an older knit's pkg-XXXXXX */
		return !lstat(path, &st) && st.st_mtime < time(NULL) - 86400;
	/* our own PID may be an earlier process's (PIDs repeat in containers): the flock tells */
	if (pid != (long)getpid() && knit_pid_alive(pid))
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

int knit_store_put(const char *cache_dir, const struct knit_integrity *id, const void *tgz,
		   size_t len, const char *pkg, unsigned long long max_unpacked, struct strbuf *err)
{
	return put(cache_dir, id, tgz, len, -1, pkg, max_unpacked, NULL, err);
}

int knit_store_put_fd(const char *cache_dir, const struct knit_integrity *id, int fd, const char *pkg,
		      unsigned long long max_unpacked, struct strbuf *err)
{
	return put(cache_dir, id, NULL, 0, fd, pkg, max_unpacked, NULL, err);
}

int knit_store_put_keep(const char *cache_dir, const struct knit_integrity *id, const void *tgz, size_t len,
			int fd, const char *pkg, unsigned long long max_unpacked, struct knit_store_index *index,
			struct strbuf *err)
{
	return put(cache_dir, id, tgz, len, fd, pkg, max_unpacked, index, err);
}
