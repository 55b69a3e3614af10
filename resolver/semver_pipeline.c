/*
 * node-semver's range pipeline (classes/range.js parseRange), step for step.
 *
 * Each step is a string rewrite there (strip build metadata, hyphen ranges,
 * comparator trim, tilde and caret trim, then per token carets, tildes,
 * x-ranges, stars, >=0.0.0). Here each step checks cheaply whether its regex
 * could apply, handles the common shapes by hand, and runs node-semver's own
 * pattern through PCRE2 for everything else; `exact` switches the hand
 * paths off so that tests can compare both.
 */
#include "semver_internal.h"
#include "../util/error.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static inline bool loose(const struct knit__pipeline *pl) { return pl->flags & KNIT_SEMVER_LOOSE; }
static inline bool incpr(const struct knit__pipeline *pl)
{
	return pl->flags & KNIT_SEMVER_INCLUDE_PRERELEASE;
}
static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }


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

static void strip_build(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	if (!pl->exact && !memchr(s, '+', len)) {
		strbuf_add(out, s, len);
		return;
	}
	replace_all(out, s, len, KNIT_RE_BUILD_UNBOUNDED, "", false);
}

static void replace_hyphen(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	struct knit__match m;
	if ((pl->exact || knit__contains(s, len, " - ")) &&
	    knit__re_exec(loose(pl) ? KNIT_RE_HYPHEN_LOOSE : KNIT_RE_HYPHEN, s, len, 0, &m)) {
		hyphen_replace(out, &m, incpr(pl));
		return;
	}
	strbuf_add(out, s, len);
}

static void lone_trim(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len,
		      enum knit__re re, const char *with, const char *n1, const char *n2)
{
	if (!pl->exact && !knit__contains(s, len, n1) && (!n2 || !knit__contains(s, len, n2))) {
		strbuf_add(out, s, len);
		return;
	}
	replace_all(out, s, len, re, with, true);
}

/* --- per-token steps ------------------------------------------------------- */

typedef void (*token_fn)(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len);

/*
 * str.split(/\s+/).map(fn).join(' '), after trim() when asked. Whitespace is
 * only ever ' ' here: the range was collapsed before the pipeline.
 */
static void map_tokens(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len,
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

typedef void (*desugar_fn)(struct strbuf *out, struct knit__cap M, struct knit__cap m,
			   struct knit__cap p, struct knit__cap pr, bool ip);

/*
 * A caret or tilde token: by hand when it is a plain x-range after its
 * operator (prefix bytes long), else by node-semver's pattern, else as is.
 */
static void replace_lone(const struct knit__pipeline *pl, struct strbuf *out, const char *s,
			 size_t len, char lead, size_t prefix, enum knit__re strict,
			 enum knit__re lse, desugar_fn desugar)
{
	struct knit__cap c[4];
	struct knit__match m;
	if (!len || s[0] != lead)
		strbuf_add(out, s, len);
	else if (!pl->exact && fast_xrange_plain(s + prefix, s + len, loose(pl), c))
		desugar(out, c[0], c[1], c[2], c[3], incpr(pl));
	else if (knit__re_exec(loose(pl) ? lse : strict, s, len, 0, &m))
		desugar(out, m.cap[1], m.cap[2], m.cap[3], m.cap[4], incpr(pl));
	else
		strbuf_add(out, s, len);
}

static void replace_caret(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	replace_lone(pl, out, s, len, '^', 1, KNIT_RE_CARET, KNIT_RE_CARET_LOOSE, caret_replace);
}

static void replace_tilde(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len)
{
	size_t prefix = len > 1 && s[1] == '>' ? 2 : 1; /* ~ or ~> */
	replace_lone(pl, out, s, len, '~', prefix, KNIT_RE_TILDE, KNIT_RE_TILDE_LOOSE, tilde_replace);
}

static void replace_xrange(const struct knit__pipeline *pl, struct strbuf *out, const char *s, size_t len)
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
static void parse_comparator_text(const struct knit__pipeline *pl, struct strbuf *out, const char *s,
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

/*
 * new Comparator(token) for one token with no whitespace, after the loose
 * filter: 0, KNIT__COMP_DROPPED (loose mode, not a loose comparator), or
 * KNIT_EINVALID_RANGE (node-semver throws).
 */
int knit__comparator_from_token(const struct knit__pipeline *pl, struct knit_comparator *out,
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
		return loose(pl) ? KNIT__COMP_DROPPED : KNIT_EINVALID_RANGE;
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

/*
 * The tokens of a space-separated comparator string, after replaceGTE0, into
 * *l. Like node-semver, every comparator is built (and may throw) before the
 * null-set and duplicate rules apply.
 */
static int comparators_from_text(const struct knit__pipeline *pl, struct knit__comp_list *l, const char *s,
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
		int rc = knit__comparator_from_token(pl, &c, t, n);
		if (rc < 0) {
			knit_version_release(&c.v);
			return rc;
		}
		if (rc == KNIT__COMP_DROPPED) {
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

	knit__normalize_set(l);
	return 0;
}

/* Range.parseRange() for one ||-separated part, already trimmed. */
static int parse_part(const struct knit__pipeline *pl, struct knit__comp_list *out, const char *s, size_t len)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int rc;

	strip_build(pl, &a, s, len);
	replace_hyphen(pl, &b, a.buf, a.len);
	strbuf_reset(&a);
	knit__trim_comparator_ws(pl, &a, b.buf, b.len);
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


void knit__set_list_release(struct knit__set_list *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		knit__comp_list_release(&sl->sets[i]);
	free(sl->sets);
	memset(sl, 0, sizeof(*sl));
}

/* The ||-separated parts through node-semver's whole pipeline, into *sl. */
int knit__parse_pipeline(const struct knit__pipeline *pl, struct knit__set_list *sl, const char *text,
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
		struct knit__comp_list cl = { 0 };
		rc = parse_part(pl, &cl, part, plen);
		if (rc) {
			knit__comp_list_release(&cl);
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

