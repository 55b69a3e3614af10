/*
 * Relations between ranges: Comparator.intersects, Range.intersects,
 * subset, minVersion and outside, after node-semver's classes/ and ranges/.
 */
#include "semver_internal.h"
#include "../util/error.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool op_is_gt(enum knit_cmp_op op) { return op == KNIT_OP_GT || op == KNIT_OP_GTE; }
static bool op_is_lt(enum knit_cmp_op op) { return op == KNIT_OP_LT || op == KNIT_OP_LTE; }
static bool op_has_eq(enum knit_cmp_op op) { return op == KNIT_OP_GTE || op == KNIT_OP_LTE; }

/* new Range(comparator.value, options).test(version) */
static bool value_range_test(const struct knit_comparator *c, const struct knit_version *v,
			     unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	struct knit_range r;
	bool ok = false;

	knit__comparator_append(&sb, c);
	if (!knit_range_parse(&r, sb.buf, sb.len, flags)) {
		ok = knit_range_test(&r, v);
		knit_range_release(&r);
	}
	strbuf_release(&sb);
	return ok;
}

/* this.value parsed with the range's options, as Range.test(string) does */
static bool value_range_test_text(const struct knit_comparator *range_c,
				  const struct knit_comparator *version_c, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	struct knit_version v;
	bool ok = false;

	knit__comparator_append(&sb, version_c);
	if (!knit_version_parse(&v, sb.buf, sb.len, flags)) {
		ok = value_range_test(range_c, &v, flags);
		knit_version_release(&v);
	}
	strbuf_release(&sb);
	return ok;
}

static bool value_starts_with_zero_lt(const struct knit_comparator *c)
{
	/* this.value.startsWith('<0.0.0') */
	return c->op == KNIT_OP_LT && !c->v.major && !c->v.minor && !c->v.patch;
}

bool knit_comparator_intersects(const struct knit_comparator *a, const struct knit_comparator *b,
				unsigned flags)
{
	if (a->op == KNIT_OP_ANY || a->op == KNIT_OP_EQ) {
		if (a->op == KNIT_OP_ANY)
			return true;
		return value_range_test_text(b, a, flags);
	}
	if (b->op == KNIT_OP_ANY || b->op == KNIT_OP_EQ) {
		if (b->op == KNIT_OP_ANY)
			return true;
		return value_range_test(a, &b->v, flags);
	}
	if (flags & KNIT_SEMVER_INCLUDE_PRERELEASE) {
		if (knit__comparator_is_null_set(a) || knit__comparator_is_null_set(b))
			return false;
	} else if (value_starts_with_zero_lt(a) || value_starts_with_zero_lt(b)) {
		return false;
	}
	if (op_is_gt(a->op) && op_is_gt(b->op))
		return true;
	if (op_is_lt(a->op) && op_is_lt(b->op))
		return true;
	int cmp = knit_version_compare(&a->v, &b->v);
	char *x = knit_version_to_string(&a->v), *y = knit_version_to_string(&b->v);
	bool same_version = !strcmp(x, y);
	free(x);
	free(y);
	if (same_version && op_has_eq(a->op) && op_has_eq(b->op))
		return true;
	if (cmp < 0 && op_is_gt(a->op) && op_is_lt(b->op))
		return true;
	if (cmp > 0 && op_is_lt(a->op) && op_is_gt(b->op))
		return true;
	return false;
}

static bool satisfiable(const struct knit_comparator_set *set, unsigned flags)
{
	/* isSatisfiable(): pop one, check it against all that remain, repeat */
	size_t remaining = set->n;
	if (!remaining)
		return true;
	const struct knit_comparator *test = &set->c[--remaining];
	bool result = true;
	while (result && remaining) {
		for (size_t i = 0; i < remaining && result; i++)
			result = knit_comparator_intersects(test, &set->c[i], flags);
		test = &set->c[--remaining];
	}
	return result;
}

bool knit_range_intersects(const struct knit_range *a, const struct knit_range *b, unsigned flags)
{
	for (size_t i = 0; i < a->nsets; i++) {
		if (!satisfiable(&a->sets[i], flags))
			continue;
		for (size_t j = 0; j < b->nsets; j++) {
			if (!satisfiable(&b->sets[j], flags))
				continue;
			bool all = true;
			for (size_t x = 0; x < a->sets[i].n && all; x++)
				for (size_t y = 0; y < b->sets[j].n && all; y++)
					all = knit_comparator_intersects(&a->sets[i].c[x], &b->sets[j].c[y],
									 flags);
			if (all)
				return true;
		}
	}
	return false;
}

/* --- subset (ranges/subset.js) --------------------------------------------- */

static const struct knit_comparator *higher_gt(const struct knit_comparator *a,
					       const struct knit_comparator *b)
{
	if (!a)
		return b;
	int c = knit_version_compare(&a->v, &b->v);
	return c > 0 ? a : c < 0 ? b : (b->op == KNIT_OP_GT && a->op == KNIT_OP_GTE) ? b : a;
}

static const struct knit_comparator *lower_lt(const struct knit_comparator *a,
					      const struct knit_comparator *b)
{
	if (!a)
		return b;
	int c = knit_version_compare(&a->v, &b->v);
	return c < 0 ? a : c > 0 ? b : (b->op == KNIT_OP_LT && a->op == KNIT_OP_LTE) ? b : a;
}

enum { SUB_FALSE = 0, SUB_TRUE = 1, SUB_NULL = 2 };

static int simple_subset(const struct knit_comparator_set *sub_in,
			 const struct knit_comparator_set *dom_in, unsigned flags)
{
	static struct knit_comparator min_pre, min_rel;
	static bool init;
	struct knit_comparator_set sub = *sub_in, dom = *dom_in;
	struct knit_comparator_set min_pre_set = { 1, &min_pre, 0, 0 }, min_rel_set = { 1, &min_rel, 0, 0 };
	bool ip = flags & KNIT_SEMVER_INCLUDE_PRERELEASE;

	if (!init) {
		/* >=0.0.0-0 and >=0.0.0; the identifier points at static text */
		static struct knit_semver_ident zero = { "0", 1, KNIT_IDENT_NUMBER, 0 };
		min_pre.op = KNIT_OP_GTE;
		min_pre.v = (struct knit_version){ .npre = 1, .ids = &zero };
		knit_version_repack(&min_pre.v);
		min_rel.op = KNIT_OP_GTE;
		min_rel.v = (struct knit_version)KNIT_VERSION_INIT;
		init = true;
	}

	if (sub.n == 1 && sub.c[0].op == KNIT_OP_ANY) {
		if (dom.n == 1 && dom.c[0].op == KNIT_OP_ANY)
			return SUB_TRUE;
		sub = ip ? min_pre_set : min_rel_set;
	}
	if (dom.n == 1 && dom.c[0].op == KNIT_OP_ANY) {
		if (ip)
			return SUB_TRUE;
		dom = min_rel_set;
	}

	const struct knit_comparator *gt = NULL, *lt = NULL, *eq = NULL;
	size_t neq = 0;
	for (size_t i = 0; i < sub.n; i++) {
		const struct knit_comparator *c = &sub.c[i];
		if (op_is_gt(c->op)) {
			gt = higher_gt(gt, c);
		} else if (op_is_lt(c->op)) {
			lt = lower_lt(lt, c);
		} else {
			/* eqSet holds SemVer objects: each comparator's is distinct */
			if (!eq)
				eq = c;
			neq++;
		}
	}
	if (neq > 1)
		return SUB_NULL;

	int gtlt_comp = 2; /* undefined */
	if (gt && lt) {
		gtlt_comp = knit_version_compare(&gt->v, &lt->v);
		if (gtlt_comp > 0)
			return SUB_NULL;
		if (gtlt_comp == 0 && (gt->op != KNIT_OP_GTE || lt->op != KNIT_OP_LTE))
			return SUB_NULL;
	}

	if (eq) {
		if (gt && !value_range_test(gt, &eq->v, flags))
			return SUB_NULL;
		if (lt && !value_range_test(lt, &eq->v, flags))
			return SUB_NULL;
		for (size_t i = 0; i < dom.n; i++)
			if (!value_range_test(&dom.c[i], &eq->v, flags))
				return SUB_FALSE;
		return SUB_TRUE;
	}

	bool has_dom_lt = false, has_dom_gt = false;
	const struct knit_version *need_lt_pre = lt && !ip && lt->v.npre ? &lt->v : NULL;
	const struct knit_version *need_gt_pre = gt && !ip && gt->v.npre ? &gt->v : NULL;
	if (need_lt_pre && need_lt_pre->npre == 1 && lt->op == KNIT_OP_LT &&
	    need_lt_pre->ids[0].kind == KNIT_IDENT_NUMBER && need_lt_pre->ids[0].num == 0)
		need_lt_pre = NULL;

	for (size_t i = 0; i < dom.n; i++) {
		const struct knit_comparator *c = &dom.c[i];
		has_dom_gt = has_dom_gt || op_is_gt(c->op);
		has_dom_lt = has_dom_lt || op_is_lt(c->op);
		if (gt) {
			if (need_gt_pre && c->op != KNIT_OP_ANY && c->v.npre &&
			    !knit_version_compare_main(&c->v, need_gt_pre))
				need_gt_pre = NULL;
			if (op_is_gt(c->op)) {
				const struct knit_comparator *higher = higher_gt(gt, c);
				if (higher == c && higher != gt)
					return SUB_FALSE;
			} else if (gt->op == KNIT_OP_GTE && !knit_comparator_test(c, &gt->v)) {
				return SUB_FALSE;
			}
		}
		if (lt) {
			if (need_lt_pre && c->op != KNIT_OP_ANY && c->v.npre &&
			    !knit_version_compare_main(&c->v, need_lt_pre))
				need_lt_pre = NULL;
			if (op_is_lt(c->op)) {
				const struct knit_comparator *lower = lower_lt(lt, c);
				if (lower == c && lower != lt)
					return SUB_FALSE;
			} else if (lt->op == KNIT_OP_LTE && !knit_comparator_test(c, &lt->v)) {
				return SUB_FALSE;
			}
		}
		if ((c->op == KNIT_OP_EQ || c->op == KNIT_OP_ANY) && (lt || gt) && gtlt_comp != 0)
			return SUB_FALSE;
	}
	if (gt && has_dom_lt && !lt && gtlt_comp != 0)
		return SUB_FALSE;
	if (lt && has_dom_gt && !gt && gtlt_comp != 0)
		return SUB_FALSE;
	if (need_gt_pre || need_lt_pre)
		return SUB_FALSE;
	return SUB_TRUE;
}

bool knit_range_subset(const struct knit_range *sub, const struct knit_range *dom, unsigned flags)
{
	bool saw_non_null = false;
	for (size_t i = 0; i < sub->nsets; i++) {
		bool found = false;
		for (size_t j = 0; j < dom->nsets && !found; j++) {
			int r = simple_subset(&sub->sets[i], &dom->sets[j], flags);
			saw_non_null = saw_non_null || r != SUB_NULL;
			found = r == SUB_TRUE;
		}
		if (!found && saw_non_null)
			return false;
	}
	return true;
}

/* --- minVersion and outside ------------------------------------------------ */

int knit_range_min_version(const struct knit_range *r, struct knit_version *out)
{
	static struct knit_semver_ident zero = { "0", 1, KNIT_IDENT_NUMBER, 0 };
	struct knit_version v0 = KNIT_VERSION_INIT;
	struct knit_version v0pre = { .npre = 1, .ids = &zero };
	struct knit_version best = KNIT_VERSION_INIT;
	bool have_best = false;

	*out = (struct knit_version)KNIT_VERSION_INIT;
	if (knit_range_test(r, &v0))
		return 0;
	if (knit_range_test(r, &v0pre)) {
		knit_version_copy(out, &v0pre);
		return 0;
	}
	for (size_t i = 0; i < r->nsets; i++) {
		struct knit_version set_min = KNIT_VERSION_INIT;
		bool have_set_min = false;
		for (size_t k = 0; k < r->sets[i].n; k++) {
			const struct knit_comparator *c = &r->sets[i].c[k];
			struct knit_version cv;
			if (c->op == KNIT_OP_LT || c->op == KNIT_OP_LTE)
				continue;
			if (c->op == KNIT_OP_ANY) {
				/* Comparator.ANY's semver: new SemVer(ANY.version) would throw;
				 * ANY never stands beside other comparators in a set */
				cv = (struct knit_version)KNIT_VERSION_INIT;
			} else {
				/* new SemVer(comparator.semver.version): build metadata dropped */
				knit_version_copy(&cv, &c->v);
				cv.nbuild = 0;
			}
			if (c->op == KNIT_OP_GT) {
				if (!cv.npre) {
					cv.patch++;
					knit_version_repack(&cv);
				} else {
					/* prerelease.push(0) */
					struct strbuf sb = STRBUF_INIT;
					knit__version_append(&sb, &cv);
					strbuf_addstr(&sb, ".0");
					knit_version_release(&cv);
					if (knit_version_parse(&cv, sb.buf, sb.len, 0))
						cv = (struct knit_version)KNIT_VERSION_INIT;
					strbuf_release(&sb);
				}
			}
			if (!have_set_min || knit_version_compare(&cv, &set_min) > 0) {
				knit_version_release(&set_min);
				set_min = cv;
				have_set_min = true;
			} else {
				knit_version_release(&cv);
			}
		}
		if (have_set_min && (!have_best || knit_version_compare(&best, &set_min) > 0)) {
			knit_version_release(&best);
			best = set_min;
			have_best = true;
		} else {
			knit_version_release(&set_min);
		}
	}
	/*
	 * With options set, range.test() re-parses the candidate, and a patch
	 * pushed past MAX_SAFE_INTEGER by the ++ above makes node-semver throw.
	 */
	if (have_best && r->flags && best.patch > KNIT_SEMVER_MAX_SAFE_INTEGER) {
		knit_version_release(&best);
		return KNIT_EINVALID_VERSION;
	}
	if (have_best && knit_range_test(r, &best)) {
		*out = best;
		return 0;
	}
	knit_version_release(&best);
	return KNIT_ENOMATCH;
}

bool knit_range_outside(const struct knit_range *r, const struct knit_version *v, char hilo)
{
	static const struct knit_comparator gte0 = { KNIT_OP_GTE, KNIT_VERSION_INIT };
	bool hi = hilo == '>';
	enum knit_cmp_op comp = hi ? KNIT_OP_GT : KNIT_OP_LT, ecomp = hi ? KNIT_OP_GTE : KNIT_OP_LTE;
	/* gtfn/ltfn swap for '<' */
	int sign = hi ? 1 : -1;

	if (knit_range_test(r, v))
		return false;
	for (size_t i = 0; i < r->nsets; i++) {
		const struct knit_comparator *high = NULL, *low = NULL;
		for (size_t k = 0; k < r->sets[i].n; k++) {
			const struct knit_comparator *c = &r->sets[i].c[k];
			if (c->op == KNIT_OP_ANY)
				c = &gte0;
			if (!high)
				high = c;
			if (!low)
				low = c;
			if (sign * knit_version_compare(&c->v, &high->v) > 0)
				high = c;
			else if (sign * knit_version_compare(&c->v, &low->v) < 0)
				low = c;
		}
		if (high->op == comp || high->op == ecomp)
			return false;
		int vl = sign * knit_version_compare(v, &low->v);
		if ((low->op == KNIT_OP_EQ || low->op == comp) && vl <= 0)
			return false;
		else if (low->op == ecomp && vl < 0)
			return false;
	}
	return true;
}
