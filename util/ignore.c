#include "ignore.h"
#include "strbuf.h"
#include "xalloc.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

void knit_ignore_add(struct knit_ignore *ig, const char *base, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	/* trailing spaces go unless escaped with a backslash */
	while (n && line[n - 1] == ' ' && !(n >= 2 && line[n - 2] == '\\'))
		n--;
	if (!n || line[0] == '#')
		return;
	struct knit_ignore_rule r = { 0 };
	const char *p = line;
	if (*p == '!') {
		r.negate = true;
		p++, n--;
	} else if (*p == '\\' && (p[1] == '!' || p[1] == '#')) {
		p++, n--;
	}
	if (n && p[n - 1] == '/') {
		r.dir_only = true;
		while (n && p[n - 1] == '/')
			n--;
	}
	if (!n)
		return;
	char *pat = knit_xmemdupz(p, n);
	/* a slash at the start or in the middle anchors; a leading **\/ does not matter */
	r.anchored = strchr(pat, '/') != NULL;
	char *start = pat;
	while (*start == '/')
		start++;
	r.pattern = knit_xstrdup(start);
	free(pat);
	if (!*r.pattern) {
		free(r.pattern);
		return;
	}
	r.base = knit_xstrdup(base ? base : "");
	KNIT_ALLOC_GROW(ig->items, ig->n + 1, ig->alloc);
	ig->items[ig->n++] = r;
}

void knit_ignore_add_text(struct knit_ignore *ig, const char *base, const char *text)
{
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = knit_xmemdupz(p, len);
		knit_ignore_add(ig, base, line);
		free(line);
		p += len + (eol ? 1 : 0);
	}
}

/* pattern and path as '/'-separated segments; "**" matches any number of them. */
static bool match_segments(const char *pat, const char *path)
{
	if (!*pat)
		return !*path;
	const char *pend = strchr(pat, '/');
	size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
	const char *pnext = pend ? pend + 1 : pat + plen;
	if (plen == 2 && !strncmp(pat, "**", 2)) {
		if (!*pnext)
			return true; /* a trailing ** takes everything left */
		for (const char *at = path;;) {
			if (match_segments(pnext, at))
				return true;
			const char *slash = strchr(at, '/');
			if (!slash)
				return false;
			at = slash + 1;
		}
	}
	if (!*path)
		return false;
	const char *send = strchr(path, '/');
	size_t slen = send ? (size_t)(send - path) : strlen(path);
	char *ps = knit_xmemdupz(pat, plen), *ss = knit_xmemdupz(path, slen);
	bool ok = fnmatch(ps, ss, 0) == 0;
	free(ps);
	free(ss);
	if (!ok)
		return false;
	if (!*pnext)
		return !send;
	return send && match_segments(pnext, send + 1);
}

static bool rule_matches(const struct knit_ignore_rule *r, const char *path, bool is_dir)
{
	if (r->dir_only && !is_dir)
		return false;
	size_t bl = strlen(r->base);
	if (bl) {
		if (strncmp(path, r->base, bl) || path[bl] != '/')
			return false;
		path += bl + 1;
	}
	if (r->anchored)
		return match_segments(r->pattern, path);
	const char *name = strrchr(path, '/');
	return fnmatch(r->pattern, name ? name + 1 : path, 0) == 0;
}

enum knit_ignore_verdict knit_ignore_check(const struct knit_ignore *ig, const char *path, bool is_dir)
{
	for (size_t i = ig->n; i-- > 0;)
		if (rule_matches(&ig->items[i], path, is_dir))
			return ig->items[i].negate ? KNIT_IGNORE_INCLUDED : KNIT_IGNORE_EXCLUDED;
	return KNIT_IGNORE_NONE;
}

bool knit_ignore_covers(const char *pattern, const char *path)
{
	struct knit_ignore one = { 0 };
	while (pattern[0] == '.' && pattern[1] == '/')
		pattern += 2;
	knit_ignore_add(&one, "", pattern);
	bool hit = false;
	if (one.n && !one.items[0].negate) {
		struct strbuf at = STRBUF_INIT;
		strbuf_addstr(&at, path);
		/* the file itself, then each folder above it */
		for (bool is_dir = false; at.len && !hit; is_dir = true) {
			hit = rule_matches(&one.items[0], at.buf, is_dir);
			char *slash = strrchr(at.buf, '/');
			strbuf_setlen(&at, slash ? (size_t)(slash - at.buf) : 0);
		}
		strbuf_release(&at);
	}
	knit_ignore_release(&one);
	return hit;
}

void knit_ignore_release(struct knit_ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++) {
		free(ig->items[i].base);
		free(ig->items[i].pattern);
	}
	free(ig->items);
	memset(ig, 0, sizeof(*ig));
}
