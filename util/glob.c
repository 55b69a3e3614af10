#include "glob.h"
#include "strbuf.h"
#include "xalloc.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct segs {
	char **items;
	size_t n;
};

static void split(const char *pattern, struct segs *out)
{
	out->items = knit_xcalloc(strlen(pattern) + 1, sizeof(*out->items));
	out->n = 0;
	const char *p = pattern;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len && !(len == 1 && *p == '.'))
			out->items[out->n++] = knit_xmemdupz(p, len);
		p += len + (slash ? 1 : 0);
	}
}

static void add(struct knit_paths *out, const char *path)
{
	KNIT_ALLOC_GROW(out->items, out->n + 1, out->alloc);
	out->items[out->n++] = knit_xstrdup(path);
}

/* A folder still to read: its path relative to base ("" at the top) and the segment it must match next. */
struct task {
	char *rel;
	size_t at;
};

struct tasks {
	struct task *items;
	size_t n, alloc;
};

static void push(struct tasks *t, const char *rel, size_t at)
{
	KNIT_ALLOC_GROW(t->items, t->n + 1, t->alloc);
	t->items[t->n++] = (struct task){ knit_xstrdup(rel), at };
}

/*
 * One folder against segment at: matches added, folders to read next
 * pushed. A list of tasks instead of recursion, so that "**" over a deep
 * tree takes memory, not stack.
 */
static void walk_one(const char *base, struct strbuf *rel, const struct segs *s, size_t at,
		     struct tasks *todo, struct knit_paths *out)
{
	if (at == s->n)
		return;
	const char *seg = s->items[at];
	bool globstar = !strcmp(seg, "**");
	if (globstar)
		push(todo, rel->buf, at + 1); /* ** as no folder at all */
	struct strbuf dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s%s%s", base, rel->len ? "/" : "", rel->buf);
	DIR *d = opendir(dir.buf);
	strbuf_release(&dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t keep = rel->len;
		if (rel->len)
			strbuf_addch(rel, '/');
		strbuf_addstr(rel, e->d_name);
		/* readdir's type saves a stat per entry; lstat only when the filesystem does not say */
		bool is_dir = e->d_type == DT_DIR, is_file = e->d_type == DT_REG;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			struct strbuf full = STRBUF_INIT;
			strbuf_addf(&full, "%s/%s", base, rel->buf);
			if (!lstat(full.buf, &st)) {
				is_dir = S_ISDIR(st.st_mode);
				is_file = S_ISREG(st.st_mode);
			}
			strbuf_release(&full);
		}
		if (globstar) {
			if (is_dir && e->d_name[0] != '.')
				push(todo, rel->buf, at); /* ** spanning this folder too */
		} else if (!fnmatch(seg, e->d_name, FNM_PERIOD)) {
			if (at + 1 == s->n && is_file)
				add(out, rel->buf);
			else if (at + 1 < s->n && is_dir)
				push(todo, rel->buf, at + 1);
		}
		strbuf_setlen(rel, keep);
	}
	closedir(d);
}

static void walk(const char *base, const struct segs *s, struct knit_paths *out)
{
	struct tasks todo = { NULL, 0, 0 };
	struct strbuf rel = STRBUF_INIT;
	push(&todo, "", 0);
	while (todo.n) {
		struct task t = todo.items[--todo.n];
		strbuf_reset(&rel);
		strbuf_addstr(&rel, t.rel);
		free(t.rel);
		walk_one(base, &rel, s, t.at, &todo, out);
	}
	free(todo.items);
	strbuf_release(&rel);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts out and drops repeats. */
static void sort_unique(struct knit_paths *out)
{
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), by_path);
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (k && !strcmp(out->items[k - 1], out->items[i]))
			free(out->items[i]);
		else
			out->items[k++] = out->items[i];
	}
	out->n = k;
}

void knit_glob(const char *dir, const char *pattern, struct knit_paths *out)
{
	struct segs s;
	split(pattern, &s);
	walk(dir, &s, out);
	for (size_t i = 0; i < s.n; i++)
		free(s.items[i]);
	free(s.items);
	sort_unique(out);
}

/*
 * Whether the path's components comp[0..nc) match the segments, as walk
 * would find the file: a segment other than "**" matches one component by
 * fnmatch (a folder's when segments follow, else the file's), "**" any
 * number of folders not starting with a dot. Table from the end, no
 * recursion: match[i][j] is whether segments i.. match components j...
 */
static bool path_matches(const struct segs *s, char **comp, size_t nc)
{
	size_t w = nc + 1;
	bool *m = knit_xcalloc((s->n + 1) * w, sizeof(*m));
	m[s->n * w + nc] = true;
	for (size_t i = s->n; i-- > 0;) {
		bool globstar = !strcmp(s->items[i], "**");
		for (size_t j = nc + 1; j-- > 0;) {
			bool yes;
			if (globstar)
				yes = m[(i + 1) * w + j] || (j + 1 < nc && comp[j][0] != '.' && m[i * w + j + 1]);
			else
				yes = j < nc && (i + 1 == s->n ? j + 1 == nc : j + 1 < nc) &&
				      !fnmatch(s->items[i], comp[j], FNM_PERIOD) && m[(i + 1) * w + j + 1];
			m[i * w + j] = yes;
		}
	}
	bool yes = m[0];
	free(m);
	return yes;
}

void knit_glob_files(const char *const *files, size_t n, const char *pattern, struct knit_paths *out)
{
	struct segs s;
	split(pattern, &s);
	char **comp = NULL;
	size_t alloc = 0;
	struct strbuf copy = STRBUF_INIT;
	for (size_t f = 0; f < n && s.n; f++) {
		strbuf_reset(&copy);
		strbuf_addstr(&copy, files[f]);
		size_t nc = 0;
		for (char *p = copy.buf;;) {
			KNIT_ALLOC_GROW(comp, nc + 1, alloc);
			comp[nc++] = p;
			char *slash = strchr(p, '/');
			if (!slash)
				break;
			*slash = '\0';
			p = slash + 1;
		}
		if (path_matches(&s, comp, nc))
			add(out, files[f]);
	}
	free(comp);
	strbuf_release(&copy);
	for (size_t i = 0; i < s.n; i++)
		free(s.items[i]);
	free(s.items);
	sort_unique(out);
}

void knit_paths_release(struct knit_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}
