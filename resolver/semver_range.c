/*
 * Ranges: node-semver's classes/range.js pipeline, step for step.
 *
 * Each step is a string rewrite in node-semver (strip build metadata, hyphen
 * ranges, comparator trim, tilde and caret trim, then per token carets,
 * tildes, x-ranges, stars, >=0.0.0). Here each step first checks cheaply
 * whether its regex could apply, handles the common shapes by hand, and runs
 * the exact PCRE2 pattern for everything else. `exact` switches the hand
 * paths off so that tests can compare both.
 */
#include "semver_internal.h"
#include "../util/error.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct pipeline {
	unsigned flags;
	bool exact;
};

static inline bool loose(const struct pipeline *pl) { return pl->flags & KNIT_SEMVER_LOOSE; }
static inline bool incpr(const struct pipeline *pl)
{
	return pl->flags & KNIT_SEMVER_INCLUDE_PRERELEASE;
}
static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(s + i, needle, n))
			return true;
	return false;
}

static void add_cap(struct strbuf *out, struct knit__cap c)
{
	if (c.ptr)
		strbuf_add(out, c.ptr, c.len);
}

/* isX(): undefined, "", x, X or * */
static bool is_x(struct knit__cap c)
{
	return !c.ptr || !c.len ||
	       (c.len == 1 && (c.ptr[0] == 'x' || c.ptr[0] == 'X' || c.ptr[0] == '*'));
}

static bool cap_is(struct knit__cap c, const char *s)
{
	return c.ptr && c.len == strlen(s) && !memcmp(c.ptr, s, c.len);
}

static void add_plus_one(struct strbuf *out, struct knit__cap c)
{
	knit__js_digits_plus_one(out, c.ptr, c.len);
}

/* --- the hand path of XRANGEPLAIN ----------------------------------------- */

/* One XRANGEIDENTIFIER(LOOSE): digits, x, X or *. */
static const char *fast_xid(const char *p, const char *end, bool lse, struct knit__cap *c)
{
	const char *start = p;
	if (p == end)
		return NULL;
	if (*p == 'x' || *p == 'X' || *p == '*') {
		p++;
	} else {
		while (p < end && is_digit(*p))
			p++;
		if (p == start || p - start > 200)
			return NULL;
		if (!lse && *start == '0' && p - start > 1)
			return NULL;
	}
	c->ptr = start;
	c->len = (size_t)(p - start);
	return p;
}

/*
 * XRANGEPLAIN anchored at both ends, without the [v=\s]* prefix and without
 * build metadata: caps[0..3] = M, m, p, prerelease. false: ask the regex.
 */
static bool fast_xrange_plain(const char *p, const char *end, bool lse, struct knit__cap caps[4])
{
	memset(caps, 0, 4 * sizeof(*caps));
	for (int i = 0; i < 3; i++) {
		if (!(p = fast_xid(p, end, lse, &caps[i])))
			return false;
		if (p == end)
			return true;
		if (i < 2 && *p++ != '.')
			return false;
	}
	if (*p == '-' || (lse && *p != '+')) {
		if (*p == '-')
			p++;
		const char *e = knit__scan_ids(p, end, true, lse);
		if (!e)
			return false;
		caps[3].ptr = p;
		caps[3].len = (size_t)(e - p);
		p = e;
	}
	return p == end;
}

/* --- desugaring, as node-semver's replace callbacks ----------------------- */

static void caret_replace(struct strbuf *out, struct knit__cap M, struct knit__cap m,
			  struct knit__cap p, struct knit__cap pr, bool ip)
{
	const char *z = ip ? "-0" : "";
	if (is_x(M))
		return;
	if (is_x(m)) {
		strbuf_addstr(out, ">=");
		add_cap(out, M);
		strbuf_addf(out, ".0.0%s <", z);
		add_plus_one(out, M);
		strbuf_addstr(out, ".0.0-0");
	} else if (is_x(p)) {
		strbuf_addstr(out, ">=");
		add_cap(out, M);
		strbuf_addch(out, '.');
		add_cap(out, m);
		strbuf_addf(out, ".0%s <", z);
		if (cap_is(M, "0")) {
			add_cap(out, M);
			strbuf_addch(out, '.');
			add_plus_one(out, m);
			strbuf_addstr(out, ".0-0");
		} else {
			add_plus_one(out, M);
			strbuf_addstr(out, ".0.0-0");
		}
	} else {
		strbuf_addstr(out, ">=");
		add_cap(out, M);
		strbuf_addch(out, '.');
		add_cap(out, m);
		strbuf_addch(out, '.');
		add_cap(out, p);
		if (pr.ptr && pr.len) {
			strbuf_addch(out, '-');
			add_cap(out, pr);
		}
		strbuf_addstr(out, " <");
		if (cap_is(M, "0")) {
			add_cap(out, M);
			strbuf_addch(out, '.');
			if (cap_is(m, "0")) {
				add_cap(out, m);
				strbuf_addch(out, '.');
				add_plus_one(out, p);
				strbuf_addstr(out, "-0");
			} else {
				add_plus_one(out, m);
				strbuf_addstr(out, ".0-0");
			}
		} else {
			add_plus_one(out, M);
			strbuf_addstr(out, ".0.0-0");
		}
	}
}

static void tilde_replace(struct strbuf *out, struct knit__cap M, struct knit__cap m,
			  struct knit__cap p, struct knit__cap pr, bool ip)
{
	const char *z = ip ? "-0" : "";
	if (is_x(M))
		return;
	strbuf_addstr(out, ">=");
	add_cap(out, M);
	if (is_x(m)) {
		strbuf_addf(out, ".0.0%s <", z);
		add_plus_one(out, M);
		strbuf_addstr(out, ".0.0-0");
		return;
	}
	strbuf_addch(out, '.');
	add_cap(out, m);
	if (is_x(p)) {
		strbuf_addf(out, ".0%s", z);
	} else {
		strbuf_addch(out, '.');
		add_cap(out, p);
		if (pr.ptr && pr.len) {
			strbuf_addch(out, '-');
			add_cap(out, pr);
		}
	}
	strbuf_addstr(out, " <");
	add_cap(out, M);
	strbuf_addch(out, '.');
	add_plus_one(out, m);
	strbuf_addstr(out, ".0-0");
}

/* replaceXRange's callback; `whole` is the token it returns unchanged. */
static void xrange_replace(struct strbuf *out, const char *whole, size_t wlen,
			   struct knit__cap gtlt_cap, struct knit__cap M, struct knit__cap m,
			   struct knit__cap p, bool ip)
{
	char gtlt[3] = "";
	if (gtlt_cap.ptr)
		memcpy(gtlt, gtlt_cap.ptr, gtlt_cap.len < 2 ? gtlt_cap.len : 2);

	/* invalidXRangeOrder: a number after an x */
	if ((is_x(M) && !is_x(m)) || (is_x(m) && p.ptr && p.len && !is_x(p))) {
		strbuf_add(out, whole, wlen);
		return;
	}
	bool xM = is_x(M), xm = xM || is_x(m), xp = xm || is_x(p), any_x = xp;
	if (!strcmp(gtlt, "=") && any_x)
		gtlt[0] = '\0';
	const char *pr = ip ? "-0" : "";

	if (xM) {
		strbuf_addstr(out, !strcmp(gtlt, ">") || !strcmp(gtlt, "<") ? "<0.0.0-0" : "*");
	} else if (gtlt[0] && any_x) {
		/* M stays text unless incremented; m is 0, text, or text + 1 */
		bool M_inc = false, m_zero = xm, m_inc = false;
		if (!strcmp(gtlt, ">")) {
			strcpy(gtlt, ">=");
			if (xm)
				M_inc = true;
			else
				m_inc = true;
		} else if (!strcmp(gtlt, "<=")) {
			strcpy(gtlt, "<");
			if (xm)
				M_inc = true;
			else
				m_inc = true;
		}
		if (!strcmp(gtlt, "<"))
			pr = "-0";
		strbuf_addstr(out, gtlt);
		if (M_inc)
			add_plus_one(out, M);
		else
			add_cap(out, M);
		strbuf_addch(out, '.');
		if (m_zero)
			strbuf_addch(out, '0');
		else if (m_inc)
			add_plus_one(out, m);
		else
			add_cap(out, m);
		strbuf_addf(out, ".0%s", pr);
	} else if (xm) {
		strbuf_addstr(out, ">=");
		add_cap(out, M);
		strbuf_addf(out, ".0.0%s <", pr);
		add_plus_one(out, M);
		strbuf_addstr(out, ".0.0-0");
	} else if (xp) {
		strbuf_addstr(out, ">=");
		add_cap(out, M);
		strbuf_addch(out, '.');
		add_cap(out, m);
		strbuf_addf(out, ".0%s <", pr);
		add_cap(out, M);
		strbuf_addch(out, '.');
		add_plus_one(out, m);
		strbuf_addstr(out, ".0-0");
	} else {
		strbuf_add(out, whole, wlen);
	}
}

static void hyphen_replace(struct strbuf *out, const struct knit__match *mt, bool ip)
{
	const struct knit__cap *c = mt->cap;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;

	if (is_x(c[2])) {
		/* from = '' */
	} else if (is_x(c[3])) {
		strbuf_addstr(&from, ">=");
		add_cap(&from, c[2]);
		strbuf_addf(&from, ".0.0%s", ip ? "-0" : "");
	} else if (is_x(c[4])) {
		strbuf_addstr(&from, ">=");
		add_cap(&from, c[2]);
		strbuf_addch(&from, '.');
		add_cap(&from, c[3]);
		strbuf_addf(&from, ".0%s", ip ? "-0" : "");
	} else if (c[5].ptr && c[5].len) {
		strbuf_addstr(&from, ">=");
		add_cap(&from, c[1]);
	} else {
		strbuf_addstr(&from, ">=");
		add_cap(&from, c[1]);
		strbuf_addstr(&from, ip ? "-0" : "");
	}

	if (is_x(c[8])) {
		/* to = '' */
	} else if (is_x(c[9])) {
		strbuf_addch(&to, '<');
		add_plus_one(&to, c[8]);
		strbuf_addstr(&to, ".0.0-0");
	} else if (is_x(c[10])) {
		strbuf_addch(&to, '<');
		add_cap(&to, c[8]);
		strbuf_addch(&to, '.');
		add_plus_one(&to, c[9]);
		strbuf_addstr(&to, ".0-0");
	} else if (c[11].ptr && c[11].len) {
		strbuf_addstr(&to, "<=");
		add_cap(&to, c[8]);
		strbuf_addch(&to, '.');
		add_cap(&to, c[9]);
		strbuf_addch(&to, '.');
		add_cap(&to, c[10]);
		strbuf_addch(&to, '-');
		add_cap(&to, c[11]);
	} else if (ip) {
		strbuf_addch(&to, '<');
		add_cap(&to, c[8]);
		strbuf_addch(&to, '.');
		add_cap(&to, c[9]);
		strbuf_addch(&to, '.');
		add_plus_one(&to, c[10]);
		strbuf_addstr(&to, "-0");
	} else {
		strbuf_addstr(&to, "<=");
		add_cap(&to, c[7]);
	}

	/* `${from} ${to}`.trim() */
	struct strbuf both = STRBUF_INIT;
	strbuf_addf(&both, "%s %s", from.buf, to.buf);
	const char *s = both.buf;
	size_t n = both.len;
	knit__js_trim(&s, &n);
	strbuf_add(out, s, n);
	strbuf_release(&both);
	strbuf_release(&from);
	strbuf_release(&to);
}

/* --- whole-string steps ---------------------------------------------------- */

/* String.replace(globalRegex, fixedText-or-$1-prefixed) as the trims use it. */
static void replace_all(struct strbuf *out, const char *s, size_t len, enum knit__re re,
			const char *with, bool keep_cap1)
{
	size_t pos = 0, copied = 0;
	struct knit__match m;
	while (pos <= len && knit__re_exec(re, s, len, pos, &m)) {
		strbuf_add(out, s + copied, m.start - copied);
		if (keep_cap1)
			add_cap(out, m.cap[1]);
		strbuf_addstr(out, with);
		copied = m.end;
		pos = m.end > m.start ? m.end : m.end + 1;
	}
	strbuf_add(out, s + copied, len - copied);
}

static void strip_build(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	if (!pl->exact && !memchr(s, '+', len)) {
		strbuf_add(out, s, len);
		return;
	}
	replace_all(out, s, len, KNIT_RE_BUILD_UNBOUNDED, "", false);
}

static void replace_hyphen(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	struct knit__match m;
	if ((pl->exact || contains(s, len, " - ")) &&
	    knit__re_exec(loose(pl) ? KNIT_RE_HYPHEN_LOOSE : KNIT_RE_HYPHEN, s, len, 0, &m)) {
		hyphen_replace(out, &m, incpr(pl));
		return;
	}
	strbuf_add(out, s, len);
}

/* --- trimComparatorWhitespace (internal/trim-comparator-whitespace.js) ----- */

struct scan {
	const char *s;
	size_t len;
};

static inline char at(const struct scan *sc, size_t i) { return i < sc->len ? sc->s[i] : '\0'; }
static inline bool sc_digit(const struct scan *sc, size_t i) { return is_digit(at(sc, i)); }
static inline bool sc_letter(const struct scan *sc, size_t i)
{
	char c = at(sc, i);
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool sc_ident(const struct scan *sc, size_t i)
{
	return sc_digit(sc, i) || sc_letter(sc, i) || at(sc, i) == '-';
}
static inline bool sc_ws(const struct scan *sc, size_t i)
{
	return i < sc->len && knit__js_ws_at(sc->s + i, sc->len - i);
}
static inline bool sc_prefix(const struct scan *sc, size_t i)
{
	return at(sc, i) == 'v' || at(sc, i) == '=' || sc_ws(sc, i);
}
static inline bool sc_vstart(const struct scan *sc, size_t i)
{
	char c = at(sc, i);
	return is_digit(c) || c == 'x' || c == 'X' || c == '*';
}

static size_t digits_end(const struct scan *sc, size_t start, size_t limit)
{
	size_t end = start;
	if (!sc_digit(sc, start))
		return start;
	while (sc_digit(sc, end))
		end++;
	return end < start + limit ? end : start + limit;
}

static size_t number_end(const struct scan *sc, size_t start, bool lse)
{
	if (!lse && at(sc, start) == '0')
		return start + 1;
	return digits_end(sc, start, lse ? KNIT_SEMVER_MAX_LENGTH : KNIT_SEMVER_MAX_LENGTH + 1);
}

static size_t pre_ident_end(const struct scan *sc, size_t start, bool lse)
{
	size_t d = digits_end(sc, start, KNIT_SEMVER_MAX_LENGTH);
	if (sc_letter(sc, d) || at(sc, d) == '-') {
		size_t end = d + 1, limit = end + KNIT_SEMVER_MAX_LENGTH - 6;
		while (end < limit && sc_ident(sc, end))
			end++;
		return end;
	}
	return number_end(sc, start, lse);
}

static size_t prerelease_end(const struct scan *sc, size_t start, bool lse)
{
	bool hyphen = at(sc, start) == '-';
	if (!lse && !hyphen)
		return start;
	size_t id_start = start + (hyphen ? 1 : 0);
	size_t end = pre_ident_end(sc, id_start, lse);
	if (end == id_start) {
		if (!lse || !hyphen)
			return start;
		end = pre_ident_end(sc, start, lse);
	}
	while (at(sc, end) == '.') {
		size_t next = pre_ident_end(sc, end + 1, lse);
		if (next == end + 1)
			break;
		end = next;
	}
	return end;
}

static size_t build_ident_end(const struct scan *sc, size_t start)
{
	size_t end = start;
	while (end - start < KNIT_SEMVER_MAX_LENGTH - 6 && sc_ident(sc, end))
		end++;
	return end;
}

static size_t build_end(const struct scan *sc, size_t start)
{
	if (at(sc, start) != '+')
		return start;
	size_t end = build_ident_end(sc, start + 1);
	if (end == start + 1)
		return start;
	while (at(sc, end) == '.') {
		size_t next = build_ident_end(sc, end + 1);
		if (next == end + 1)
			break;
		end = next;
	}
	return end;
}

static size_t loose_full_end(const struct scan *sc, size_t start)
{
	size_t end = start;
	for (int comp = 0; comp < 3; comp++) {
		size_t next = number_end(sc, end, true);
		if (next == end)
			return start;
		end = next;
		if (comp < 2) {
			if (at(sc, end) != '.')
				return start;
			end++;
		}
	}
	return build_end(sc, prerelease_end(sc, end, true));
}

static size_t partial_component_end(const struct scan *sc, size_t start)
{
	if (sc_digit(sc, start))
		return number_end(sc, start, false);
	return sc_vstart(sc, start) ? start + 1 : start;
}

static size_t partial_end(const struct scan *sc, size_t start)
{
	size_t end = partial_component_end(sc, start);
	for (int comp = 0; comp < 2; comp++) {
		if (at(sc, end) != '.')
			return end;
		size_t next = partial_component_end(sc, end + 1);
		if (next == end + 1)
			return end;
		end = next;
	}
	return build_end(sc, prerelease_end(sc, end, false));
}

static size_t removable_ws(const struct scan *sc, size_t pos)
{
	if (sc_ws(sc, pos))
		pos += knit__js_ws_at(sc->s + pos, sc->len - pos);
	if (at(sc, pos) == '<' || at(sc, pos) == '>')
		pos++;
	if (at(sc, pos) == '=')
		pos++;
	return sc_ws(sc, pos) ? pos : (size_t)-1;
}

static void trim_comparator_ws(const struct pipeline *pl, struct strbuf *out, const char *s,
			       size_t len)
{
	struct scan sc = { s, len };
	size_t copy_from = 0, cursor = 0;

	/* removal needs an operator or '=' directly before whitespace */
	if (!pl->exact && !contains(s, len, "< ") && !contains(s, len, "> ") &&
	    !contains(s, len, "= ")) {
		strbuf_add(out, s, len);
		return;
	}
	while (cursor < len) {
		size_t match_start = cursor;
		if (at(&sc, cursor) == '<' || at(&sc, cursor) == '>') {
			cursor++;
		} else if (!sc_prefix(&sc, cursor) && !sc_vstart(&sc, cursor)) {
			cursor++;
			continue;
		}
		while (cursor < len && sc_prefix(&sc, cursor))
			cursor += sc_ws(&sc, cursor) ? knit__js_ws_at(s + cursor, len - cursor) : 1;
		if (!sc_vstart(&sc, cursor))
			continue;
		size_t ws = removable_ws(&sc, match_start);
		if (ws != (size_t)-1) {
			strbuf_add(out, s + copy_from, ws - copy_from);
			copy_from = ws + knit__js_ws_at(s + ws, len - ws);
		}
		size_t full = loose_full_end(&sc, cursor);
		cursor = full != cursor ? full : partial_end(&sc, cursor);
	}
	strbuf_add(out, s + copy_from, len - copy_from);
}

static void lone_trim(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len,
		      enum knit__re re, const char *with, const char *n1, const char *n2)
{
	if (!pl->exact && !contains(s, len, n1) && (!n2 || !contains(s, len, n2))) {
		strbuf_add(out, s, len);
		return;
	}
	replace_all(out, s, len, re, with, true);
}

/* --- per-token steps ------------------------------------------------------- */

typedef void (*token_fn)(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len);

/*
 * str.split(/\s+/).map(fn).join(' '), after trim() when asked. Whitespace is
 * only ever ' ' here: the range was collapsed before the pipeline.
 */
static void map_tokens(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len,
		       bool trim, token_fn fn)
{
	if (trim)
		knit__js_trim(&s, &len);
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		fn(pl, out, s + start, i - start);
		if (i >= len)
			break;
		while (i < len && s[i] == ' ')
			i++;
		strbuf_addch(out, ' ');
		if (i == len) {
			fn(pl, out, s + len, 0);
			break;
		}
	}
}

static void replace_caret(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	struct knit__cap c[4];
	struct knit__match m;
	if (!len || s[0] != '^') {
		strbuf_add(out, s, len);
	} else if (!pl->exact && fast_xrange_plain(s + 1, s + len, loose(pl), c)) {
		caret_replace(out, c[0], c[1], c[2], c[3], incpr(pl));
	} else if (knit__re_exec(loose(pl) ? KNIT_RE_CARET_LOOSE : KNIT_RE_CARET, s, len, 0, &m)) {
		caret_replace(out, m.cap[1], m.cap[2], m.cap[3], m.cap[4], incpr(pl));
	} else {
		strbuf_add(out, s, len);
	}
}

static void replace_tilde(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	struct knit__cap c[4];
	struct knit__match m;
	size_t skip = len > 1 && s[1] == '>' ? 2 : 1;
	if (!len || s[0] != '~') {
		strbuf_add(out, s, len);
	} else if (!pl->exact && fast_xrange_plain(s + skip, s + len, loose(pl), c)) {
		tilde_replace(out, c[0], c[1], c[2], c[3], incpr(pl));
	} else if (knit__re_exec(loose(pl) ? KNIT_RE_TILDE_LOOSE : KNIT_RE_TILDE, s, len, 0, &m)) {
		tilde_replace(out, m.cap[1], m.cap[2], m.cap[3], m.cap[4], incpr(pl));
	} else {
		strbuf_add(out, s, len);
	}
}

static void replace_xrange(const struct pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	struct knit__cap c[4];
	struct knit__match m;

	knit__js_trim(&s, &len);
	if (!pl->exact) {
		size_t op = 0;
		if (op < len && (s[op] == '<' || s[op] == '>'))
			op++;
		if (op < len && s[op] == '=')
			op++;
		if (fast_xrange_plain(s + op, s + len, loose(pl), c)) {
			struct knit__cap gtlt = { s, op };
			xrange_replace(out, s, len, gtlt, c[0], c[1], c[2], incpr(pl));
			return;
		}
	}
	if (knit__re_exec(loose(pl) ? KNIT_RE_XRANGE_LOOSE : KNIT_RE_XRANGE, s, len, 0, &m))
		xrange_replace(out, s, len, m.cap[1], m.cap[2], m.cap[3], m.cap[4], incpr(pl));
	else
		strbuf_add(out, s, len);
}

/* One token of the split(' ') in parseRange: parseComparator(). */
static void parse_comparator_text(const struct pipeline *pl, struct strbuf *out, const char *s,
				  size_t len)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct knit__match m;

	map_tokens(pl, &a, s, len, true, replace_caret);
	map_tokens(pl, &b, a.buf, a.len, true, replace_tilde);
	strbuf_reset(&a);
	map_tokens(pl, &a, b.buf, b.len, false, replace_xrange);
	/* replaceStars: trim, then drop the first star comparator */
	const char *t = a.buf;
	size_t n = a.len;
	knit__js_trim(&t, &n);
	if ((pl->exact || memchr(t, '*', n)) && knit__re_exec(KNIT_RE_STAR, t, n, 0, &m)) {
		strbuf_add(out, t, m.start);
		strbuf_add(out, t + m.end, n - m.end);
	} else {
		strbuf_add(out, t, n);
	}
	strbuf_release(&a);
	strbuf_release(&b);
}

/* --- comparators ----------------------------------------------------------- */

enum { COMP_OK = 0, COMP_DROPPED = 1 };

/*
 * new Comparator(token) for one token with no whitespace, after the loose
 * filter: 0, COMP_DROPPED (loose mode, not a loose comparator), or
 * KNIT_EINVALID_RANGE (node-semver throws).
 */
static int comparator_from_token(const struct pipeline *pl, struct knit_comparator *out,
				 const char *s, size_t len)
{
	struct knit__match m;
	unsigned vflags = loose(pl) ? KNIT_SEMVER_LOOSE : 0;
	size_t op = 0;

	memset(out, 0, sizeof(*out));
	if (!len) {
		out->op = KNIT_OP_ANY;
		return 0;
	}
	if (s[0] == '<' || s[0] == '>')
		op++;
	if (op < len && s[op] == '=')
		op++;
	out->op = s[0] == '<' ? (op == 2 ? KNIT_OP_LTE : KNIT_OP_LT)
		: s[0] == '>' ? (op == 2 ? KNIT_OP_GTE : KNIT_OP_GT)
		: KNIT_OP_EQ;
	if (!pl->exact && len - op <= KNIT_SEMVER_MAX_LENGTH) {
		int rc = knit__version_parse_fast(&out->v, s + op, len - op, vflags);
		if (rc == 0)
			return 0;
		if (rc != 1)
			return KNIT_EINVALID_RANGE;
	}
	if (!knit__re_exec(loose(pl) ? KNIT_RE_COMPARATOR_LOOSE : KNIT_RE_COMPARATOR, s, len, 0, &m))
		return loose(pl) ? COMP_DROPPED : KNIT_EINVALID_RANGE;
	struct knit__cap opc = m.cap[1], ver = m.cap[2];
	op = opc.ptr ? opc.len : 0;
	out->op = !op ? KNIT_OP_EQ
		: opc.ptr[0] == '<' ? (op == 2 ? KNIT_OP_LTE : KNIT_OP_LT)
		: opc.ptr[0] == '>' ? (op == 2 ? KNIT_OP_GTE : KNIT_OP_GT)
		: KNIT_OP_EQ;
	if (!ver.ptr || !ver.len) {
		out->op = KNIT_OP_ANY;
		return 0;
	}
	if (knit__utf16_len(ver.ptr, ver.len) > KNIT_SEMVER_MAX_LENGTH ||
	    knit__version_parse_trimmed(&out->v, ver.ptr, ver.len, vflags))
		return KNIT_EINVALID_RANGE;
	return 0;
}

bool knit__comparator_is_null_set(const struct knit_comparator *c)
{
	return c->op == KNIT_OP_LT && !c->v.major && !c->v.minor && !c->v.patch &&
	       c->v.npre == 1 && c->v.ids[0].kind == KNIT_IDENT_NUMBER && c->v.ids[0].num == 0;
}

static bool versions_print_same(const struct knit_version *a, const struct knit_version *b)
{
	if (knit_version_compare_main(a, b) || a->npre != b->npre)
		return false;
	for (uint32_t i = 0; i < a->npre; i++) {
		const struct knit_semver_ident *x = &a->ids[i], *y = &b->ids[i];
		if ((x->kind == KNIT_IDENT_NUMBER) != (y->kind == KNIT_IDENT_NUMBER))
			return false;
		if (x->kind == KNIT_IDENT_NUMBER ? x->num != y->num
						   : x->len != y->len || memcmp(x->str, y->str, x->len))
			return false;
	}
	return true;
}

static bool comparator_same_value(const struct knit_comparator *a, const struct knit_comparator *b)
{
	if (a->op != b->op)
		return false;
	return a->op == KNIT_OP_ANY || versions_print_same(&a->v, &b->v);
}

/*
 * The comparators of one set while a range is built. Owned lists (the
 * pipeline's) hold malloc'd comparators whose versions own their ids;
 * borrowed ones (the direct path's) point into a stack arena.
 */
struct comp_list {
	struct knit_comparator *c;
	size_t n, alloc;
	bool borrowed;
};

static void drop_version(struct comp_list *l, struct knit_version *v)
{
	if (!l->borrowed)
		knit_version_release(v);
}

static void comp_list_release(struct comp_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		drop_version(l, &l->c[i].v);
	if (!l->borrowed)
		free(l->c);
	memset(l, 0, sizeof(*l));
}

struct set_list {
	struct comp_list *sets;
	size_t n, alloc;
};

/*
 * The rules parseRange() applies once a part's comparators are built: a
 * null set stands alone, duplicates (by value) go, and ANY goes when there
 * is anything else.
 */
static void normalize_set(struct comp_list *l)
{
	size_t w = 0;
	for (size_t k = 0; k < l->n; k++) {
		if (knit__comparator_is_null_set(&l->c[k])) {
			/* only the null set remains */
			struct knit_comparator null_set = l->c[k];
			for (size_t j = 0; j < l->n; j++)
				if (j != k)
					drop_version(l, &l->c[j].v);
			l->c[0] = null_set;
			l->n = 1;
			return;
		}
	}
	for (size_t k = 0; k < l->n; k++) {
		bool dup = false;
		for (size_t j = 0; j < w && !dup; j++)
			dup = comparator_same_value(&l->c[j], &l->c[k]);
		if (dup)
			drop_version(l, &l->c[k].v);
		else
			l->c[w++] = l->c[k];
	}
	l->n = w;
	/* with more than one comparator, drop ANY */
	if (l->n > 1) {
		for (size_t k = 0; k < l->n; k++) {
			if (l->c[k].op == KNIT_OP_ANY) {
				memmove(&l->c[k], &l->c[k + 1], (l->n - k - 1) * sizeof(*l->c));
				l->n--;
				break;
			}
		}
	}
}

/*
 * The tokens of a space-separated comparator string, after replaceGTE0, into
 * *l. Like node-semver, every comparator is built (and may throw) before the
 * null-set and duplicate rules apply.
 */
static int comparators_from_text(const struct pipeline *pl, struct comp_list *l, const char *s,
				 size_t len)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		const char *t = s + start;
		size_t n = i - start;
		/* replaceGTE0: the token has no whitespace, so the regex is a string compare */
		if ((n == 7 && !memcmp(t, ">=0.0.0", 7) && !incpr(pl)) ||
		    (n == 9 && !memcmp(t, ">=0.0.0-0", 9) && incpr(pl)))
			n = 0;
		struct knit_comparator c;
		int rc = comparator_from_token(pl, &c, t, n);
		if (rc < 0) {
			knit_version_release(&c.v);
			return rc;
		}
		if (rc == COMP_DROPPED) {
			knit_version_release(&c.v);
		} else {
			KNIT_ALLOC_GROW(l->c, l->n + 1, l->alloc);
			l->c[l->n++] = c;
		}
		if (i >= len)
			break;
		while (i < len && s[i] == ' ')
			i++;
	}

	normalize_set(l);
	return 0;
}

/* Range.parseRange() for one ||-separated part, already trimmed. */
static int parse_part(const struct pipeline *pl, struct comp_list *out, const char *s, size_t len)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int rc;

	strip_build(pl, &a, s, len);
	replace_hyphen(pl, &b, a.buf, a.len);
	strbuf_reset(&a);
	trim_comparator_ws(pl, &a, b.buf, b.len);
	strbuf_reset(&b);
	lone_trim(pl, &b, a.buf, a.len, KNIT_RE_TILDE_TRIM, "~", "~ ", "~> ");
	strbuf_reset(&a);
	lone_trim(pl, &a, b.buf, b.len, KNIT_RE_CARET_TRIM, "^", "^ ", NULL);
	strbuf_reset(&b);
	/* split(' ').map(parseComparator).join(' ') */
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < a.len && a.buf[i] != ' ')
			i++;
		if (start)
			strbuf_addch(&b, ' ');
		parse_comparator_text(pl, &b, a.buf + start, i - start);
		if (i >= a.len)
			break;
		i++;
	}
	/* .split(/\s+/) then the comparators; a leading space makes an empty token */
	rc = comparators_from_text(pl, out, b.buf, b.len);
	strbuf_release(&a);
	strbuf_release(&b);
	return rc;
}


/* --- the direct path: common range syntax straight into comparators ------- */

/*
 * Most ranges in manifests are a few tokens like ^1.2.3, ~1.2, >=1.0.0 <2,
 * 1.x or 1.2.3, joined by spaces and ||. For those, node-semver's string
 * rewriting has a closed form; this builds the comparators from it with no
 * intermediate text. Anything it does not recognise (hyphen ranges, build
 * metadata, odd spacing, prefixes, leading zeros, numbers of 16 digits or
 * more) returns 1 and takes the full pipeline.
 */

struct xr {
	int n;        /* parts given, 1 to 3 */
	bool x[3];    /* part is x, X or * (missing parts count as x) */
	uint64_t v[3];
	const char *pre;
	size_t prelen;
};

static const char *direct_part(const char *p, const char *end, bool *x, uint64_t *v)
{
	if (p == end)
		return NULL;
	if (*p == 'x' || *p == 'X' || *p == '*') {
		*x = true;
		*v = 0;
		return p + 1;
	}
	const char *start = p;
	uint64_t n = 0;
	while (p < end && is_digit(*p) && p - start < 16)
		n = n * 10 + (uint64_t)(*p++ - '0');
	if (p == start || p - start > 15 || (p < end && is_digit(*p)) || (*start == '0' && p - start > 1))
		return NULL;
	*x = false;
	*v = n;
	return p;
}

static bool direct_xrange(const char *p, const char *end, bool lse, struct xr *xr)
{
	memset(xr, 0, sizeof(*xr));
	xr->x[0] = xr->x[1] = xr->x[2] = true;
	for (int i = 0; i < 3; i++) {
		if (!(p = direct_part(p, end, &xr->x[i], &xr->v[i])))
			return false;
		xr->n = i + 1;
		if (p == end || *p != '.' || i == 2)
			break;
		p++;
	}
	if (xr->n == 3 && p < end && *p == '-') {
		const char *e = knit__scan_ids(p + 1, end, true, lse);
		if (!e || xr->x[0] || xr->x[1] || xr->x[2])
			return false;
		xr->pre = p + 1;
		xr->prelen = (size_t)(e - p - 1);
		p = e;
	}
	if (p != end)
		return false;
	/* a number after an x is left for the pipeline to reject */
	return !((xr->x[0] && !xr->x[1] && xr->n >= 2) || (xr->x[1] && !xr->x[2] && xr->n >= 3));
}

#define DIRECT_MAX_COMPS 32
#define DIRECT_MAX_IDS 64
#define DIRECT_MAX_SETS 16

/*
 * Stack storage for the direct path: it never calls malloc. In eval mode it
 * stores nothing and instead tests one packed release (key) as it goes,
 * each set being an interval of keys.
 */
struct direct_arena {
	struct knit_comparator c[DIRECT_MAX_COMPS];
	size_t nc;
	struct knit_semver_ident ids[DIRECT_MAX_IDS];
	size_t nids;
	struct comp_list sets[DIRECT_MAX_SETS];
	size_t nsets;
	bool full;
	bool eval, matched;
	uint64_t key, lo, hi;
};

/* Narrows the inclusive key interval [*lo, *hi] by one comparator. */
static void narrow(uint64_t *lo, uint64_t *hi, enum knit_cmp_op op, uint64_t k)
{
	switch (op) {
	case KNIT_OP_ANY: break;
	case KNIT_OP_EQ: if (k > *lo) *lo = k; if (k < *hi) *hi = k; break;
	case KNIT_OP_GTE: if (k > *lo) *lo = k; break;
	case KNIT_OP_LTE: if (k < *hi) *hi = k; break;
	case KNIT_OP_GT: if (k + 1 > *lo) *lo = k + 1; break; /* keys stay below 2^62 */
	case KNIT_OP_LT:
		if (k == 0)
			*lo = 1, *hi = 0;
		else if (k - 1 < *hi)
			*hi = k - 1;
		break;
	}
}

/* An interval no key falls in is stored as [UINT64_MAX, UINT64_MAX]. */
static void seal_interval(uint64_t *lo, uint64_t *hi)
{
	if (*lo > *hi)
		*lo = *hi = UINT64_MAX;
}

static void emit(struct direct_arena *a, enum knit_cmp_op op, uint64_t M, uint64_t m, uint64_t p,
		 const char *pre, size_t prelen, bool ip)
{
	struct comp_list *l = &a->sets[a->nsets];
	struct knit_comparator *c;

	if (a->nc == DIRECT_MAX_COMPS) {
		a->full = true;
		return;
	}
	/* replaceGTE0: ">=0.0.0", or ">=0.0.0-0" with includePrerelease, means any */
	if (op == KNIT_OP_GTE && !M && !m && !p &&
	    (ip ? pre && prelen == 1 && pre[0] == '0' : !pre))
		op = KNIT_OP_ANY;
	if (a->eval) {
		const uint64_t lim = KNIT__PACK_LIMIT;
		if (op == KNIT_OP_ANY)
			return;
		if (M >= lim || m >= lim || p >= lim) {
			a->full = true; /* not packable: let the full parse answer */
			return;
		}
		narrow(&a->lo, &a->hi, op, KNIT__PACK(M, m, p, !pre));
		return;
	}
	c = &a->c[a->nc];
	memset(c, 0, sizeof(*c));
	c->op = op;
	if (c->op != KNIT_OP_ANY) {
		c->v.major = M;
		c->v.minor = m;
		c->v.patch = p;
		if (pre) {
			c->v.ids = &a->ids[a->nids];
			for (size_t i = 0; i <= prelen; i++) {
				size_t start = i;
				while (i < prelen && pre[i] != '.')
					i++;
				if (a->nids == DIRECT_MAX_IDS) {
					a->full = true;
					return;
				}
				struct knit_semver_ident *id = &a->ids[a->nids++];
				id->str = pre + start;
				id->len = (uint32_t)(i - start);
				knit__ident_classify(id);
				c->v.npre++;
			}
		}
		knit_version_repack(&c->v);
	}
	if (!l->n)
		l->c = c;
	a->nc++;
	l->n++;
}

#define Z(ip) ((ip) ? "0" : NULL), ((ip) ? 1u : 0u)

static void direct_caret(struct direct_arena *l, const struct xr *t, bool ip)
{
	uint64_t M = t->v[0], m = t->v[1], p = t->v[2];
	if (t->x[0]) {
		emit(l, KNIT_OP_ANY, 0, 0, 0, NULL, 0, ip);
	} else if (t->x[1]) {
		emit(l, KNIT_OP_GTE, M, 0, 0, Z(ip), ip);
		emit(l, KNIT_OP_LT, M + 1, 0, 0, "0", 1, ip);
	} else if (t->x[2]) {
		emit(l, KNIT_OP_GTE, M, m, 0, Z(ip), ip);
		if (M == 0)
			emit(l, KNIT_OP_LT, 0, m + 1, 0, "0", 1, ip);
		else
			emit(l, KNIT_OP_LT, M + 1, 0, 0, "0", 1, ip);
	} else {
		emit(l, KNIT_OP_GTE, M, m, p, t->pre, t->prelen, ip);
		if (M == 0 && m == 0)
			emit(l, KNIT_OP_LT, 0, 0, p + 1, "0", 1, ip);
		else if (M == 0)
			emit(l, KNIT_OP_LT, 0, m + 1, 0, "0", 1, ip);
		else
			emit(l, KNIT_OP_LT, M + 1, 0, 0, "0", 1, ip);
	}
}

static void direct_tilde(struct direct_arena *l, const struct xr *t, bool ip)
{
	uint64_t M = t->v[0], m = t->v[1], p = t->v[2];
	if (t->x[0]) {
		emit(l, KNIT_OP_ANY, 0, 0, 0, NULL, 0, ip);
	} else if (t->x[1]) {
		emit(l, KNIT_OP_GTE, M, 0, 0, Z(ip), ip);
		emit(l, KNIT_OP_LT, M + 1, 0, 0, "0", 1, ip);
	} else {
		if (t->x[2])
			emit(l, KNIT_OP_GTE, M, m, 0, Z(ip), ip);
		else
			emit(l, KNIT_OP_GTE, M, m, p, t->pre, t->prelen, ip);
		emit(l, KNIT_OP_LT, M, m + 1, 0, "0", 1, ip);
	}
}

static void direct_xrange_emit(struct direct_arena *l, const char *gtlt, size_t glen,
			       const struct xr *t, bool ip)
{
	uint64_t M = t->v[0], m = t->v[1];
	bool xM = t->x[0], xm = xM || t->x[1], xp = xm || t->x[2];
	enum knit_cmp_op op = !glen ? KNIT_OP_EQ
		: gtlt[0] == '=' ? KNIT_OP_EQ
		: gtlt[0] == '<' ? (glen == 2 ? KNIT_OP_LTE : KNIT_OP_LT)
		: (glen == 2 ? KNIT_OP_GTE : KNIT_OP_GT);

	if (!xp) {
		emit(l, op, M, m, t->v[2], t->pre, t->prelen, ip);
	} else if (xM) {
		if (op == KNIT_OP_GT || op == KNIT_OP_LT)
			emit(l, KNIT_OP_LT, 0, 0, 0, "0", 1, ip); /* nothing is allowed */
		else
			emit(l, KNIT_OP_ANY, 0, 0, 0, NULL, 0, ip);
	} else if (op != KNIT_OP_EQ) {
		if (xm)
			m = 0;
		if (op == KNIT_OP_GT) {
			op = KNIT_OP_GTE;
			if (xm)
				M++;
			else
				m++;
		} else if (op == KNIT_OP_LTE) {
			op = KNIT_OP_LT;
			if (xm)
				M++;
			else
				m++;
		}
		if (op == KNIT_OP_LT)
			emit(l, op, M, m, 0, "0", 1, ip);
		else
			emit(l, op, M, m, 0, Z(ip), ip);
	} else if (xm) {
		emit(l, KNIT_OP_GTE, M, 0, 0, Z(ip), ip);
		emit(l, KNIT_OP_LT, M + 1, 0, 0, "0", 1, ip);
	} else {
		emit(l, KNIT_OP_GTE, M, m, 0, Z(ip), ip);
		emit(l, KNIT_OP_LT, M, m + 1, 0, "0", 1, ip);
	}
}

static bool direct_token(const struct pipeline *pl, struct direct_arena *l, const char *s, size_t len)
{
	struct xr t;
	const char *end = s + len;
	bool ip = incpr(pl);

	if (!len) {
		emit(l, KNIT_OP_ANY, 0, 0, 0, NULL, 0, ip);
		return true;
	}
	if (s[0] == '^') {
		if (!direct_xrange(s + 1, end, loose(pl), &t))
			return false;
		direct_caret(l, &t, ip);
		return true;
	}
	if (s[0] == '~') {
		const char *p = s + 1 + (len > 1 && s[1] == '>');
		if (!direct_xrange(p, end, loose(pl), &t))
			return false;
		direct_tilde(l, &t, ip);
		return true;
	}
	size_t op = 0;
	if (s[0] == '<' || s[0] == '>')
		op++;
	if (op < len && s[op] == '=')
		op++;
	if (!direct_xrange(s + op, end, loose(pl), &t))
		return false;
	direct_xrange_emit(l, s, op, &t, ip);
	return true;
}

/* hyphenReplace() in closed form: "A - B" */
static void direct_hyphen(struct direct_arena *a, const struct xr *f, const struct xr *t, bool ip)
{
	if (f->x[0])
		; /* no lower bound */
	else if (f->x[1])
		emit(a, KNIT_OP_GTE, f->v[0], 0, 0, Z(ip), ip);
	else if (f->x[2])
		emit(a, KNIT_OP_GTE, f->v[0], f->v[1], 0, Z(ip), ip);
	else if (f->pre)
		emit(a, KNIT_OP_GTE, f->v[0], f->v[1], f->v[2], f->pre, f->prelen, ip);
	else
		emit(a, KNIT_OP_GTE, f->v[0], f->v[1], f->v[2], Z(ip), ip);

	if (t->x[0])
		; /* no upper bound */
	else if (t->x[1])
		emit(a, KNIT_OP_LT, t->v[0] + 1, 0, 0, "0", 1, ip);
	else if (t->x[2])
		emit(a, KNIT_OP_LT, t->v[0], t->v[1] + 1, 0, "0", 1, ip);
	else if (t->pre)
		emit(a, KNIT_OP_LTE, t->v[0], t->v[1], t->v[2], t->pre, t->prelen, ip);
	else if (ip)
		emit(a, KNIT_OP_LT, t->v[0], t->v[1], t->v[2] + 1, "0", 1, ip);
	else
		emit(a, KNIT_OP_LTE, t->v[0], t->v[1], t->v[2], NULL, 0, ip);
	/* "* - *" leaves nothing, which is the empty comparator: any */
	if (f->x[0] && t->x[0])
		emit(a, KNIT_OP_ANY, 0, 0, 0, NULL, 0, ip);
}

/* A part that is exactly "A - B" with plain x-ranges: true when handled. */
static bool direct_hyphen_part(const struct pipeline *pl, struct direct_arena *a, const char *s,
			       size_t len, bool *bail)
{
	const char *dash = NULL, *sp = memchr(s, ' ', len);
	/* a hyphen range needs " - ": most parts have no space at all */
	for (; sp && sp + 2 < s + len; sp = memchr(sp + 1, ' ', (size_t)(s + len - sp - 1))) {
		if (sp[1] == '-' && sp[2] == ' ') {
			dash = sp;
			break;
		}
	}
	if (!dash)
		return false;
	struct xr f, t;
	const char *b = dash + 3, *end = s + len;
	*bail = memchr(s, ' ', (size_t)(dash - s)) || memchr(b, ' ', (size_t)(end - b)) ||
		!direct_xrange(s, dash, loose(pl), &f) || !direct_xrange(b, end, loose(pl), &t);
	if (!*bail)
		direct_hyphen(a, &f, &t, incpr(pl));
	return true;
}

/* 0 with the sets in the arena, or 1: leave it to the pipeline. */
static int parse_direct(const struct pipeline *pl, struct direct_arena *a, const char *s, size_t len)
{
	/*
	 * No separate check of the text is needed: the token grammar takes no
	 * '+', tab, non-ASCII byte, or operator followed by a space, so text
	 * that node-semver's trims and strips would change never gets through.
	 * Runs of spaces inside a part give empty tokens, which are ANY and
	 * vanish beside other comparators, as the collapsed text would.
	 */
	a->nc = a->nids = a->nsets = 0;
	a->full = a->matched = false;
	for (size_t i = 0;;) {
		size_t start = i;
		for (;;) {
			const char *bar = memchr(s + i, '|', len - i);
			i = bar ? (size_t)(bar - s) : len;
			if (i >= len || (i + 1 < len && s[i + 1] == '|'))
				break;
			i++;
		}
		size_t lo = start, hi = i;
		while (lo < hi && s[lo] == ' ')
			lo++;
		while (hi > lo && s[hi - 1] == ' ')
			hi--;
		if (a->nsets == DIRECT_MAX_SETS)
			return 1;
		struct comp_list *cl = &a->sets[a->nsets];
		memset(cl, 0, sizeof(*cl));
		cl->borrowed = true;
		a->lo = 0;
		a->hi = UINT64_MAX;
		bool bail = false;
		if (direct_hyphen_part(pl, a, s + lo, hi - lo, &bail)) {
			if (bail || a->full)
				return 1;
		} else for (size_t k = lo;;) {
			size_t t = k;
			const char *sp = memchr(s + k, ' ', hi - k);
			k = sp ? (size_t)(sp - s) : hi;
			if (!direct_token(pl, a, s + t, k - t) || a->full)
				return 1;
			if (k >= hi)
				break;
			k++;
		}
		if (a->eval) {
			a->matched |= a->key >= a->lo && a->key <= a->hi; /* [lo, hi] may be empty here */
		} else {
			normalize_set(cl);
			a->nsets++;
		}
		if (i >= len)
			break;
		i += 2;
	}
	return 0;
}

int knit__range_test_text(const char *text, size_t len, unsigned flags, const struct knit_version *v)
{
	struct pipeline pl = { flags, false };
	struct direct_arena a;

	if (!v->packed || v->npre || !text)
		return -1;
	a.eval = true;
	a.key = v->key;
	if (parse_direct(&pl, &a, text, len))
		return -1;
	return a.matched;
}

static void set_list_release(struct set_list *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		comp_list_release(&sl->sets[i]);
	free(sl->sets);
	memset(sl, 0, sizeof(*sl));
}

/* The ||-separated parts through node-semver's whole pipeline, into *sl. */
static int parse_pipeline(const struct pipeline *pl, struct set_list *sl, const char *text,
			  size_t len)
{
	struct strbuf raw = STRBUF_INIT;
	int rc = 0;

	knit__js_trim(&text, &len);
	knit__js_collapse_ws(&raw, text, len);
	for (size_t i = 0;;) {
		size_t start = i;
		while (i < raw.len && !(raw.buf[i] == '|' && i + 1 < raw.len && raw.buf[i + 1] == '|'))
			i++;
		const char *part = raw.buf + start;
		size_t plen = i - start;
		knit__js_trim(&part, &plen);
		struct comp_list cl = { 0 };
		rc = parse_part(pl, &cl, part, plen);
		if (rc) {
			comp_list_release(&cl);
			break;
		}
		if (cl.n) {
			KNIT_ALLOC_GROW(sl->sets, sl->n + 1, sl->alloc);
			sl->sets[sl->n++] = cl;
		} else {
			free(cl.c);
		}
		if (i >= raw.len)
			break;
		i += 2;
	}
	strbuf_release(&raw);
	return rc;
}

/*
 * The range-level rules: null sets go unless all are null (the first then
 * stays), and a set that is exactly ANY makes the whole range ANY.
 */
static void normalize_sets(struct comp_list *sets, size_t *n)
{
	if (*n <= 1)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++)
		kept += !knit__comparator_is_null_set(&sets[i].c[0]);
	if (!kept) {
		for (size_t i = 1; i < *n; i++)
			comp_list_release(&sets[i]);
		*n = 1;
		return;
	}
	size_t w = 0;
	for (size_t i = 0; i < *n; i++) {
		if (knit__comparator_is_null_set(&sets[i].c[0]))
			comp_list_release(&sets[i]);
		else
			sets[w++] = sets[i];
	}
	*n = w;
	for (size_t i = 0; *n > 1 && i < *n; i++) {
		if (sets[i].n == 1 && sets[i].c[0].op == KNIT_OP_ANY) {
			struct comp_list any = sets[i];
			for (size_t k = 0; k < *n; k++)
				if (k != i)
					comp_list_release(&sets[k]);
			sets[0] = any;
			*n = 1;
		}
	}
}

/* The releases a packed set admits, as an inclusive interval of keys. */
static void set_interval(struct knit_comparator_set *set)
{
	set->lo = 0;
	set->hi = UINT64_MAX;
	for (size_t i = 0; i < set->n; i++)
		narrow(&set->lo, &set->hi, set->c[i].op, set->c[i].v.key);
	seal_interval(&set->lo, &set->hi);
}

/*
 * Copies the sets into one block that owns everything the range refers to:
 * sets, comparators, identifiers and their text. The block is storage when
 * it fits there, else malloc'd.
 */
static void assemble(struct knit_range *out, const struct comp_list *sets, size_t n,
		     unsigned flags, void *storage, size_t storage_size)
{
	size_t ncomp = 0, nids = 0, text = 0;
	for (size_t i = 0; i < n; i++) {
		ncomp += sets[i].n;
		for (size_t k = 0; k < sets[i].n; k++) {
			const struct knit_version *v = &sets[i].c[k].v;
			nids += v->npre + v->nbuild;
			for (size_t j = 0; j < (size_t)v->npre + v->nbuild; j++)
				text += v->ids[j].len;
		}
	}
	size_t size = n * sizeof(struct knit_comparator_set) + ncomp * sizeof(struct knit_comparator) +
		      nids * sizeof(struct knit_semver_ident) + text;
	char *block = size <= storage_size ? storage : knit_xmalloc(size);
	struct knit_comparator_set *out_sets = (void *)block;
	struct knit_comparator *c = (void *)(block + n * sizeof(*out_sets));
	struct knit_semver_ident *id = (void *)(c + ncomp);
	char *t = (char *)(id + nids);

	out->flags = flags;
	out->owned = block != storage;
	out->packed = true;
	out->nsets = n;
	out->sets = out_sets;
	for (size_t i = 0; i < n; i++) {
		out_sets[i].n = sets[i].n;
		out_sets[i].c = c;
		for (size_t k = 0; k < sets[i].n; k++, c++) {
			*c = sets[i].c[k];
			size_t m = (size_t)c->v.npre + c->v.nbuild;
			if (c->op == KNIT_OP_ANY || !m) {
				c->v.ids = NULL;
			} else {
				const struct knit_semver_ident *from = c->v.ids;
				c->v.ids = id;
				for (size_t j = 0; j < m; j++, id++) {
					*id = from[j];
					memcpy(t, from[j].str, from[j].len);
					id->str = t;
					t += from[j].len;
				}
			}
			out->packed &= c->op == KNIT_OP_ANY || c->v.packed;
		}
	}
	if (out->packed)
		for (size_t i = 0; i < n; i++)
			set_interval(&out_sets[i]);
}

static int parse(struct knit_range *out, const char *text, size_t len, unsigned flags, bool exact,
		 void *storage, size_t storage_size)
{
	struct pipeline pl = { flags, exact };
	struct strbuf clean = STRBUF_INIT;
	struct set_list sl = { 0 };
	struct direct_arena arena;
	int rc;

	*out = (struct knit_range)KNIT_RANGE_INIT;
	if (!text)
		return KNIT_EINVALID_RANGE;
	arena.eval = false;
	if (!exact && !parse_direct(&pl, &arena, text, len)) {
		normalize_sets(arena.sets, &arena.nsets);
		assemble(out, arena.sets, arena.nsets, flags, storage, storage_size);
		return 0;
	}
	if (!knit__is_ascii(text, len)) {
		knit__utf8_sanitize(&clean, text, len);
		text = clean.buf;
		len = clean.len;
	}
	rc = parse_pipeline(&pl, &sl, text, len);
	if (!rc && !sl.n)
		rc = KNIT_EINVALID_RANGE;
	if (!rc) {
		normalize_sets(sl.sets, &sl.n);
		assemble(out, sl.sets, sl.n, flags, storage, storage_size);
	}
	set_list_release(&sl);
	strbuf_release(&clean);
	return rc;
}

int knit_range_parse(struct knit_range *out, const char *text, size_t len, unsigned flags)
{
	return parse(out, text, len, flags, false, NULL, 0);
}

int knit__range_parse_in(struct knit_range *out, const char *text, size_t len, unsigned flags,
			 void *storage, size_t size)
{
	return parse(out, text, len, flags, false, storage, size);
}

int knit__range_parse_exact(struct knit_range *out, const char *text, size_t len, unsigned flags)
{
	return parse(out, text, len, flags, true, NULL, 0);
}

void knit_range_release(struct knit_range *r)
{
	if (r->owned)
		free(r->sets);
	*r = (struct knit_range)KNIT_RANGE_INIT;
}

int knit_comparator_parse(struct knit_comparator *c, const char *text, size_t len, unsigned flags)
{
	struct pipeline pl = { flags, true };
	struct strbuf clean = STRBUF_INIT, one = STRBUF_INIT;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!text)
		return KNIT_EINVALID_RANGE;
	if (!knit__is_ascii(text, len)) {
		knit__utf8_sanitize(&clean, text, len);
		text = clean.buf;
		len = clean.len;
	}
	/* comp.trim().split(/\s+/).join(' ') */
	knit__js_trim(&text, &len);
	knit__js_collapse_ws(&one, text, len);
	rc = comparator_from_token(&pl, c, one.buf, one.len);
	if (rc == COMP_DROPPED)
		rc = KNIT_EINVALID_RANGE;
	if (rc)
		knit_version_release(&c->v);
	strbuf_release(&one);
	strbuf_release(&clean);
	return rc;
}

/* --- testing and printing -------------------------------------------------- */

bool knit_comparator_test(const struct knit_comparator *c, const struct knit_version *v)
{
	int cmp;
	if (c->op == KNIT_OP_ANY)
		return true;
	cmp = knit_version_compare(v, &c->v);
	switch (c->op) {
	case KNIT_OP_EQ: return cmp == 0;
	case KNIT_OP_GT: return cmp > 0;
	case KNIT_OP_GTE: return cmp >= 0;
	case KNIT_OP_LT: return cmp < 0;
	case KNIT_OP_LTE: return cmp <= 0;
	case KNIT_OP_ANY: break;
	}
	return true;
}

static bool test_set(const struct knit_comparator_set *set, const struct knit_version *v,
		     unsigned flags)
{
	for (size_t i = 0; i < set->n; i++)
		if (!knit_comparator_test(&set->c[i], v))
			return false;
	if (v->npre && !(flags & KNIT_SEMVER_INCLUDE_PRERELEASE)) {
		/* a pre-release passes only beside a comparator on the same [M, m, p] */
		for (size_t i = 0; i < set->n; i++) {
			const struct knit_comparator *c = &set->c[i];
			if (c->op != KNIT_OP_ANY && c->v.npre && !knit_version_compare_main(&c->v, v))
				return true;
		}
		return false;
	}
	return true;
}

bool knit__range_test_full(const struct knit_range *r, const struct knit_version *v)
{
	for (size_t i = 0; i < r->nsets; i++)
		if (test_set(&r->sets[i], v, r->flags))
			return true;
	return false;
}

void knit__comparator_append(struct strbuf *out, const struct knit_comparator *c)
{
	static const char *const ops[] = { "", "", ">", ">=", "<", "<=" };
	if (c->op == KNIT_OP_ANY)
		return;
	strbuf_addstr(out, ops[c->op]);
	knit__version_append(out, &c->v);
}

char *knit_comparator_to_string(const struct knit_comparator *c)
{
	struct strbuf sb = STRBUF_INIT;
	knit__comparator_append(&sb, c);
	return strbuf_detach(&sb, NULL);
}

char *knit_range_to_string(const struct knit_range *r)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->nsets; i++) {
		if (i)
			strbuf_addstr(&sb, "||");
		for (size_t k = 0; k < r->sets[i].n; k++) {
			if (k)
				strbuf_addch(&sb, ' ');
			knit__comparator_append(&sb, &r->sets[i].c[k]);
		}
	}
	if (!sb.len)
		strbuf_addch(&sb, '*');
	return strbuf_detach(&sb, NULL);
}
