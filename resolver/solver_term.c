/*
 * The arena, and version sets as bitsets: term algebra after pubgrub-rs's
 * term.rs, where a positive term allows a set and a negative term allows
 * "not selected" plus the complement.
 */
#include "solver_internal.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct knit__arena_block {
	struct knit__arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *knit__arena_alloc(struct knit__arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!a->head || a->head->used + size > a->head->size) {
		size_t bsize = size > 65536 ? size : 65536;
		struct knit__arena_block *b = knit_xmalloc(sizeof(*b) + bsize);
		b->next = a->head;
		b->used = 0;
		b->size = bsize;
		a->head = b;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += size;
	return p;
}

char *knit__arena_strdup(struct knit__arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = knit__arena_alloc(a, n);
	memcpy(p, s, n);
	return p;
}

void knit__arena_release(struct knit__arena *a)
{
	while (a->head) {
		struct knit__arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

uint64_t *knit__bits_new(struct knit__solver *s, uint32_t pkg)
{
	uint32_t n = s->pkgs[pkg].nwords;
	uint64_t *b = knit__arena_alloc(&s->arena, (n ? n : 1) * sizeof(uint64_t));
	memset(b, 0, (n ? n : 1) * sizeof(uint64_t));
	return b;
}

uint64_t *knit__bits_full(struct knit__solver *s, uint32_t pkg)
{
	uint64_t *b = knit__bits_new(s, pkg);
	uint32_t nv = s->pkgs[pkg].nversions;
	for (uint32_t i = 0; i <= nv; i++) /* the phantom too */
		b[i / 64] |= UINT64_C(1) << (i % 64);
	return b;
}

bool knit__bits_empty(const uint64_t *b, uint32_t nwords)
{
	for (uint32_t i = 0; i < nwords; i++)
		if (b[i])
			return false;
	return true;
}

/* Every version that exists is in b (the phantom does not matter). */
bool knit__bits_full_p(const struct knit__solver *s, uint32_t pkg, const uint64_t *b)
{
	uint32_t nv = s->pkgs[pkg].nversions;
	for (uint32_t i = 0; i < nv / 64; i++)
		if (b[i] != UINT64_MAX)
			return false;
	if (nv % 64)
		return b[nv / 64] == (UINT64_C(1) << (nv % 64)) - 1;
	return true;
}

size_t knit__bits_count(const uint64_t *b, uint32_t nwords)
{
	size_t n = 0;
	for (uint32_t i = 0; i < nwords; i++)
		n += (size_t)__builtin_popcountll(b[i]);
	return n;
}

struct knit__term knit__term_intersect(struct knit__solver *s, const struct knit__term *a, const struct knit__term *b)
{
	uint32_t n = s->pkgs[a->pkg].nwords;
	struct knit__term r = { a->pkg, a->positive || b->positive, knit__bits_new(s, a->pkg), NULL };
	for (uint32_t i = 0; i < n; i++) {
		uint64_t x = a->bits[i], y = b->bits[i];
		if (a->positive && b->positive)
			r.bits[i] = x & y;
		else if (a->positive)
			r.bits[i] = x & ~y;
		else if (b->positive)
			r.bits[i] = y & ~x;
		else
			r.bits[i] = x | y;
	}
	/* keep a range's text when the other side changed nothing */
	if (a->positive == r.positive && !memcmp(a->bits, r.bits, n * sizeof(uint64_t)))
		r.text = a->text;
	else if (b->positive == r.positive && !memcmp(b->bits, r.bits, n * sizeof(uint64_t)))
		r.text = b->text;
	return r;
}

struct knit__term knit__term_negate(const struct knit__term *t)
{
	struct knit__term r = *t;
	r.positive = !t->positive;
	return r;
}

bool knit__term_is_empty(const struct knit__solver *s, const struct knit__term *t)
{
	return t->positive && knit__bits_empty(t->bits, s->pkgs[t->pkg].nwords);
}

bool knit__term_is_any(const struct knit__solver *s, const struct knit__term *t)
{
	return !t->positive && knit__bits_empty(t->bits, s->pkgs[t->pkg].nwords);
}

/* a allows nothing that b does not */
bool knit__term_subset(const struct knit__solver *s, const struct knit__term *a, const struct knit__term *b)
{
	uint32_t n = s->pkgs[a->pkg].nwords;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t x = a->bits[i], y = b->bits[i];
		if (a->positive && b->positive ? x & ~y
		    : a->positive ? x & y
		    : b->positive ? 1
		    : y & ~x)
			return false;
	}
	if (!a->positive && b->positive)
		return false; /* "not selected" is never within a positive term */
	return true;
}

bool knit__term_disjoint(const struct knit__solver *s, const struct knit__term *a, const struct knit__term *b)
{
	if (!a->positive && !b->positive)
		return false; /* both allow "not selected" */
	uint32_t n = s->pkgs[a->pkg].nwords;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t x = a->bits[i], y = b->bits[i];
		if (a->positive && b->positive ? x & y : a->positive ? x & ~y : y & ~x)
			return false;
	}
	return true;
}

enum knit__relation knit__term_relation(const struct knit__solver *s, const struct knit__term *acc, const struct knit__term *t)
{
	if (knit__term_subset(s, acc, t))
		return REL_SATISFIED;
	if (knit__term_disjoint(s, acc, t))
		return REL_CONTRADICTED;
	return REL_INCONCLUSIVE;
}
