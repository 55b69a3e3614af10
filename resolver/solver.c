/*
 * PubGrub, as dart-lang/pub's doc/solver.md describes it: unit propagation
 * over incompatibilities, decisions (fewest candidate versions first),
 * and conflict resolution that learns a new incompatibility and backjumps.
 *
 * Decision levels follow pub: the root decision is at level 1, a decision
 * and the derivations after it share a level, and conflict resolution never
 * backjumps past level 1, which keeps the root's own facts close to the end
 * of an explanation.
 */
#include "solver_internal.h"
#include "pick.h"
#include "../util/error.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* --- incompatibilities ----------------------------------------------------- */

/* Stores in without indexing it: part of the derivation graph only. */
static uint32_t store_incompat(struct knit__solver *s, struct knit__incompat in)
{
	KNIT_ALLOC_GROW(s->incompats, s->nincompats + 1, s->aincompats);
	s->incompats[s->nincompats] = in;
	return (uint32_t)s->nincompats++;
}

static void index_incompat(struct knit__solver *s, uint32_t id)
{
	const struct knit__incompat *in = &s->incompats[id];
	for (uint32_t i = 0; i < in->nterms; i++) {
		struct knit__spkg *p = &s->pkgs[in->terms[i].pkg];
		KNIT_ALLOC_GROW(p->incompats, p->nincompats + 1, p->aincompats);
		p->incompats[p->nincompats++] = id;
	}
}

/*
 * Terms about the same package merge by intersection; a derived
 * incompatibility drops the positive root term, which always holds.
 */
static void normalize_terms(struct knit__solver *s, struct knit__incompat *in)
{
	uint32_t w = 0;
	if (in->cause == CAUSE_DERIVED && in->nterms != 1) {
		for (uint32_t i = 0; i < in->nterms; i++)
			if (!(in->terms[i].pkg == s->root && in->terms[i].positive))
				in->terms[w++] = in->terms[i];
		in->nterms = w;
	}
	w = 0;
	for (uint32_t i = 0; i < in->nterms; i++) {
		uint32_t k;
		for (k = 0; k < w; k++)
			if (in->terms[k].pkg == in->terms[i].pkg)
				break;
		if (k < w)
			in->terms[k] = knit__term_intersect(s, &in->terms[k], &in->terms[i]);
		else
			in->terms[w++] = in->terms[i];
	}
	in->nterms = w;
}

uint32_t knit__solver_add_incompat(struct knit__solver *s, struct knit__incompat in)
{
	normalize_terms(s, &in);
	uint32_t id = store_incompat(s, in);
	/* a term that can never hold makes the incompatibility vacuous */
	for (uint32_t i = 0; i < in.nterms; i++)
		if (knit__term_is_empty(s, &in.terms[i]))
			return id;
	index_incompat(s, id);
	return id;
}

static bool is_failure(const struct knit__solver *s, const struct knit__incompat *in)
{
	return in->nterms == 0 || (in->nterms == 1 && in->terms[0].pkg == s->root);
}

/* --- the partial solution ---------------------------------------------------- */

static void queue_push(struct knit__solver *s, uint32_t pkg)
{
	struct knit__spkg *p = &s->pkgs[pkg];
	if (p->queued)
		return;
	p->queued = true;
	KNIT_ALLOC_GROW(s->queue, s->nqueue + 1, s->aqueue);
	s->queue[s->nqueue++] = pkg;
}

static void register_assignment(struct knit__solver *s, size_t idx)
{
	const struct knit__assignment *a = &s->assigns[idx];
	struct knit__spkg *p = &s->pkgs[a->t.pkg];
	KNIT_ALLOC_GROW(p->assigns, p->nassigns + 1, p->aassigns);
	p->assigns[p->nassigns++] = (uint32_t)idx;
	p->acc = p->has_acc ? knit__term_intersect(s, &p->acc, &a->t) : a->t;
	p->has_acc = true;
	if (a->cause < 0) {
		for (uint32_t w = 0; w < p->nwords; w++)
			if (a->t.bits[w])
				p->decision = (int32_t)(w * 64 + (uint32_t)__builtin_ctzll(a->t.bits[w]));
	} else if (p->acc.positive && p->decision < 0) {
		queue_push(s, a->t.pkg);
	}
}

static void assign(struct knit__solver *s, struct knit__term t, int64_t cause)
{
	KNIT_ALLOC_GROW(s->assigns, s->nassigns + 1, s->aassigns);
	s->assigns[s->nassigns] = (struct knit__assignment){ t, s->level, cause };
	register_assignment(s, s->nassigns++);
}

static void decide(struct knit__solver *s, uint32_t pkg, uint32_t v)
{
	uint64_t *bits = knit__bits_new(s, pkg);
	bits[v / 64] |= UINT64_C(1) << (v % 64);
	s->level++;
	s->decisions++;
	assign(s, (struct knit__term){ pkg, true, bits, NULL }, -1);
}

static void backtrack(struct knit__solver *s, uint32_t level)
{
	while (s->nassigns && s->assigns[s->nassigns - 1].level > level) {
		const struct knit__assignment *a = &s->assigns[--s->nassigns];
		struct knit__spkg *p = &s->pkgs[a->t.pkg];
		p->nassigns--;
		if (a->cause < 0)
			p->decision = -1;
		p->has_acc = false; /* recomputed below */
	}
	s->level = level;
	/* recompute what changed, in assignment order */
	for (size_t i = 0; i < s->npkgs; i++) {
		struct knit__spkg *p = &s->pkgs[i];
		if (p->has_acc || !p->nassigns)
			continue;
		for (size_t k = 0; k < p->nassigns; k++) {
			const struct knit__term *t = &s->assigns[p->assigns[k]].t;
			p->acc = k ? knit__term_intersect(s, &p->acc, t) : *t;
		}
		p->has_acc = true;
	}
	/* keep the queue's order, without what is no longer waiting for a decision */
	size_t w = 0;
	for (size_t i = 0; i < s->nqueue; i++) {
		struct knit__spkg *p = &s->pkgs[s->queue[i]];
		if (p->has_acc && p->acc.positive && p->decision < 0)
			s->queue[w++] = s->queue[i];
		else
			p->queued = false;
	}
	s->nqueue = w;
	/* and what waits for a decision again, because its decision was undone */
	for (size_t i = 0; i < s->npkgs; i++) {
		struct knit__spkg *p = &s->pkgs[i];
		if (p->has_acc && p->acc.positive && p->decision < 0)
			queue_push(s, (uint32_t)i);
	}
}

/* The earliest assignment after which pkg's assignments together satisfy t. */
static size_t satisfier(struct knit__solver *s, const struct knit__term *t)
{
	const struct knit__spkg *p = &s->pkgs[t->pkg];
	struct knit__term acc = { 0 };
	for (size_t k = 0; k < p->nassigns; k++) {
		const struct knit__term *a = &s->assigns[p->assigns[k]].t;
		acc = k ? knit__term_intersect(s, &acc, a) : *a;
		if (knit__term_subset(s, &acc, t))
			return p->assigns[k];
	}
	abort(); /* BUG: only satisfied terms are asked about */
}

/* --- propagation and conflicts ---------------------------------------------- */

enum { PROP_NONE = -1, PROP_CONFLICT = -2 };

static int64_t propagate_incompat(struct knit__solver *s, uint32_t id)
{
	const struct knit__incompat *in = &s->incompats[id];
	int64_t unsatisfied = -1;
	for (uint32_t i = 0; i < in->nterms; i++) {
		const struct knit__term *t = &in->terms[i];
		const struct knit__spkg *p = &s->pkgs[t->pkg];
		enum knit__relation rel = p->has_acc ? knit__term_relation(s, &p->acc, t) : REL_INCONCLUSIVE;
		if (rel == REL_CONTRADICTED)
			return PROP_NONE;
		if (rel == REL_INCONCLUSIVE) {
			if (unsatisfied >= 0)
				return PROP_NONE;
			unsatisfied = i;
		}
	}
	if (unsatisfied < 0)
		return PROP_CONFLICT;
	struct knit__term derived = knit__term_negate(&in->terms[unsatisfied]);
	assign(s, derived, id);
	return derived.pkg;
}

/*
 * Learns the root cause of the conflict that incompatibility id shows and
 * backjumps so that it can propagate. Returns its id, or -1 after writing
 * the explanation when solving has failed.
 */
static int64_t resolve_conflict(struct knit__solver *s, uint32_t id)
{
	bool learned = false;
	while (!is_failure(s, &s->incompats[id])) {
		const struct knit__incompat *in = &s->incompats[id];
		int64_t mrt = -1, mrs = -1;
		struct knit__term difference = { 0 };
		bool has_difference = false;
		uint32_t previous_level = 1;

		for (uint32_t i = 0; i < in->nterms; i++) {
			const struct knit__term *t = &in->terms[i];
			size_t sat = satisfier(s, t);
			if (mrs < 0) {
				mrt = i;
				mrs = (int64_t)sat;
			} else if ((size_t)mrs < sat) {
				if (s->assigns[mrs].level > previous_level)
					previous_level = s->assigns[mrs].level;
				mrt = i;
				mrs = (int64_t)sat;
				has_difference = false;
			} else if (s->assigns[sat].level > previous_level) {
				previous_level = s->assigns[sat].level;
			}
			if (mrt == (int64_t)i) {
				/* a partial satisfier: what it allows beyond the term */
				struct knit__term not_t = knit__term_negate(t);
				difference = knit__term_intersect(s, &s->assigns[mrs].t, &not_t);
				has_difference = !knit__term_is_empty(s, &difference);
				if (has_difference) {
					struct knit__term inv = knit__term_negate(&difference);
					size_t other = satisfier(s, &inv);
					if (s->assigns[other].level > previous_level)
						previous_level = s->assigns[other].level;
				}
			}
		}

		const struct knit__assignment *sat = &s->assigns[mrs];
		if (previous_level < sat->level || sat->cause < 0) {
			backtrack(s, previous_level);
			if (learned)
				index_incompat(s, id);
			return id;
		}

		/* resolve: this incompatibility with the cause of the satisfier */
		const struct knit__incompat *cause = &s->incompats[sat->cause];
		struct knit__incompat next = { .cause = CAUSE_DERIVED, .c1 = id, .c2 = (uint32_t)sat->cause };
		next.terms = knit__arena_alloc(&s->arena, (in->nterms + cause->nterms + 1) * sizeof(struct knit__term));
		for (uint32_t i = 0; i < in->nterms; i++)
			if ((int64_t)i != mrt)
				next.terms[next.nterms++] = in->terms[i];
		for (uint32_t i = 0; i < cause->nterms; i++)
			if (cause->terms[i].pkg != sat->t.pkg)
				next.terms[next.nterms++] = cause->terms[i];
		if (has_difference)
			next.terms[next.nterms++] = knit__term_negate(&difference);
		normalize_terms(s, &next);
		id = store_incompat(s, next);
		learned = true;
	}
	knit__solver_report(s, id);
	return -1;
}

/* 0, KNIT_ENOSOLUTION (explained), or a source error */
static int propagate(struct knit__solver *s, uint32_t start)
{
	uint32_t *changed = knit_xmalloc(sizeof(*changed) * (s->npkgs + 1));
	bool *in_changed = knit_xcalloc(s->npkgs + 1, sizeof(*in_changed));
	size_t head = 0, tail = 0, cap = s->npkgs + 1;
	int rc = 0;

	changed[tail++] = start;
	in_changed[start] = true;
	while (head != tail) {
		uint32_t pkg = changed[head];
		head = (head + 1) % cap;
		in_changed[pkg] = false;
		for (size_t k = s->pkgs[pkg].nincompats; k-- > 0;) {
			uint32_t id = s->pkgs[pkg].incompats[k];
			int64_t r = propagate_incompat(s, id);
			if (r == PROP_CONFLICT) {
				int64_t root_cause = resolve_conflict(s, id);
				if (root_cause < 0) {
					rc = KNIT_ENOSOLUTION;
					goto done;
				}
				head = tail = 0;
				memset(in_changed, 0, (s->npkgs + 1) * sizeof(*in_changed));
				r = propagate_incompat(s, (uint32_t)root_cause);
				if (r < 0)
					abort(); /* BUG: a learned incompatibility must propagate */
				changed[tail++] = (uint32_t)r;
				in_changed[r] = true;
				break;
			}
			if (r >= 0 && !in_changed[r]) {
				changed[tail] = (uint32_t)r;
				tail = (tail + 1) % cap;
				in_changed[r] = true;
			}
		}
	}
done:
	free(changed);
	free(in_changed);
	return rc;
}

/* --- decisions ---------------------------------------------------------------- */

static bool has_bit(const uint64_t *b, uint32_t i) { return b[i / 64] >> (i % 64) & 1; }

static bool allowed_bit(void *bits, size_t i) { return has_bit(bits, (uint32_t)i); }

/* npm's choice among the allowed versions (resolver/pick.h), the locked one first. */
static int64_t best_version(struct knit__solver *s, uint32_t pkg)
{
	const struct knit__spkg *p = &s->pkgs[pkg];
	uint64_t *allowed = p->acc.bits;

	if (p->locked >= 0 && has_bit(allowed, (uint32_t)p->locked))
		return p->locked;
	return knit_pick_version(p->info, s->req->resolution, allowed_bit, allowed);
}

static size_t candidates(const struct knit__solver *s, uint32_t pkg)
{
	const struct knit__spkg *p = &s->pkgs[pkg];
	if (p->locked >= 0 && has_bit(p->acc.bits, (uint32_t)p->locked))
		return 1;
	return knit__bits_count(p->acc.bits, p->nwords) - has_bit(p->acc.bits, p->nversions);
}

/* The package whose incompatibilities to propagate next, -1 when solved, -2 on error. */
static int64_t choose(struct knit__solver *s)
{
	int64_t best = -1;
	size_t best_n = 0;
	for (size_t i = 0; i < s->nqueue; i++) {
		uint32_t pkg = s->queue[i];
		const struct knit__spkg *p = &s->pkgs[pkg];
		if (p->decision >= 0 || !p->has_acc || !p->acc.positive)
			continue;
		size_t n = candidates(s, pkg);
		if (best < 0 || n < best_n) {
			best = pkg;
			best_n = n;
		}
	}
	if (best < 0)
		return -1;
	uint32_t pkg = (uint32_t)best;

	int64_t v = s->pkgs[pkg].state == PKG_MISSING ? -1 : best_version(s, pkg);
	if (v < 0) {
		struct knit__incompat in = { .nterms = 1 };
		in.cause = s->pkgs[pkg].state == PKG_MISSING ? CAUSE_NOT_FOUND : CAUSE_NO_VERSIONS;
		in.terms = knit__arena_alloc(&s->arena, sizeof(struct knit__term));
		in.terms[0] = s->pkgs[pkg].acc;
		knit__solver_add_incompat(s, in);
		return pkg;
	}
	bool conflict = false;
	if (!knit__solver_add_dependencies(s, pkg, (uint32_t)v, &conflict))
		return -2;
	if (!conflict) {
		decide(s, pkg, (uint32_t)v);
		if (s->req->on_decide && pkg != s->root)
			s->req->on_decide(s->req->on_decide_ctx, s->pkgs[pkg].info->name,
					  &s->pkgs[pkg].info->versions[v]);
	}
	return pkg;
}

/* --- the whole solve ------------------------------------------------------------ */

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct knit_solution_entry *)a)->name,
		      ((const struct knit_solution_entry *)b)->name);
}

static void solver_release(struct knit__solver *s)
{
	for (size_t i = 0; i < s->npkgs; i++) {
		free(s->pkgs[i].incompats);
		free(s->pkgs[i].assigns);
		free(s->pkgs[i].ranges);
		free(s->pkgs[i].listed);
	}
	free(s->pkgs);
	free(s->map);
	free(s->incompats);
	free(s->assigns);
	free(s->queue);
	knit_version_release(&s->root_version.parsed);
	knit__arena_release(&s->arena);
}

int knit_solve(const struct knit_solve_request *req, const struct knit_source *src,
	       struct knit_solution *out, struct strbuf *why)
{
	struct knit__solver s = { .req = req, .src = src, .why = why };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	s.root = knit__solver_pkg_id(&s, req->root_name);
	if (knit_version_parse(&s.root_version.parsed, req->root_version, strlen(req->root_version),
			       KNIT_SEMVER_LOOSE)) {
		strbuf_addf(why, "the root package's version '%s' is not a valid version",
			    req->root_version);
		solver_release(&s);
		return KNIT_EINVALID_VERSION;
	}
	s.root_version.version = req->root_version;
	s.root_version.deps = req->deps;
	s.root_version.ndeps = req->ndeps;
	s.root_info = (struct knit_pkg){ .name = s.pkgs[s.root].name, .versions = &s.root_version, .nversions = 1 };
	s.pkgs[s.root].info = &s.root_info;
	s.pkgs[s.root].state = PKG_LOADED;
	s.pkgs[s.root].nversions = 1;
	s.pkgs[s.root].nwords = 1; /* the version and the phantom */

	/* {not root}: the root package is selected */
	struct knit__incompat in = { .cause = CAUSE_ROOT, .nterms = 1 };
	in.terms = knit__arena_alloc(&s.arena, sizeof(struct knit__term));
	uint64_t *own = knit__bits_new(&s, s.root);
	own[0] = 1; /* the root's one version, never its phantom */
	in.terms[0] = (struct knit__term){ s.root, false, own, NULL };
	knit__solver_add_incompat(&s, in);

	int64_t next = s.root;
	while (next >= 0) {
		rc = propagate(&s, (uint32_t)next);
		if (rc)
			break;
		next = choose(&s);
		if (next == -2) {
			rc = s.error;
			break;
		}
	}
	if (!rc) {
		out->pkgs = knit_xcalloc(s.npkgs ? s.npkgs : 1, sizeof(*out->pkgs));
		for (size_t i = 0; i < s.npkgs; i++) {
			const struct knit__spkg *p = &s.pkgs[i];
			if (i == s.root || p->decision < 0)
				continue;
			out->pkgs[out->n++] = (struct knit_solution_entry){
				p->info->name, &p->info->versions[p->decision], p->info };
		}
		qsort(out->pkgs, out->n, sizeof(*out->pkgs), compare_entries);
		out->decisions = s.decisions;
	}
	solver_release(&s);
	return rc;
}

void knit_solution_release(struct knit_solution *s)
{
	free(s->pkgs);
	memset(s, 0, sizeof(*s));
}
