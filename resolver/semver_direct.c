/*
 * The direct path: common range syntax built straight into comparators.
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



/* Narrows the inclusive key interval [*lo, *hi] by one comparator. */
void knit__narrow(uint64_t *lo, uint64_t *hi, enum knit_cmp_op op, uint64_t k)
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


static void emit(struct knit__direct_arena *a, enum knit_cmp_op op, uint64_t M, uint64_t m, uint64_t p,
		 const char *pre, size_t prelen, bool ip)
{
	struct knit__comp_list *l = &a->sets[a->nsets];
	struct knit_comparator *c;

	if (a->nc == KNIT__DIRECT_MAX_COMPS) {
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
		knit__narrow(&a->lo, &a->hi, op, KNIT__PACK(M, m, p, !pre));
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
				if (a->nids == KNIT__DIRECT_MAX_IDS) {
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

static void direct_caret(struct knit__direct_arena *l, const struct xr *t, bool ip)
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

static void direct_tilde(struct knit__direct_arena *l, const struct xr *t, bool ip)
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

static void direct_xrange_emit(struct knit__direct_arena *l, const char *gtlt, size_t glen,
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

static bool direct_token(const struct knit__pipeline *pl, struct knit__direct_arena *l, const char *s, size_t len)
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
static void direct_hyphen(struct knit__direct_arena *a, const struct xr *f, const struct xr *t, bool ip)
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
static bool direct_hyphen_part(const struct knit__pipeline *pl, struct knit__direct_arena *a, const char *s,
			       size_t len, bool *bail)
{
	const char *dash = NULL;
	for (size_t i = 0; i + 2 < len; i++) {
		if (s[i + 1] == '-' && s[i] == ' ' && s[i + 2] == ' ') {
			dash = s + i;
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
int knit__parse_direct(const struct knit__pipeline *pl, struct knit__direct_arena *a, const char *s, size_t len)
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
		/* plain loops: ranges are short, and memchr's call costs more here */
		while (i < len && !(s[i] == '|' && i + 1 < len && s[i + 1] == '|'))
			i++;
		size_t lo = start, hi = i;
		while (lo < hi && s[lo] == ' ')
			lo++;
		while (hi > lo && s[hi - 1] == ' ')
			hi--;
		if (a->nsets == KNIT__DIRECT_MAX_SETS)
			return 1;
		struct knit__comp_list *cl = &a->sets[a->nsets];
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
			while (k < hi && s[k] != ' ')
				k++;
			if (!direct_token(pl, a, s + t, k - t) || a->full)
				return 1;
			if (k >= hi)
				break;
			k++;
		}
		if (a->eval) {
			a->matched |= a->key >= a->lo && a->key <= a->hi; /* [lo, hi] may be empty here */
		} else {
			knit__normalize_set(cl);
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
	struct knit__pipeline pl = { flags, false };
	struct knit__direct_arena a;

	if (!v->packed || v->npre || !text)
		return -1;
	a.eval = true;
	a.key = v->key;
	if (knit__parse_direct(&pl, &a, text, len))
		return -1;
	return a.matched;
}

