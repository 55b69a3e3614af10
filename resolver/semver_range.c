/*
 * Ranges: building them (the direct path first, node-semver's pipeline for
 * the rest), the rules that finish a set and a range, the one-block layout,
 * and testing and printing.
 */
#include "semver_internal.h"
#include "../util/error.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>


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


static void drop_version(struct knit__comp_list *l, struct knit_version *v)
{
	if (!l->borrowed)
		knit_version_release(v);
}

void knit__comp_list_release(struct knit__comp_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		drop_version(l, &l->c[i].v);
	if (!l->borrowed)
		free(l->c);
	memset(l, 0, sizeof(*l));
}


/*
 * The rules parseRange() applies once a part's comparators are built: a
 * null set stands alone, duplicates (by value) go, and ANY goes when there
 * is anything else.
 */
void knit__normalize_set(struct knit__comp_list *l)
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
 * The range-level rules: null sets go unless all are null (the first then
 * stays), and a set that is exactly ANY makes the whole range ANY.
 */
static void normalize_sets(struct knit__comp_list *sets, size_t *n)
{
	if (*n <= 1)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++)
		kept += !knit__comparator_is_null_set(&sets[i].c[0]);
	if (!kept) {
		for (size_t i = 1; i < *n; i++)
			knit__comp_list_release(&sets[i]);
		*n = 1;
		return;
	}
	size_t w = 0;
	for (size_t i = 0; i < *n; i++) {
		if (knit__comparator_is_null_set(&sets[i].c[0]))
			knit__comp_list_release(&sets[i]);
		else
			sets[w++] = sets[i];
	}
	*n = w;
	for (size_t i = 0; *n > 1 && i < *n; i++) {
		if (sets[i].n == 1 && sets[i].c[0].op == KNIT_OP_ANY) {
			struct knit__comp_list any = sets[i];
			for (size_t k = 0; k < *n; k++)
				if (k != i)
					knit__comp_list_release(&sets[k]);
			sets[0] = any;
			*n = 1;
		}
	}
}

/* An interval no key falls in is stored as [UINT64_MAX, UINT64_MAX]. */
static void seal_interval(uint64_t *lo, uint64_t *hi)
{
	if (*lo > *hi)
		*lo = *hi = UINT64_MAX;
}

/* The releases a packed set admits, as an inclusive interval of keys. */
static void set_interval(struct knit_comparator_set *set)
{
	set->lo = 0;
	set->hi = UINT64_MAX;
	for (size_t i = 0; i < set->n; i++)
		knit__narrow(&set->lo, &set->hi, set->c[i].op, set->c[i].v.key);
	seal_interval(&set->lo, &set->hi);
}

/*
 * Copies the sets into one block that owns everything the range refers to:
 * sets, comparators, identifiers and their text. The block is storage when
 * it fits there, else malloc'd.
 */
static void assemble(struct knit_range *out, const struct knit__comp_list *sets, size_t n,
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
	struct knit__pipeline pl = { flags, exact };
	struct strbuf clean = STRBUF_INIT;
	struct knit__set_list sl = { 0 };
	struct knit__direct_arena arena;
	int rc;

	*out = (struct knit_range)KNIT_RANGE_INIT;
	if (!text)
		return KNIT_EINVALID_RANGE;
	arena.eval = false;
	if (!exact && !knit__parse_direct(&pl, &arena, text, len)) {
		normalize_sets(arena.sets, &arena.nsets);
		assemble(out, arena.sets, arena.nsets, flags, storage, storage_size);
		return 0;
	}
	if (!knit__is_ascii(text, len)) {
		knit__utf8_sanitize(&clean, text, len);
		text = clean.buf;
		len = clean.len;
	}
	rc = knit__parse_pipeline(&pl, &sl, text, len);
	if (!rc && !sl.n)
		rc = KNIT_EINVALID_RANGE;
	if (!rc) {
		normalize_sets(sl.sets, &sl.n);
		assemble(out, sl.sets, sl.n, flags, storage, storage_size);
	}
	knit__set_list_release(&sl);
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
	struct knit__pipeline pl = { flags, true };
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
	rc = knit__comparator_from_token(&pl, c, one.buf, one.len);
	if (rc == KNIT__COMP_DROPPED)
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

