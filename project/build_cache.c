#include "build_cache.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/integrity.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEXT_FILE_MAX (64u << 20) /* larger files are not rewritten, nor read whole to be hashed */
#define ENTRIES_MAX 200000

int knit_build_cache_open(struct knit_build_cache *bc, const char *cache_dir, struct strbuf *err)
{
	strbuf_init(&bc->root, 0);
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/builds/v1/tmp", cache_dir);
	if (knit_make_dirs(path.buf)) {
		strbuf_addf(err, "cannot make the build cache '%s': %s", path.buf, strerror(errno));
		strbuf_release(&path);
		return KNIT_EIO;
	}
	strbuf_setlen(&path, path.len - strlen("/tmp"));
	char *real = realpath(path.buf, NULL);
	strbuf_addstr(&bc->root, real ? real : path.buf);
	free(real);
	strbuf_release(&path);
	return 0;
}

void knit_build_cache_close(struct knit_build_cache *bc)
{
	strbuf_release(&bc->root);
}

void knit_build_cache_entry(const struct knit_build_cache *bc, const char *key_id, struct strbuf *out)
{
	strbuf_addf(out, "%s/%s", bc->root.buf, key_id);
}

int knit_build_cache_lock(const struct knit_build_cache *bc, const char *key_id, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s.lock", bc->root.buf, key_id);
	int fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int rc = fd < 0 ? -1 : 0;
	while (!rc && flock(fd, LOCK_EX))
		if (errno != EINTR)
			rc = -1;
	if (rc) {
		strbuf_addf(err, "cannot lock '%s': %s", path.buf, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	strbuf_release(&path);
	return fd;
}

void knit_build_cache_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* the lock goes with it */
}

int knit_build_cache_stage(const struct knit_build_cache *bc, const char *key_id, const char *what,
			   struct strbuf *out, struct strbuf *err)
{
	strbuf_addf(out, "%s/tmp/%.16s-%s-XXXXXX", bc->root.buf, key_id, what);
	if (!mkdtemp(out->buf)) {
		strbuf_addf(err, "cannot make a folder in '%s/tmp': %s", bc->root.buf, strerror(errno));
		return KNIT_EIO;
	}
	return 0;
}

void knit_build_cache_discard(const char *path)
{
	knit_remove_tree(path);
}

/* One file or link below a folder: its path relative to it, and what it is. */
struct item {
	char *path;
	bool link;
	mode_t mode;
	off_t size;
};

struct items {
	struct item *v;
	size_t n, alloc;
};

static void items_release(struct items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i].path);
	free(it->v);
	memset(it, 0, sizeof(*it));
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path, ((const struct item *)b)->path);
}

static bool skipped(const char *name, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (!strcmp(name, *skip))
			return true;
	return false;
}

/*
 * Every file and link below dir (links not followed, folders named in skip
 * left out), sorted by path; an explicit stack of folders, not recursion.
 * 0, or KNIT_EIO with one line.
 */
static int walk(const char *dir, struct items *out, struct strbuf *err, const char *const *skip)
{
	char **stack = NULL;
	size_t depth = 0, alloc = 0;
	KNIT_ALLOC_GROW(stack, depth + 1, alloc);
	stack[depth++] = knit_xstrdup("");
	int rc = 0;
	struct strbuf path = STRBUF_INIT;
	while (depth && !rc) {
		char *rel = stack[--depth];
		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
		DIR *d = opendir(path.buf);
		if (!d) {
			strbuf_addf(err, "cannot read '%s': %s", path.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		for (struct dirent *e; !rc && (e = readdir(d));) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
				strbuf_addf(err, "cannot read '%s/%s': %s", path.buf, e->d_name, strerror(errno));
				rc = KNIT_EIO;
				break;
			}
			struct strbuf sub = STRBUF_INIT;
			strbuf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
			if (strchr(e->d_name, '\n') || out->n >= ENTRIES_MAX) {
				strbuf_addf(err, "'%s' in '%s': %s", e->d_name, dir,
					    out->n >= ENTRIES_MAX ? "too many files" : "a file name with a newline");
				rc = KNIT_EIO;
				strbuf_release(&sub);
			} else if (S_ISDIR(st.st_mode) && skipped(e->d_name, skip)) {
				strbuf_release(&sub);
			} else if (S_ISDIR(st.st_mode)) {
				KNIT_ALLOC_GROW(stack, depth + 1, alloc);
				stack[depth++] = strbuf_detach(&sub, NULL);
			} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
				KNIT_ALLOC_GROW(out->v, out->n + 1, out->alloc);
				out->v[out->n++] = (struct item){ strbuf_detach(&sub, NULL), S_ISLNK(st.st_mode),
								  st.st_mode & 07777, st.st_size };
			} else {
				strbuf_release(&sub); /* sockets, fifos: nothing a consumer reads */
			}
		}
		if (d)
			closedir(d);
		free(rel);
	}
	while (depth)
		free(stack[--depth]);
	free(stack);
	strbuf_release(&path);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_path);
	return rc;
}

/* The files list of dir: "f <mode> <sha512> <path>" and "l <target> <path>" lines, its own "files" left out. */
static int files_list(const char *dir, struct strbuf *out, struct strbuf *err, const char *const *skip)
{
	struct items it = { 0 };
	int rc = walk(dir, &it, err, skip);
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT, hex = STRBUF_INIT;
	for (size_t i = 0; i < it.n && !rc; i++) {
		if (!strcmp(it.v[i].path, "files"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, it.v[i].path);
		if (it.v[i].link) {
			char target[4096];
			ssize_t n = readlink(path.buf, target, sizeof(target) - 1);
			if (n < 0 || memchr(target, '\n', (size_t)n)) {
				strbuf_addf(err, "cannot read the link '%s'", path.buf);
				rc = KNIT_EIO;
				break;
			}
			strbuf_addf(out, "l %.*s %s\n", (int)n, target, it.v[i].path);
			continue;
		}
		strbuf_reset(&data);
		if ((rc = knit_read_regular_file(path.buf, &data, err)))
			break;
		struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA512);
		struct knit_integrity d;
		knit_hasher_update(h, data.buf, data.len);
		knit_hasher_finish(h, &d);
		strbuf_reset(&hex);
		knit_integrity_hex(&d, &hex);
		strbuf_addf(out, "f %o %s %s\n", (unsigned)it.v[i].mode, hex.buf, it.v[i].path);
	}
	items_release(&it);
	strbuf_release(&path);
	strbuf_release(&data);
	strbuf_release(&hex);
	return rc;
}

int knit_build_cache_tree_digest(const char *dir, struct strbuf *out, struct strbuf *err)
{
	/* what the folder's own builds and tools leave beside its sources is not the package */
	static const char *const skip[] = { ".git", "deps", "node_modules", NULL };
	struct strbuf list = STRBUF_INIT;
	int rc = files_list(dir, &list, err, skip);
	if (!rc) {
		struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA256);
		struct knit_integrity d;
		knit_hasher_update(h, list.buf, list.len);
		knit_hasher_finish(h, &d);
		knit_integrity_hex(&d, out);
	}
	strbuf_release(&list);
	return rc;
}

/* In every text file below dir (no NUL byte), each "from" becomes "to". */
static int relocate(const char *dir, const char *from, const char *to, struct strbuf *err)
{
	struct items it = { 0 };
	int rc = walk(dir, &it, err, NULL);
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT, next = STRBUF_INIT;
	size_t flen = strlen(from);
	for (size_t i = 0; i < it.n && !rc; i++) {
		if (it.v[i].link || it.v[i].size > (off_t)TEXT_FILE_MAX)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, it.v[i].path);
		strbuf_reset(&data);
		if ((rc = knit_read_regular_file(path.buf, &data, err)))
			break;
		if (memchr(data.buf, '\0', data.len) || !memmem(data.buf, data.len, from, flen))
			continue;
		strbuf_reset(&next);
		for (const char *p = data.buf, *end = data.buf + data.len; p < end;) {
			const char *hit = memmem(p, (size_t)(end - p), from, flen);
			size_t keep = hit ? (size_t)(hit - p) : (size_t)(end - p);
			strbuf_add(&next, p, keep);
			if (!hit)
				break;
			strbuf_addstr(&next, to);
			p = hit + flen;
		}
		bool changed;
		rc = knit_write_file_atomic_mode(path.buf, next.buf, next.len, it.v[i].mode, &changed, err);
	}
	items_release(&it);
	strbuf_release(&path);
	strbuf_release(&data);
	strbuf_release(&next);
	return rc;
}

int knit_build_cache_seal(const struct knit_build_cache *bc, const char *key_id, const char *stage,
			  struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, list = STRBUF_INIT, path = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &entry);
	int rc = relocate(stage, stage, entry.buf, err);
	if (!rc)
		rc = files_list(stage, &list, err, NULL);
	if (!rc) {
		bool changed;
		strbuf_addf(&path, "%s/files", stage);
		rc = knit_write_file_atomic(path.buf, list.buf, list.len, &changed, err);
	}
	if (!rc && rename(stage, entry.buf)) {
		strbuf_addf(err, "cannot put the build of '%s' in place: %s", entry.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	strbuf_release(&entry);
	strbuf_release(&list);
	strbuf_release(&path);
	return rc;
}

int knit_build_cache_check(const struct knit_build_cache *bc, const char *key_id, struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT, path = STRBUF_INIT,
		      scratch = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &entry);
	struct stat st;
	int result = 1;
	if (lstat(entry.buf, &st)) {
		result = 0;
	} else {
		strbuf_addf(&path, "%s/files", entry.buf);
		if (!S_ISDIR(st.st_mode) || knit_read_file(path.buf, &want, &scratch) ||
		    files_list(entry.buf, &got, &scratch, NULL) || got.len != want.len || memcmp(got.buf, want.buf, got.len)) {
			strbuf_addf(err, "the build cache's entry '%s' does not match its files list; building it again",
				    entry.buf);
			/* out of the way first, so that nobody links it while it goes */
			strbuf_reset(&path);
			if (!knit_build_cache_stage(bc, key_id, "damaged", &path, &scratch) && !rename(entry.buf, path.buf))
				knit_remove_tree(path.buf);
			else
				knit_remove_tree(entry.buf);
			result = -1;
		}
	}
	strbuf_release(&entry);
	strbuf_release(&want);
	strbuf_release(&got);
	strbuf_release(&path);
	strbuf_release(&scratch);
	return result;
}
