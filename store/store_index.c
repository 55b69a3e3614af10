#include "store_index.h"

#include "util/integrity.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* More items than any package has; bounds the memory a hostile tarball can make the walk take. */
#define MAX_ITEMS 1000000

static const char header[] = "knit store index 1\n";

void knit_store_index_release(struct knit_store_index *idx)
{
	for (size_t i = 0; i < idx->n; i++) {
		free(idx->items[i].path);
		free(idx->items[i].target);
	}
	free(idx->items);
	memset(idx, 0, sizeof(*idx));
}

static struct knit_store_item *add_item(struct knit_store_index *idx, char type, const char *path,
					const struct stat *st)
{
	KNIT_ALLOC_GROW(idx->items, idx->n + 1, idx->alloc);
	struct knit_store_item *it = &idx->items[idx->n++];
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->path = knit_xstrdup(path);
	it->sec = (long long)st->st_mtim.tv_sec;
	it->nsec = st->st_mtim.tv_nsec;
	it->size = type == 'f' || type == 'x' ? (unsigned long long)st->st_size : 0;
	return it;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct knit_store_item *)a)->path, ((const struct knit_store_item *)b)->path);
}

/* --- the walk: folders from an explicit stack, never by recursion ------------------------ */

struct pending {
	char *rel;
	dev_t dev;
	ino_t ino;
};

struct walk {
	int root;
	bool hash, seal;
	const struct knit_store_written_set *written; /* sorted; may be NULL */
	const char *pkg;
	struct knit_store_index *out;
	struct strbuf *err;
	unsigned char *buf;
	struct pending *stack;
	size_t n, alloc;
};

static int walk_fail(struct walk *w, const char *rel, const char *what)
{
	if (w->seal)
		strbuf_addf(w->err, "package '%s': cannot seal '%s' in the store: %s", w->pkg, rel, what);
	else
		strbuf_addf(w->err, "%s: %s", rel, what);
	return w->seal ? KNIT_EIO : KNIT_EPARSE;
}

/* By path, the last write of a path first. */
static int by_written_path(const void *a, const void *b)
{
	const struct knit_store_written *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->order > y->order ? -1 : x->order < y->order;
}

static int written_path_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct knit_store_written *)elem)->path);
}

void knit_store_written_add(struct knit_store_written_set *set, const char *path, unsigned long long size,
			    const unsigned char digest[32])
{
	KNIT_ALLOC_GROW(set->items, set->n + 1, set->alloc);
	struct knit_store_written *w = &set->items[set->n];
	w->path = knit_xstrdup(path);
	w->size = size;
	memcpy(w->digest, digest, sizeof(w->digest));
	w->order = set->n++;
	set->sorted = false;
}

void knit_store_written_release(struct knit_store_written_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->items[i].path);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

/* A file the sealer wrote itself, as it is now: its digest is known and its mode already sealed. */
static const struct knit_store_written *written_file(const struct walk *w, const char *rel, const struct stat *lst)
{
	if (!w->written || !w->written->n)
		return NULL;
	const struct knit_store_written *found =
		bsearch(rel, w->written->items, w->written->n, sizeof(*found), written_path_cmp);
	/* bsearch may land on any write of the path: the last one sorts first */
	while (found && found > w->written->items && !strcmp(found[-1].path, rel))
		found--;
	mode_t sealed = lst->st_mode & 0111 ? 0555 : 0444;
	if (!found || found->size != (unsigned long long)lst->st_size || (lst->st_mode & 07777) != sealed)
		return NULL;
	return found;
}

/* One file: hashed (and when sealing made read-only) through one descriptor. */
static int walk_file(struct walk *w, int dir, const char *name, const char *rel, const struct stat *lst)
{
	const struct knit_store_written *known = w->seal ? written_file(w, rel, lst) : NULL;
	if (known) {
		struct knit_store_item *it = add_item(w->out, lst->st_mode & 0111 ? 'x' : 'f', rel, lst);
		memcpy(it->digest, known->digest, sizeof(it->digest));
		return 0;
	}
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || st.st_ino != lst->st_ino || !S_ISREG(st.st_mode)) {
		int rc = walk_fail(w, rel, fd < 0 ? strerror(errno) : "changed while read");
		if (fd >= 0)
			close(fd);
		return rc;
	}
	char type = st.st_mode & 0111 ? 'x' : 'f';
	struct knit_store_item *it = add_item(w->out, type, rel, &st);
	int rc = 0;
	if (w->hash) {
		struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA256);
		struct knit_integrity d;
		ssize_t r;
		unsigned long long total = 0;
		while ((r = read(fd, w->buf, 65536)) > 0) {
			knit_hasher_update(h, w->buf, (size_t)r);
			total += (unsigned long long)r;
		}
		knit_hasher_finish(h, &d);
		memcpy(it->digest, d.digest, sizeof(it->digest));
		if (r < 0)
			rc = walk_fail(w, rel, strerror(errno));
		else if (total != it->size)
			rc = walk_fail(w, rel, "changed while read");
	}
	if (!rc && w->seal && fchmod(fd, type == 'x' ? 0555 : 0444))
		rc = walk_fail(w, rel, strerror(errno));
	close(fd);
	return rc;
}

static void child_path(const char *rel, const char *name, struct strbuf *out)
{
	strbuf_reset(out);
	if (strcmp(rel, "."))
		strbuf_addf(out, "%s/", rel);
	strbuf_addstr(out, name);
}

/* One folder: its entries recorded, its subfolders pushed, then itself (mtime after the listing). */
static int walk_folder(struct walk *w, struct pending *p)
{
	int fd = strcmp(p->rel, ".") ? openat(w->root, p->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				     : dup(w->root);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || st.st_dev != p->dev || st.st_ino != p->ino) {
		int rc = walk_fail(w, p->rel, fd < 0 ? strerror(errno) : "changed while read");
		if (fd >= 0)
			close(fd);
		return rc;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return walk_fail(w, p->rel, strerror(errno));
	}
	struct strbuf rel = STRBUF_INIT;
	struct dirent *e;
	int rc = 0;
	while (!rc && (errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		child_path(p->rel, e->d_name, &rel);
		struct stat cst;
		if (w->out->n + w->n >= MAX_ITEMS)
			rc = walk_fail(w, rel.buf, "too many files");
		else if (fstatat(fd, e->d_name, &cst, AT_SYMLINK_NOFOLLOW))
			rc = walk_fail(w, rel.buf, strerror(errno));
		else if (S_ISDIR(cst.st_mode)) {
			KNIT_ALLOC_GROW(w->stack, w->n + 1, w->alloc);
			w->stack[w->n++] = (struct pending){ knit_xstrdup(rel.buf), cst.st_dev, cst.st_ino };
		} else if (S_ISREG(cst.st_mode)) {
			rc = walk_file(w, fd, e->d_name, rel.buf, &cst);
		} else if (S_ISLNK(cst.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(fd, e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				rc = walk_fail(w, rel.buf, strerror(errno));
			else {
				target[n] = '\0';
				add_item(w->out, 'l', rel.buf, &cst)->target = knit_xstrdup(target);
			}
		} else {
			rc = walk_fail(w, rel.buf, "not a file, folder or link");
		}
	}
	if (!rc && errno)
		rc = walk_fail(w, p->rel, strerror(errno));
	if (!rc && w->seal && fchmod(fd, 0555))
		rc = walk_fail(w, p->rel, strerror(errno));
	if (!rc && fstat(fd, &st))
		rc = walk_fail(w, p->rel, strerror(errno));
	if (!rc)
		add_item(w->out, 'd', p->rel, &st);
	closedir(d);
	strbuf_release(&rel);
	return rc;
}

static int walk_tree(const char *dir, bool hash, bool seal, const struct knit_store_written_set *written,
		     const char *pkg, struct knit_store_index *out, struct strbuf *err)
{
	struct walk w = { .hash = hash, .seal = seal, .written = written, .pkg = pkg, .out = out, .err = err };
	struct stat st;
	memset(out, 0, sizeof(*out));
	w.root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w.root < 0 || fstat(w.root, &st)) {
		int rc = walk_fail(&w, ".", strerror(errno));
		if (w.root >= 0)
			close(w.root);
		return rc;
	}
	w.buf = knit_xmalloc(65536);
	KNIT_ALLOC_GROW(w.stack, 1, w.alloc);
	w.stack[w.n++] = (struct pending){ knit_xstrdup("."), st.st_dev, st.st_ino };
	int rc = 0;
	while (w.n) {
		struct pending p = w.stack[--w.n];
		if (!rc)
			rc = walk_folder(&w, &p);
		free(p.rel);
	}
	free(w.stack);
	free(w.buf);
	close(w.root);
	if (rc)
		knit_store_index_release(out);
	else
		qsort(out->items, out->n, sizeof(*out->items), by_path);
	return rc;
}

int knit_store_index_seal(const char *dir, const char *pkg, struct knit_store_index *out,
			  struct strbuf *err)
{
	return walk_tree(dir, true, true, NULL, pkg, out, err);
}

int knit_store_index_seal_written(const char *dir, const char *pkg, struct knit_store_written_set *written,
				  struct knit_store_index *out, struct strbuf *err)
{
	if (written && !written->sorted) {
		qsort(written->items, written->n, sizeof(*written->items), by_written_path);
		written->sorted = true;
	}
	return walk_tree(dir, true, true, written, pkg, out, err);
}

/* --- checking ----------------------------------------------------------------------- */

static bool is_file(char type)
{
	return type == 'f' || type == 'x'; /* deps/.bin makes a command executable: the same file */
}

static bool same_type(char want, const struct stat *st)
{
	return want == 'd' ? S_ISDIR(st->st_mode) : want == 'l' ? S_ISLNK(st->st_mode) : S_ISREG(st->st_mode);
}

/* The first difference of two items of the same path, or NULL. */
static const char *differs(const struct knit_store_item *want, const struct knit_store_item *got)
{
	if (want->type != got->type && !(is_file(want->type) && is_file(got->type)))
		return "type";
	if (is_file(want->type) && want->size != got->size)
		return "size";
	if (is_file(want->type) && memcmp(want->digest, got->digest, sizeof(want->digest)))
		return "content";
	if (want->type == 'l' && strcmp(want->target, got->target))
		return "link target";
	if (want->sec != got->sec || want->nsec != got->nsec)
		return "mtime";
	return NULL;
}

/*
 * The difference to report: in a file or link before one in a folder (a
 * deleted file changes its folder's mtime too), and anything before a
 * mere mtime; the first found among equals.
 */
struct finding {
	const char *path, *what;
	int rank; /* 0 is the best: the search may stop */
};

static void note(struct finding *f, const struct knit_store_item *it, const char *what)
{
	int rank = (it->type == 'd' ? 2 : 0) + !strcmp(what, "mtime");
	if (!f->what || rank < f->rank)
		*f = (struct finding){ it->path, what, rank };
}

static int quick_check(const char *dir, const struct knit_store_index *idx, struct strbuf *why)
{
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0) {
		strbuf_addf(why, ".: %s", errno == ENOENT ? "missing" : strerror(errno));
		return KNIT_EPARSE;
	}
	struct finding f = { 0 };
	for (size_t i = 0; i < idx->n && (!f.what || f.rank); i++) {
		const struct knit_store_item *it = &idx->items[i];
		struct stat st;
		int r = strcmp(it->path, ".") ? fstatat(root, it->path, &st, AT_SYMLINK_NOFOLLOW) : fstat(root, &st);
		if (r)
			note(&f, it, errno == ENOENT || errno == ENOTDIR ? "missing" : strerror(errno));
		else if (!same_type(it->type, &st))
			note(&f, it, "type");
		else if (is_file(it->type) && (unsigned long long)st.st_size != it->size)
			note(&f, it, "size");
		else if ((long long)st.st_mtim.tv_sec != it->sec || st.st_mtim.tv_nsec != it->nsec)
			note(&f, it, "mtime");
	}
	close(root);
	if (f.what)
		strbuf_addf(why, "%s: %s", f.path, f.what);
	return f.what ? KNIT_EPARSE : 0;
}

static int full_check(const char *dir, const struct knit_store_index *idx, struct strbuf *why)
{
	struct knit_store_index now;
	struct strbuf err = STRBUF_INIT;
	if (walk_tree(dir, true, false, NULL, NULL, &now, &err)) {
		strbuf_add(why, err.buf, err.len);
		strbuf_release(&err);
		return KNIT_EPARSE;
	}
	strbuf_release(&err);
	struct finding f = { 0 };
	size_t i = 0, k = 0;
	while ((i < idx->n || k < now.n) && (!f.what || f.rank)) {
		int c = i == idx->n ? 1 : k == now.n ? -1 : strcmp(idx->items[i].path, now.items[k].path);
		if (c < 0) {
			note(&f, &idx->items[i++], "missing");
		} else if (c > 0) {
			note(&f, &now.items[k++], "added");
		} else {
			const char *what = differs(&idx->items[i], &now.items[k]);
			if (what)
				note(&f, &idx->items[i], what);
			i++, k++;
		}
	}
	if (f.what)
		strbuf_addf(why, "%s: %s", f.path, f.what);
	int rc = f.what ? KNIT_EPARSE : 0;
	knit_store_index_release(&now);
	return rc;
}

int knit_store_index_check(const char *dir, const struct knit_store_index *idx, bool full,
			   struct strbuf *why)
{
	return full ? full_check(dir, idx, why) : quick_check(dir, idx, why);
}

/* --- the text -------------------------------------------------------------------------- */

static void add_escaped(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p == 0x7f) {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		} else {
			strbuf_addch(out, (char)*p);
		}
	}
}

void knit_store_index_format(const struct knit_store_index *idx, struct strbuf *out)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_addstr(out, header);
	for (size_t i = 0; i < idx->n; i++) {
		const struct knit_store_item *it = &idx->items[i];
		strbuf_addf(out, "%c %lld.%09ld ", it->type, it->sec, it->nsec);
		if (is_file(it->type)) {
			strbuf_addf(out, "%llu ", it->size);
			for (size_t k = 0; k < sizeof(it->digest); k++) {
				strbuf_addch(out, hex[it->digest[k] >> 4]);
				strbuf_addch(out, hex[it->digest[k] & 15]);
			}
			strbuf_addch(out, ' ');
		} else if (it->type == 'l') {
			add_escaped(out, it->target);
			strbuf_addch(out, ' ');
		}
		add_escaped(out, it->path);
		strbuf_addch(out, '\n');
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The next field of [*p, end): up to a space (which is skipped), or to end
 * when last. Its bounds in *s and *e; false when empty or misplaced.
 * Reading an index is on every install's path, once per package: no
 * allocation or formatting per field.
 */
static bool next_field(const char **p, const char *end, bool last, const char **s, const char **e)
{
	const char *q = *p;
	const char *sp = memchr(q, ' ', (size_t)(end - q));
	*s = q;
	*e = sp ? sp : end;
	if (*e == q || last != !sp)
		return false;
	*p = sp ? sp + 1 : end;
	return true;
}

/* [s, e) with its %XX escapes decoded, malloc'd; NULL when an escape is malformed or %00. */
static char *unescape(const char *s, const char *e)
{
	if (!memchr(s, '%', (size_t)(e - s)))
		return knit_xmemdupz(s, (size_t)(e - s));
	char *out = knit_xmalloc((size_t)(e - s) + 1), *o = out;
	for (const char *q = s; q < e; q++) {
		if (*q != '%') {
			*o++ = *q;
			continue;
		}
		int hi = e - q > 2 ? hexval(q[1]) : -1, lo = hi >= 0 ? hexval(q[2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi << 4 | lo);
		q += 2;
	}
	*o = '\0';
	return out;
}

/* A decimal number of [s, e), at most max. */
static bool parse_number(const char *s, const char *e, unsigned long long max, unsigned long long *out)
{
	if (s == e || e - s > 20)
		return false;
	unsigned long long v = 0;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

static bool parse_line(struct knit_store_item *it, const char *p, const char *end)
{
	const char *s, *e;
	unsigned long long sec, nsec;
	memset(it, 0, sizeof(*it));
	if (end - p < 2 || !strchr("dfxl", *p) || p[1] != ' ')
		return false;
	it->type = *p;
	p += 2;
	if (!next_field(&p, end, false, &s, &e) || e - s < 11 || e[-10] != '.' ||
	    !parse_number(s, e - 10, (unsigned long long)1 << 62, &sec) ||
	    !parse_number(e - 9, e, 999999999, &nsec))
		return false;
	it->sec = (long long)sec;
	it->nsec = (long)nsec;
	if (is_file(it->type)) {
		if (!next_field(&p, end, false, &s, &e) || !parse_number(s, e, ~0ull, &it->size) ||
		    !next_field(&p, end, false, &s, &e) || e - s != 64)
			return false;
		for (size_t k = 0; k < 32; k++) {
			int hi = hexval(s[2 * k]), lo = hexval(s[2 * k + 1]);
			if (hi < 0 || lo < 0)
				return false;
			it->digest[k] = (unsigned char)(hi << 4 | lo);
		}
	} else if (it->type == 'l') {
		if (!next_field(&p, end, false, &s, &e) || !(it->target = unescape(s, e)))
			return false;
	}
	if (!next_field(&p, end, true, &s, &e) || !(it->path = unescape(s, e))) {
		free(it->target);
		it->target = NULL;
		return false;
	}
	return true;
}

int knit_store_index_parse(struct knit_store_index *out, const char *text, size_t len)
{
	memset(out, 0, sizeof(*out));
	size_t hl = sizeof(header) - 1;
	if (len > KNIT_STORE_INDEX_MAX || len < hl || memcmp(text, header, hl) || text[len - 1] != '\n' ||
	    memchr(text, '\0', len))
		return KNIT_EPARSE;
	for (const char *p = text + hl, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct knit_store_item it;
		if (out->n >= MAX_ITEMS || !parse_line(&it, p, nl) ||
		    (out->n && strcmp(out->items[out->n - 1].path, it.path) >= 0)) {
			free(it.path);
			free(it.target);
			knit_store_index_release(out);
			return KNIT_EPARSE;
		}
		KNIT_ALLOC_GROW(out->items, out->n + 1, out->alloc);
		out->items[out->n++] = it;
		p = nl + 1;
	}
	return 0;
}
