#include "build_cache.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/integrity.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
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

/*
 * Every file below dir made read-only (0444, 0555 when executable by its
 * owner) and every folder 0555, but dir itself, which must stay writable
 * until it is renamed into place (a folder moved to another parent has its
 * ".." rewritten). What a project's build does through deps/.build/pkg/
 * cannot change the entry that other projects share. 0, or KNIT_EIO.
 */
static int make_read_only(const char *dir, struct strbuf *err)
{
	struct items it = { 0 };
	int rc = walk(dir, &it, err, NULL);
	struct strbuf path = STRBUF_INIT;
	for (size_t i = 0; i < it.n && !rc; i++) {
		if (it.v[i].link)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, it.v[i].path);
		if (chmod(path.buf, it.v[i].mode & 0100 ? 0555 : 0444)) {
			strbuf_addf(err, "cannot make '%s' read-only: %s", path.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		/* its folders, from the deepest: walk lists files and links only */
		for (char *slash = strrchr(it.v[i].path, '/'); !rc && slash; slash = strrchr(it.v[i].path, '/')) {
			*slash = '\0';
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", dir, it.v[i].path);
			struct stat st;
			if (!stat(path.buf, &st) && (st.st_mode & 07777) == 0555)
				break; /* done before, with its parents */
			if (chmod(path.buf, 0555)) {
				strbuf_addf(err, "cannot make '%s' read-only: %s", path.buf, strerror(errno));
				rc = KNIT_EIO;
			}
		}
	}
	items_release(&it);
	strbuf_release(&path);
	return rc;
}

/* Writes the files list of stage (read-only first) as its "files", then renames it to entry and closes it. */
static int list_and_place(const char *stage, const char *entry, struct strbuf *err)
{
	struct strbuf list = STRBUF_INIT, path = STRBUF_INIT;
	int rc = make_read_only(stage, err);
	if (!rc)
		rc = files_list(stage, &list, err, NULL);
	strbuf_addf(&path, "%s/files", stage);
	if (!rc)
		rc = knit_write_file_new(path.buf, list.buf, list.len, 0444, err);
	if (!rc && rename(stage, entry)) {
		strbuf_addf(err, "cannot put the build of '%s' in place: %s", entry, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc && chmod(entry, 0555)) {
		strbuf_addf(err, "cannot make '%s' read-only: %s", entry, strerror(errno));
		rc = KNIT_EIO;
	}
	strbuf_release(&list);
	strbuf_release(&path);
	return rc;
}

int knit_build_cache_seal(const struct knit_build_cache *bc, const char *key_id, const char *stage,
			  struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, list = STRBUF_INIT, path = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &entry);
	/* where its paths point: made the entry's path by the rewrite, read by whoever unpacks it elsewhere */
	strbuf_addf(&path, "%s/origin", stage);
	bool changed;
	int rc = knit_write_file_atomic(path.buf, stage, strlen(stage), &changed, err);
	if (!rc)
		rc = relocate(stage, stage, entry.buf, err);
	if (!rc)
		rc = list_and_place(stage, entry.buf, err);
	strbuf_release(&entry);
	strbuf_release(&list);
	strbuf_release(&path);
	return rc;
}

/*
 * Whether the entry matches its files list: 0, or -1 with what differs in
 * *why (the first file whose line differs, or that the list is missing).
 */
static int entry_matches(const char *entry, struct strbuf *why)
{
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT, path = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&path, "%s/files", entry);
	int rc = 0;
	if (knit_read_file(path.buf, &want, &scratch)) {
		strbuf_addstr(why, "no files list");
		rc = -1;
	} else if (files_list(entry, &got, &scratch, NULL)) {
		strbuf_addstr(why, scratch.buf);
		rc = -1;
	} else if (got.len != want.len || memcmp(got.buf, want.buf, got.len)) {
		/* the first line that differs names the file: "f <mode> <sha512> <path>" or "l <target> <path>" */
		const char *g = got.buf, *w = want.buf;
		while (*g && *w) {
			const char *ge = strchrnul(g, '\n'), *we = strchrnul(w, '\n');
			if (ge - g != we - w || memcmp(g, w, (size_t)(ge - g)))
				break;
			g = *ge ? ge + 1 : ge;
			w = *we ? we + 1 : we;
		}
		const char *line = *w ? w : g, *end = strchrnul(line, '\n'), *name = end;
		while (name > line && name[-1] != ' ')
			name--;
		strbuf_addf(why, "%.*s: %s", (int)(end - name), name, *w && *g ? "changed" : *w ? "missing" : "added");
		rc = -1;
	}
	strbuf_release(&want);
	strbuf_release(&got);
	strbuf_release(&path);
	strbuf_release(&scratch);
	return rc;
}

/* The entry out of the way first, so that nobody links it while it goes, then removed. */
static void remove_entry(const struct knit_build_cache *bc, const char *key_id, const char *entry)
{
	struct strbuf aside = STRBUF_INIT, scratch = STRBUF_INIT;
	(void)chmod(entry, 0755); /* a read-only folder cannot move to another parent */
	if (!knit_build_cache_stage(bc, key_id, "damaged", &aside, &scratch) && !rename(entry, aside.buf))
		knit_remove_tree(aside.buf);
	else
		knit_remove_tree(entry);
	strbuf_release(&aside);
	strbuf_release(&scratch);
}

int knit_build_cache_check(const struct knit_build_cache *bc, const char *key_id, struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, why = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &entry);
	struct stat st;
	int result = 1;
	if (lstat(entry.buf, &st)) {
		result = 0;
	} else if (!S_ISDIR(st.st_mode) || entry_matches(entry.buf, &why)) {
		strbuf_addf(err, "the build cache's entry '%s' does not match its files list (%s); building it again",
			    entry.buf, why.len ? why.buf : "not a folder");
		remove_entry(bc, key_id, entry.buf);
		result = -1;
	}
	strbuf_release(&entry);
	strbuf_release(&why);
	return result;
}

static bool key_name(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == 64 && !s[n];
}

/* "<name> <version>" from an entry's key file, or "?" */
static void entry_label(const char *entry, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&path, "%s/key", entry);
	const char *name = NULL, *version = NULL;
	if (!knit_read_file(path.buf, &key, &scratch)) {
		name = strstr(key.buf, "\nname ");
		version = strstr(key.buf, "\nversion ");
	}
	if (name && version) {
		name += 6;
		version += 9;
		strbuf_addf(out, "%.*s %.*s", (int)strcspn(name, "\n"), name, (int)strcspn(version, "\n"), version);
	} else {
		strbuf_addch(out, '?');
	}
	strbuf_release(&path);
	strbuf_release(&key);
	strbuf_release(&scratch);
}

/* The key names of the entries under <cache>/builds/v1, read before any is removed (which would skip some). */
static int read_keys(const char *cache_dir, struct knit_build_cache *bc, struct knit_paths *keys, struct strbuf *err)
{
	strbuf_init(&bc->root, 0);
	strbuf_addf(&bc->root, "%s/builds/v1", cache_dir);
	DIR *d = opendir(bc->root.buf);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		strbuf_addf(err, "cannot read the build cache '%s': %s", bc->root.buf, strerror(errno));
		return KNIT_EIO;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (key_name(e->d_name)) {
			KNIT_ALLOC_GROW(keys->items, keys->n + 1, keys->alloc);
			keys->items[keys->n++] = knit_xstrdup(e->d_name);
		}
	closedir(d);
	return 0;
}

int knit_build_cache_verify(const char *cache_dir, bool remove, knit_build_damaged_fn damaged, void *ctx,
			    size_t *checked, size_t *bad, struct strbuf *err)
{
	*checked = *bad = 0;
	struct knit_build_cache bc;
	struct knit_paths keys = { 0 };
	int rc = read_keys(cache_dir, &bc, &keys, err);
	for (size_t i = 0; i < keys.n && !rc; i++) {
		int lock = knit_build_cache_lock(&bc, keys.items[i], err);
		if (lock < 0) {
			rc = KNIT_EIO;
			break;
		}
		struct strbuf entry = STRBUF_INIT, why = STRBUF_INIT, label = STRBUF_INIT;
		knit_build_cache_entry(&bc, keys.items[i], &entry);
		struct stat st;
		if (!lstat(entry.buf, &st)) {
			(*checked)++;
			if (!S_ISDIR(st.st_mode) || entry_matches(entry.buf, &why)) {
				(*bad)++;
				entry_label(entry.buf, &label);
				if (remove)
					remove_entry(&bc, keys.items[i], entry.buf);
				rc = damaged(ctx, keys.items[i], label.buf, why.len ? why.buf : "not a folder", err);
			}
		}
		knit_build_cache_unlock(lock);
		strbuf_release(&entry);
		strbuf_release(&why);
		strbuf_release(&label);
	}
	knit_paths_release(&keys);
	knit_build_cache_close(&bc);
	return rc;
}

#define USE_PRECISION 3600 /* seconds: how stale an entry's last use may be before it is recorded again */

void knit_build_cache_mark_used(const struct knit_build_cache *bc, const char *key_id, const char *hold)
{
	struct strbuf path = STRBUF_INIT, tmp = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &path);
	size_t len = path.len;
	strbuf_addstr(&path, "/files");
	struct stat st;
	if (!stat(path.buf, &st) && st.st_mtime + USE_PRECISION <= time(NULL))
		(void)utimensat(AT_FDCWD, path.buf, NULL, 0);
	strbuf_setlen(&path, len);
	strbuf_addstr(&path, "/key");
	struct stat held;
	if (hold && !stat(path.buf, &st) &&
	    (stat(hold, &held) || held.st_ino != st.st_ino || held.st_dev != st.st_dev)) {
		strbuf_addf(&tmp, "%s.hold-%ld", hold, (long)getpid());
		unlink(tmp.buf);
		if (!knit_make_parents(hold) && !link(path.buf, tmp.buf))
			(void)rename(tmp.buf, hold);
		unlink(tmp.buf); /* left when the link failed (another filesystem: not held) or was the same */
	}
	strbuf_release(&path);
	strbuf_release(&tmp);
}

/* Whether a project holds the entry: its key file has a link outside it. */
static bool entry_held(const char *entry)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/key", entry);
	struct stat st;
	bool held = !stat(path.buf, &st) && st.st_nlink > 1;
	strbuf_release(&path);
	return held;
}

int knit_build_cache_list(const char *cache_dir, knit_build_entry_fn fn, void *ctx, struct strbuf *err)
{
	struct knit_build_cache bc;
	struct knit_paths keys = { 0 };
	int rc = read_keys(cache_dir, &bc, &keys, err);
	struct strbuf entry = STRBUF_INIT, label = STRBUF_INIT;
	for (size_t i = 0; i < keys.n && !rc; i++) {
		strbuf_reset(&entry);
		strbuf_reset(&label);
		knit_build_cache_entry(&bc, keys.items[i], &entry);
		struct stat st;
		struct knit_tree_usage use;
		if (lstat(entry.buf, &st) || !S_ISDIR(st.st_mode) || knit_tree_usage(entry.buf, &use))
			continue; /* a lock without its entry, or one going away */
		entry_label(entry.buf, &label);
		strbuf_addstr(&entry, "/files");
		long long used = stat(entry.buf, &st) ? 0 : (long long)st.st_mtime;
		strbuf_setlen(&entry, entry.len - strlen("/files"));
		struct knit_build_entry_info info = { keys.items[i], label.buf, use.bytes, used, entry_held(entry.buf) };
		rc = fn(ctx, &info, err);
	}
	strbuf_release(&entry);
	strbuf_release(&label);
	knit_paths_release(&keys);
	knit_build_cache_close(&bc);
	return rc;
}

int knit_build_cache_remove(const char *cache_dir, const char *key_id, bool *removed, struct strbuf *err)
{
	*removed = false;
	struct knit_build_cache bc = { STRBUF_INIT };
	strbuf_addf(&bc.root, "%s/builds/v1", cache_dir);
	int lock = knit_build_cache_lock(&bc, key_id, err);
	if (lock < 0) {
		knit_build_cache_close(&bc);
		return KNIT_EIO;
	}
	struct strbuf entry = STRBUF_INIT;
	knit_build_cache_entry(&bc, key_id, &entry);
	if (!access(entry.buf, F_OK) && !entry_held(entry.buf)) {
		remove_entry(&bc, key_id, entry.buf);
		*removed = access(entry.buf, F_OK) != 0;
	}
	knit_build_cache_unlock(lock);
	strbuf_release(&entry);
	knit_build_cache_close(&bc);
	return 0;
}

/* --- an entry as one archive, for a remote cache (build_remote.h) ------------------------ */

#define ARCHIVE_MAX (1u << 30)

static la_ssize_t to_strbuf(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	struct strbuf *out = ctx;
	if (out->len + n > ARCHIVE_MAX)
		return -1;
	strbuf_add(out, buf, n);
	return (la_ssize_t)n;
}

/* The archive's format and filter: zstd when asked and libarchive has it (*zstd says), else gzip. */
static int open_archive(struct archive *a, bool *zstd, struct strbuf *out)
{
	if (archive_write_set_format_pax_restricted(a))
		return -1;
	if (*zstd && archive_write_add_filter_zstd(a) != ARCHIVE_OK)
		*zstd = false; /* a libarchive built without it: the filter was not added */
	if (!*zstd && (archive_write_add_filter_gzip(a) || archive_write_set_options(a, "gzip:!timestamp")))
		return -1;
	if (archive_write_set_bytes_in_last_block(a, 1) || archive_write_open(a, out, NULL, to_strbuf, NULL))
		return -1;
	return 0;
}

int knit_build_cache_pack(const struct knit_build_cache *bc, const char *key_id, bool *zstd, struct strbuf *tgz,
			  struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, path = STRBUF_INIT, data = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &entry);
	struct items it = { 0 };
	int rc = walk(entry.buf, &it, err, NULL);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	if (!a || !e)
		abort();
	if (!rc && open_archive(a, zstd, tgz)) {
		strbuf_addf(err, "cannot write an archive: %s", archive_error_string(a));
		rc = KNIT_EIO;
	}
	for (size_t i = 0; i < it.n && !rc; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", entry.buf, it.v[i].path);
		archive_entry_clear(e);
		archive_entry_set_pathname(e, it.v[i].path);
		archive_entry_set_mtime(e, 0, 0);
		archive_entry_set_perm(e, it.v[i].mode);
		strbuf_reset(&data);
		if (it.v[i].link) {
			char target[4096];
			ssize_t n = readlink(path.buf, target, sizeof(target) - 1);
			if (n < 0) {
				strbuf_addf(err, "cannot read the link '%s'", path.buf);
				rc = KNIT_EIO;
				break;
			}
			target[n] = '\0';
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, target);
			archive_entry_set_size(e, 0);
		} else {
			if ((rc = knit_read_regular_file(path.buf, &data, err)))
				break;
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)data.len);
		}
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (data.len && archive_write_data(a, data.buf, data.len) != (la_ssize_t)data.len)) {
			strbuf_addf(err, "cannot archive '%s': %s", path.buf, archive_error_string(a));
			rc = KNIT_EIO;
		}
	}
	if (!rc && archive_write_close(a) != ARCHIVE_OK) {
		strbuf_addf(err, "cannot finish the archive of '%s': %s", entry.buf, archive_error_string(a));
		rc = KNIT_EIO;
	}
	archive_entry_free(e);
	archive_write_free(a);
	items_release(&it);
	strbuf_release(&entry);
	strbuf_release(&path);
	strbuf_release(&data);
	return rc;
}

/* A path from an archive that stays below the folder it is unpacked in: relative, no "..", no empty part. */
static bool plain_path(const char *p)
{
	if (!*p || *p == '/' || strlen(p) > 1024)
		return false;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n + (s[n] == '/');
		if (s[-1] == '/' && !*s)
			return false;
	}
	return !strchr(p, '\n');
}

/* Unpacks the archive (.tar.zst or .tgz) into dir: regular files and links only, every path and link target kept below it. */
static int unpack(const void *tgz, size_t len, const char *dir, struct strbuf *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	int rc = 0;
	if (archive_read_open_memory(a, tgz, len) != ARCHIVE_OK) {
		strbuf_addf(err, "not a build archive: %s", archive_error_string(a));
		rc = KNIT_EPARSE;
	}
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	size_t entries = 0, bytes = 0;
	struct archive_entry *e;
	for (int r; !rc && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF;) {
		const char *name = r == ARCHIVE_OK ? archive_entry_pathname(e) : NULL;
		if (!name || !plain_path(name) || ++entries > ENTRIES_MAX) {
			strbuf_addf(err, "a build archive entry that cannot be unpacked safely: '%s'", name ? name : "?");
			rc = KNIT_EPARSE;
			break;
		}
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, name);
		if (knit_make_parents(path.buf)) {
			strbuf_addf(err, "cannot make the folder for '%s': %s", path.buf, strerror(errno));
			rc = KNIT_EIO;
			break;
		}
		mode_t type = archive_entry_filetype(e);
		if (type == AE_IFLNK) {
			const char *target = archive_entry_symlink(e);
			/* a link's target relative and without "..": it cannot lead out of the entry */
			if (!target || !plain_path(target) || symlink(target, path.buf)) {
				strbuf_addf(err, "a build archive link that cannot be unpacked safely: '%s'", name);
				rc = KNIT_EPARSE;
			}
			continue;
		}
		if (type != AE_IFREG) {
			strbuf_addf(err, "a build archive entry that is not a file or a link: '%s'", name);
			rc = KNIT_EPARSE;
			break;
		}
		strbuf_reset(&data);
		const void *buf;
		size_t n;
		la_int64_t off;
		while (!rc && (r = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
			if ((bytes += n) > ARCHIVE_MAX * 2u) {
				strbuf_addstr(err, "a build archive that unpacks to more than 2 GiB");
				rc = KNIT_EPARSE;
			}
			strbuf_add(&data, buf, n);
		}
		if (!rc && r != ARCHIVE_EOF) {
			strbuf_addf(err, "a damaged build archive: %s", archive_error_string(a));
			rc = KNIT_EPARSE;
		}
		/* never over anything: a second entry of the same name, or a link in its place, is refused */
		struct strbuf why = STRBUF_INIT;
		if (!rc && knit_write_file_new(path.buf, data.buf, data.len, archive_entry_perm(e) & 0755, &why)) {
			strbuf_addf(err, "cannot unpack '%s': %s", path.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		strbuf_release(&why);
	}
	archive_read_free(a);
	strbuf_release(&path);
	strbuf_release(&data);
	return rc;
}

int knit_build_cache_unpack(const struct knit_build_cache *bc, const char *key_id, const void *tgz, size_t len,
			    struct strbuf *err)
{
	struct strbuf stage = STRBUF_INIT, entry = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT,
		      path = STRBUF_INIT, origin = STRBUF_INIT, scratch = STRBUF_INIT;
	knit_build_cache_entry(bc, key_id, &entry);
	int rc = knit_build_cache_stage(bc, key_id, "fetched", &stage, err);
	if (!rc)
		rc = unpack(tgz, len, stage.buf, err);
	/* whole as it was made: its files list holds */
	strbuf_addf(&path, "%s/files", stage.buf);
	if (!rc && (knit_read_file(path.buf, &want, &scratch) || files_list(stage.buf, &got, &scratch, NULL) ||
		    got.len != want.len || memcmp(got.buf, want.buf, got.len))) {
		strbuf_addstr(err, "a build archive whose files do not match its files list");
		rc = KNIT_EPARSE;
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/origin", stage.buf);
	if (!rc && (knit_read_file(path.buf, &origin, &scratch) || origin.buf[0] != '/' || strchr(origin.buf, '\n'))) {
		strbuf_addstr(err, "a build archive without the path it was made at");
		rc = KNIT_EPARSE;
	}
	/* its paths made this machine's, then listed again */
	if (!rc && strcmp(origin.buf, entry.buf))
		rc = relocate(stage.buf, origin.buf, entry.buf, err);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/files", stage.buf);
	if (!rc && unlink(path.buf)) {
		strbuf_addf(err, "cannot replace '%s': %s", path.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc)
		rc = list_and_place(stage.buf, entry.buf, err);
	if (rc && stage.len)
		knit_remove_tree(stage.buf);
	strbuf_release(&stage);
	strbuf_release(&entry);
	strbuf_release(&want);
	strbuf_release(&got);
	strbuf_release(&path);
	strbuf_release(&origin);
	strbuf_release(&scratch);
	return rc;
}
