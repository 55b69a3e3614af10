/*
 * The solver's packages: names to ids, loading from the source, ranges as
 * version sets, and a version's dependencies as incompatibilities.
 */
#include "solver_internal.h"
#include "pick.h"
#include "../util/error.h"
#include "../util/hash.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

void knit_source_load_error(const struct knit_source *src, const char *name, int rc, struct strbuf *err)
{
	const char *msg = src->message ? src->message(src->ctx, name) : NULL;
	strbuf_addf(err, "cannot load '%s': %s", name, msg ? msg : knit_strerror(rc));
}

static void map_grow(struct knit__solver *s)
{
	size_t size = s->map_size ? s->map_size * 2 : 256;
	uint32_t *map = knit_xcalloc(size, sizeof(*map));
	for (size_t i = 0; i < s->npkgs; i++) {
		size_t k = knit_hash_str(s->pkgs[i].name) & (size - 1);
		while (map[k])
			k = (k + 1) & (size - 1);
		map[k] = (uint32_t)i + 1;
	}
	free(s->map);
	s->map = map;
	s->map_size = size;
}

uint32_t knit__solver_pkg_id(struct knit__solver *s, const char *name)
{
	if ((s->npkgs + 1) * 2 > s->map_size)
		map_grow(s);
	size_t k = knit_hash_str(name) & (s->map_size - 1);
	while (s->map[k]) {
		uint32_t id = s->map[k] - 1;
		if (!strcmp(s->pkgs[id].name, name))
			return id;
		k = (k + 1) & (s->map_size - 1);
	}
	KNIT_ALLOC_GROW(s->pkgs, s->npkgs + 1, s->apkgs);
	struct knit__spkg *p = &s->pkgs[s->npkgs];
	memset(p, 0, sizeof(*p));
	p->name = knit__arena_strdup(&s->arena, name);
	p->locked = -1;
	p->decision = -1;
	s->map[k] = (uint32_t)s->npkgs + 1;
	return (uint32_t)s->npkgs++;
}

static int32_t find_version(const struct knit_pkg *info, const char *version)
{
	return (int32_t)knit_pkg_find_version(info, version);
}

int knit__solver_pkg_load(struct knit__solver *s, uint32_t id)
{
	struct knit__spkg *p = &s->pkgs[id];
	const struct knit_pkg *info = NULL;
	int rc;

	if (p->state != PKG_UNLOADED)
		return 0;
	rc = s->src->load(s->src->ctx, p->name, &info);
	p = &s->pkgs[id];
	if (rc == KNIT_ENOTFOUND) {
		p->state = PKG_MISSING;
		p->nversions = 0;
		p->nwords = 1; /* the phantom alone */
		return 0;
	}
	if (rc) {
		knit_source_load_error(s->src, p->name, rc, s->why);
		s->error = rc;
		return rc;
	}
	p->info = info;
	p->state = PKG_LOADED;
	p->nversions = (uint32_t)info->nversions;
	p->nwords = (p->nversions + 1 + 63) / 64; /* with the phantom */

	const struct knit_solve_request *req = s->req;
	for (size_t i = 0; i < req->nlock; i++) {
		if (strcmp(req->lock[i].name, p->name))
			continue;
		bool unlocked = false;
		for (size_t k = 0; k < req->nunlock; k++)
			unlocked |= !strcmp(req->unlock[k], p->name);
		if (!unlocked)
			p->locked = find_version(info, req->lock[i].range);
	}
	return 0;
}

const char *knit__solver_dep_range(struct knit__solver *s, const char *name, const char *range)
{
	for (size_t i = 0; i < s->req->noverrides; i++)
		if (!strcmp(s->req->overrides[i].name, name))
			return s->req->overrides[i].range;
	return range;
}

uint64_t *knit__solver_range_bits(struct knit__solver *s, uint32_t pkg, const char *range, bool *invalid)
{
	struct knit__spkg *p = &s->pkgs[pkg];
	for (size_t i = 0; i < p->nranges; i++) {
		if (!strcmp(p->ranges[i].text, range)) {
			*invalid = p->ranges[i].invalid;
			return p->ranges[i].bits;
		}
	}
	uint64_t *bits = knit__bits_new(s, pkg);
	struct knit_range r;
	/* ranges match as npm-pick-manifest matches them: loosely */
	bool bad = knit_range_parse(&r, range, strlen(range), KNIT_SEMVER_LOOSE) != 0;
	p = &s->pkgs[pkg];
	if (!bad) {
		bool any = false;
		for (uint32_t i = 0; i < p->nversions; i++) {
			if (knit_range_test(&r, &p->info->versions[i].parsed)) {
				bits[i / 64] |= UINT64_C(1) << (i % 64);
				any = true;
			}
		}
		/* nothing that exists matches, but something could: the phantom */
		struct knit_version min;
		if (!any && !knit_range_min_version(&r, &min)) {
			knit_version_release(&min);
			bits[p->nversions / 64] |= UINT64_C(1) << (p->nversions % 64);
		}
		knit_range_release(&r);
	} else if (p->info) {
		/* a dist-tag where a range should be: npm resolves the tag */
		int32_t v = (int32_t)knit_pkg_tag_version(p->info, range);
		if (v >= 0) {
			bits[v / 64] |= UINT64_C(1) << (v % 64);
			bad = false;
		}
	}
	KNIT_ALLOC_GROW(p->ranges, p->nranges + 1, p->aranges);
	p->ranges[p->nranges++] = (struct knit__range_cache_entry){ knit__arena_strdup(&s->arena, range), bits, bad };
	*invalid = bad;
	return bits;
}

/* The range pkg's version v puts on dep (after overrides), or NULL. */
static const char *range_on(struct knit__solver *s, uint32_t pkg, uint32_t v, const char *dep)
{
	const struct knit_pkg_version *pv = &s->pkgs[pkg].info->versions[v];
	for (size_t i = 0; i < pv->ndeps; i++)
		if (!strcmp(pv->deps[i].name, dep))
			return knit__solver_dep_range(s, dep, pv->deps[i].range);
	return NULL;
}

/*
 * The contiguous run of pkg's versions around v that depend on dep with the
 * same range, so that one incompatibility covers them all ("every version
 * of foo depends on bar ^1.0.0"), as pub's package lister does.
 */
static void dependency_run(struct knit__solver *s, uint32_t pkg, uint32_t v, const char *dep,
			   const char *range, uint32_t *lo, uint32_t *hi)
{
	uint32_t n = s->pkgs[pkg].nversions;
	*lo = *hi = v;
	while (*lo > 0) {
		const char *r = range_on(s, pkg, *lo - 1, dep);
		if (!r || strcmp(r, range))
			break;
		(*lo)--;
	}
	while (*hi + 1 < n) {
		const char *r = range_on(s, pkg, *hi + 1, dep);
		if (!r || strcmp(r, range))
			break;
		(*hi)++;
	}
}

bool knit__solver_add_dependencies(struct knit__solver *s, uint32_t pkg, uint32_t v, bool *conflict)
{
	const struct knit_pkg_version *pv = &s->pkgs[pkg].info->versions[v];

	/* ask for every target first, so that a remote source fetches them together */
	for (size_t i = 0; i < pv->ndeps; i++)
		if (strcmp(pv->deps[i].name, s->pkgs[s->root].name))
			s->src->prefetch(s->src->ctx, pv->deps[i].name);

	for (size_t i = 0; i < pv->ndeps; i++) {
		const char *name = pv->deps[i].name;
		const char *range = pkg == s->root ? knit__solver_dep_range(s, name, pv->deps[i].range)
						   : range_on(s, pkg, v, name);
		uint32_t dep = knit__solver_pkg_id(s, name);
		if (knit__solver_pkg_load(s, dep))
			return false;

		uint32_t lo = v, hi = v;
		if (pkg != s->root)
			dependency_run(s, pkg, v, name, range, &lo, &hi);
		struct knit__spkg *p = &s->pkgs[pkg];
		bool listed = false;
		for (size_t k = 0; k < p->nlisted && !listed; k++)
			listed = p->listed[k].dep == dep && p->listed[k].lo == lo &&
				 p->listed[k].hi == hi && !strcmp(p->listed[k].range, range);
		if (listed)
			continue;
		KNIT_ALLOC_GROW(p->listed, p->nlisted + 1, p->alisted);
		p->listed[p->nlisted++] = (struct knit__listed_dep){ dep, lo, hi, range };

		bool invalid = false;
		uint64_t *target = knit__solver_range_bits(s, dep, range, &invalid);
		uint64_t *run = knit__bits_new(s, pkg);
		for (uint32_t k = lo; k <= hi; k++)
			run[k / 64] |= UINT64_C(1) << (k % 64);

		struct knit__incompat in = { .cause = CAUSE_DEPENDENCY, .dep_pkg = dep, .dep_range = range };
		in.terms = knit__arena_alloc(&s->arena, 2 * sizeof(struct knit__term));
		in.terms[in.nterms++] = (struct knit__term){ pkg, true, run, NULL };
		struct knit__term not_target = { dep, false, target, range };
		if (s->pkgs[dep].state == PKG_MISSING)
			in.dep_flags |= DEP_MISSING;
		if (invalid)
			in.dep_flags |= DEP_INVALID;
		else if (knit__bits_empty(target, s->pkgs[dep].nwords))
			in.dep_flags |= DEP_NO_MATCH;
		/* "not Q" over an empty set is always true: drop it */
		if (!knit__term_is_any(s, &not_target))
			in.terms[in.nterms++] = not_target;
		uint32_t id = knit__solver_add_incompat(s, in);

		/* already satisfied apart from pkg itself: picking v would conflict */
		bool all = true;
		const struct knit__incompat *ic = &s->incompats[id];
		for (uint32_t t = 0; t < ic->nterms && all; t++) {
			const struct knit__term *term = &ic->terms[t];
			if (term->pkg == pkg)
				continue;
			const struct knit__spkg *q = &s->pkgs[term->pkg];
			all = q->has_acc && knit__term_relation(s, &q->acc, term) == REL_SATISFIED;
		}
		*conflict |= all;
	}
	return true;
}
