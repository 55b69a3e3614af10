/*
 * Explaining a failure in sentences: the derivation graph of the final
 * incompatibility written as dart-lang/pub's solver.md describes (linear
 * "And because" chains, numbered lines for facts used twice, collapsed
 * external-derived pairs), then hints.
 *
 * Version sets print the way node-semver's simplifyRange prints them over
 * the known versions, or as the range a dependency wrote when that is
 * shorter.
 */
#include "solver_internal.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool bit(const uint64_t *b, uint32_t i) { return b[i / 64] >> (i % 64) & 1; }

void knit__solver_format_set(const struct knit__solver *s, struct strbuf *out, const struct knit__term *t)
{
	const struct knit__spkg *p = &s->pkgs[t->pkg];
	uint32_t n = p->nversions;
	struct strbuf runs = STRBUF_INIT;

	/* a package with no versions at all keeps the range it was asked for */
	if (n && knit__bits_full_p(s, t->pkg, t->bits)) {
		strbuf_addstr(out, "any");
		return;
	}
	size_t nruns = 0;
	for (uint32_t i = 0; i < n;) {
		if (!bit(t->bits, i)) {
			i++;
			continue;
		}
		uint32_t lo = i;
		while (i + 1 < n && bit(t->bits, i + 1))
			i++;
		uint32_t hi = i++;
		const char *vlo = p->info->versions[lo].version, *vhi = p->info->versions[hi].version;
		if (nruns++)
			strbuf_addstr(&runs, " || ");
		if (lo == hi && hi + 1 < n)
			strbuf_addstr(&runs, vlo);
		else if (hi + 1 == n && lo == 0)
			strbuf_addch(&runs, '*');
		else if (hi + 1 == n)
			strbuf_addf(&runs, ">=%s", vlo);
		else if (lo == 0)
			strbuf_addf(&runs, "<=%s", vhi);
		else
			strbuf_addf(&runs, "%s - %s", vlo, vhi);
	}
	if (!nruns)
		strbuf_addstr(&runs, t->text ? t->text : "<0.0.0-0"); /* only the phantom, or nothing */
	const char *text = t->text && !strcmp(t->text, "*") ? "any" : t->text;
	if (text && strlen(text) <= runs.len)
		strbuf_addstr(out, text);
	else
		strbuf_add(out, runs.buf, runs.len);
	strbuf_release(&runs);
}

/* --- phrases (pub's Incompatibility.toString) --------------------------------- */

struct writer {
	struct knit__solver *s;
	uint32_t *count;   /* times each incompatibility is used in the derivation */
	uint32_t *line;    /* its line number once written with one, else 0 */
	struct strbuf *lines;
	uint32_t *numbers; /* per line: its number, or 0 */
	size_t nlines, alines, anumbers;
	uint32_t next_number;
};

static const char *name_of(const struct writer *w, uint32_t pkg) { return w->s->pkgs[pkg].name; }

static void terse(const struct writer *w, struct strbuf *out, const struct knit__term *t, bool every)
{
	/* the root by its name, unless a range on it matters ("depends on myapp >0.0.0") */
	if (t->pkg == w->s->root && (knit__bits_full_p(w->s, t->pkg, t->bits) || t->positive)) {
		strbuf_addstr(out, name_of(w, t->pkg));
		return;
	}
	if (every && w->s->pkgs[t->pkg].nversions && knit__bits_full_p(w->s, t->pkg, t->bits)) {
		strbuf_addf(out, "every version of %s", name_of(w, t->pkg));
		return;
	}
	strbuf_addf(out, "%s ", name_of(w, t->pkg));
	knit__solver_format_set(w->s, out, t);
}

static const struct knit__term *single(const struct knit__incompat *in, bool positive)
{
	const struct knit__term *found = NULL;
	for (uint32_t i = 0; i < in->nterms; i++) {
		if (in->terms[i].positive != positive)
			continue;
		if (found)
			return NULL;
		found = &in->terms[i];
	}
	return found;
}

static void join_terms(const struct writer *w, struct strbuf *out, const struct knit__incompat *in,
		       bool positive, const char *sep)
{
	bool first = true;
	for (uint32_t i = 0; i < in->nterms; i++) {
		if (in->terms[i].positive != positive)
			continue;
		if (!first)
			strbuf_addstr(out, sep);
		terse(w, out, &in->terms[i], false);
		first = false;
	}
}

/* The target of a dependency whose own term was dropped or merged. */
static void dep_target(const struct writer *w, struct strbuf *out, const struct knit__incompat *in)
{
	const char *range = in->dep_range && !strcmp(in->dep_range, "*") ? "any" : in->dep_range;
	strbuf_addf(out, "%s %s", name_of(w, in->dep_pkg), range ? range : "any");
	if (in->dep_flags & DEP_MISSING)
		strbuf_addstr(out, " which doesn't exist");
	else if (in->dep_flags & DEP_INVALID)
		strbuf_addstr(out, " which is not a valid range");
	else if ((in->dep_flags & DEP_NO_MATCH) && in->dep_pkg == w->s->root)
		strbuf_addf(out, ", but %s is %s", name_of(w, in->dep_pkg), w->s->root_version.version);
	else if (in->dep_flags & DEP_NO_MATCH)
		strbuf_addstr(out, " which doesn't match any versions");
}

static void describe(const struct writer *w, struct strbuf *out, const struct knit__incompat *in)
{
	const struct knit__solver *s = w->s;
	uint32_t n = in->nterms;

	if (in->cause == CAUSE_DEPENDENCY) {
		const struct knit__term *depender = single(in, true);
		if (depender)
			terse(w, out, depender, true);
		else
			strbuf_addstr(out, name_of(w, in->dep_pkg));
		strbuf_addstr(out, " depends on ");
		const struct knit__term *dependee = single(in, false);
		if (dependee && !(in->dep_flags & (DEP_MISSING | DEP_INVALID | DEP_NO_MATCH)))
			terse(w, out, dependee, false);
		else
			dep_target(w, out, in);
		return;
	}
	if (in->cause == CAUSE_NO_VERSIONS) {
		strbuf_addf(out, "no versions of %s match ", name_of(w, in->terms[0].pkg));
		knit__solver_format_set(s, out, &in->terms[0]);
		return;
	}
	if (in->cause == CAUSE_NOT_FOUND) {
		strbuf_addf(out, "%s doesn't exist", name_of(w, in->terms[0].pkg));
		return;
	}
	if (in->cause == CAUSE_ROOT) {
		strbuf_addf(out, "%s is %s", name_of(w, s->root), s->root_version.version);
		return;
	}
	if (n == 0 || (n == 1 && in->terms[0].pkg == s->root)) {
		strbuf_addstr(out, "version solving failed");
		return;
	}
	if (n == 1) {
		const struct knit__term *t = &in->terms[0];
		if (knit__bits_full_p(s, t->pkg, t->bits))
			strbuf_addstr(out, name_of(w, t->pkg));
		else
			terse(w, out, t, false);
		strbuf_addstr(out, t->positive ? " is forbidden" : " is required");
		return;
	}
	if (n == 2 && in->terms[0].positive == in->terms[1].positive) {
		if (in->terms[0].positive) {
			for (int i = 0; i < 2; i++) {
				const struct knit__term *t = &in->terms[i];
				if (i)
					strbuf_addstr(out, " is incompatible with ");
				if (knit__bits_full_p(s, t->pkg, t->bits))
					strbuf_addstr(out, name_of(w, t->pkg));
				else
					terse(w, out, t, false);
			}
		} else {
			strbuf_addstr(out, "either ");
			terse(w, out, &in->terms[0], false);
			strbuf_addstr(out, " or ");
			terse(w, out, &in->terms[1], false);
		}
		return;
	}
	size_t npos = 0, nneg = 0;
	for (uint32_t i = 0; i < n; i++)
		in->terms[i].positive ? npos++ : nneg++;
	if (npos && nneg) {
		if (npos == 1) {
			terse(w, out, single(in, true), true);
			strbuf_addstr(out, " requires ");
		} else {
			strbuf_addstr(out, "if ");
			join_terms(w, out, in, true, " and ");
			strbuf_addstr(out, " then ");
		}
		join_terms(w, out, in, false, " or ");
	} else if (npos) {
		strbuf_addstr(out, "one of ");
		join_terms(w, out, in, true, " or ");
		strbuf_addstr(out, " must be false");
	} else {
		strbuf_addstr(out, "one of ");
		join_terms(w, out, in, false, " or ");
		strbuf_addstr(out, " must be true");
	}
}

static bool same_pkg_satisfies(const struct knit__solver *s, const struct knit__term *a, const struct knit__term *b)
{
	return a->pkg == b->pkg && knit__term_subset(s, a, b);
}

static void line_ref(struct strbuf *out, uint32_t line)
{
	if (line)
		strbuf_addf(out, " (%u)", line);
}

static const char *verb(const struct knit__incompat *in)
{
	return in->cause == CAUSE_DEPENDENCY ? "depends on" : "requires";
}

/* The start of "X depends on ..." or "if A or B then ..." for prior's positive terms. */
static void prior_subject(const struct writer *w, struct strbuf *out, const struct knit__incompat *prior)
{
	size_t npos = 0;
	for (uint32_t i = 0; i < prior->nterms; i++)
		npos += prior->terms[i].positive;
	if (npos > 1) {
		strbuf_addstr(out, "if ");
		join_terms(w, out, prior, true, " or ");
		strbuf_addstr(out, " then ");
	} else {
		terse(w, out, single(prior, true), true);
		strbuf_addf(out, " %s ", verb(prior));
	}
}

/* "A and B", phrased better for the common patterns (pub's andToString). */
static void describe_and(const struct writer *w, struct strbuf *out, const struct knit__incompat *a,
			 const struct knit__incompat *b, uint32_t aline, uint32_t bline)
{
	const struct knit__solver *s = w->s;

	/* requires both: the same single positive term on each side */
	if (a->nterms > 1 && b->nterms > 1) {
		const struct knit__term *ap = single(a, true), *bp = single(b, true);
		if (ap && bp && ap->pkg == bp->pkg) {
			terse(w, out, ap, true);
			bool deps = a->cause == CAUSE_DEPENDENCY && b->cause == CAUSE_DEPENDENCY;
			strbuf_addf(out, " %s both ", deps ? "depends on" : "requires");
			join_terms(w, out, a, false, " or ");
			line_ref(out, aline);
			strbuf_addstr(out, " and ");
			join_terms(w, out, b, false, " or ");
			line_ref(out, bline);
			return;
		}
	}
	/* requires through: "X depends on Y which depends on Z" */
	if (a->nterms > 1 && b->nterms > 1) {
		const struct knit__term *an = single(a, false), *bn = single(b, false);
		const struct knit__term *ap = single(a, true), *bp = single(b, true);
		const struct knit__incompat *prior = NULL, *latter = NULL;
		const struct knit__term *prior_neg = NULL;
		uint32_t prior_line = 0, latter_line = 0;
		if (an && bp) {
			struct knit__term inv = knit__term_negate(an);
			if (same_pkg_satisfies(s, &inv, bp)) {
				prior = a, latter = b, prior_neg = an, prior_line = aline, latter_line = bline;
			}
		}
		if (!prior && bn && ap) {
			struct knit__term inv = knit__term_negate(bn);
			if (same_pkg_satisfies(s, &inv, ap)) {
				prior = b, latter = a, prior_neg = bn, prior_line = bline, latter_line = aline;
			}
		}
		if (prior) {
			prior_subject(w, out, prior);
			terse(w, out, prior_neg, false);
			line_ref(out, prior_line);
			strbuf_addf(out, " which %s ", verb(latter));
			if (single(latter, false) || latter->cause != CAUSE_DEPENDENCY)
				join_terms(w, out, latter, false, " or ");
			else
				dep_target(w, out, latter);
			line_ref(out, latter_line);
			return;
		}
	}
	/* requires forbidden: "X depends on Y which doesn't match any versions" */
	if (a->nterms == 1 || b->nterms == 1) {
		const struct knit__incompat *prior = a->nterms == 1 ? b : a, *latter = a->nterms == 1 ? a : b;
		uint32_t prior_line = a->nterms == 1 ? bline : aline;
		uint32_t latter_line = a->nterms == 1 ? aline : bline;
		const struct knit__term *neg = single(prior, false);
		if (neg && latter->nterms == 1) {
			struct knit__term inv = knit__term_negate(neg);
			if (same_pkg_satisfies(s, &inv, &latter->terms[0])) {
				prior_subject(w, out, prior);
				terse(w, out, &latter->terms[0], false);
				strbuf_addch(out, ' ');
				if (prior_line)
					strbuf_addf(out, "(%u) ", prior_line);
				if (latter->cause == CAUSE_DEPENDENCY && !single(latter, false)) {
					strbuf_addstr(out, "which depends on ");
					dep_target(w, out, latter);
				} else if (latter->cause == CAUSE_NO_VERSIONS)
					strbuf_addstr(out, "which doesn't match any versions");
				else if (latter->cause == CAUSE_NOT_FOUND)
					strbuf_addstr(out, "which doesn't exist");
				else
					strbuf_addstr(out, "which is forbidden");
				line_ref(out, latter_line);
				return;
			}
		}
	}
	describe(w, out, a);
	line_ref(out, aline);
	strbuf_addstr(out, " and ");
	describe(w, out, b);
	line_ref(out, bline);
}

/* --- the writer (pub's failure.dart _Writer) ------------------------------------ */

static void write_line(struct writer *w, uint32_t id, struct strbuf *text, bool numbered)
{
	KNIT_ALLOC_GROW(w->lines, w->nlines + 1, w->alines);
	KNIT_ALLOC_GROW(w->numbers, w->nlines + 1, w->anumbers);
	w->lines[w->nlines] = *text;
	w->numbers[w->nlines] = 0;
	if (numbered) {
		w->numbers[w->nlines] = ++w->next_number;
		w->line[id] = w->next_number;
	}
	w->nlines++;
	strbuf_init(text, 0);
}

static void blank_line(struct writer *w)
{
	struct strbuf empty = STRBUF_INIT;
	KNIT_ALLOC_GROW(w->lines, w->nlines + 1, w->alines);
	KNIT_ALLOC_GROW(w->numbers, w->nlines + 1, w->anumbers);
	w->lines[w->nlines] = empty;
	w->numbers[w->nlines++] = 0;
}

static void count_derivations(struct writer *w, uint32_t id)
{
	if (w->count[id]++)
		return;
	const struct knit__incompat *in = &w->s->incompats[id];
	if (in->cause == CAUSE_DERIVED) {
		count_derivations(w, in->c1);
		count_derivations(w, in->c2);
	}
}

static bool derived(const struct writer *w, uint32_t id)
{
	return w->s->incompats[id].cause == CAUSE_DERIVED;
}

static bool single_line(const struct writer *w, uint32_t id)
{
	const struct knit__incompat *in = &w->s->incompats[id];
	return !derived(w, in->c1) && !derived(w, in->c2);
}

static bool collapsible(const struct writer *w, uint32_t id)
{
	if (w->count[id] > 1)
		return false;
	const struct knit__incompat *in = &w->s->incompats[id];
	bool d1 = derived(w, in->c1), d2 = derived(w, in->c2);
	if (d1 == d2)
		return false;
	return !w->line[d1 ? in->c1 : in->c2];
}

static void visit(struct writer *w, uint32_t id, uint32_t root, bool conclusion)
{
	const struct knit__incompat *in = &w->s->incompats[id];
	bool numbered = conclusion || w->count[id] > 1;
	const char *conj = conclusion || id == root ? "So," : "And";
	struct strbuf self = STRBUF_INIT, text = STRBUF_INIT;
	uint32_t c1 = in->c1, c2 = in->c2;
	const struct knit__incompat *i1 = &w->s->incompats[c1], *i2 = &w->s->incompats[c2];

	describe(w, &self, in);
	if (derived(w, c1) && derived(w, c2)) {
		uint32_t l1 = w->line[c1], l2 = w->line[c2];
		if (l1 && l2) {
			strbuf_addstr(&text, "Because ");
			describe_and(w, &text, i1, i2, l1, l2);
			strbuf_addf(&text, ", %s.", self.buf);
		} else if (l1 || l2) {
			uint32_t with = l1 ? c1 : c2, without = l1 ? c2 : c1;
			visit(w, without, root, false);
			strbuf_addf(&text, "%s because ", conj);
			describe(w, &text, &w->s->incompats[with]);
			strbuf_addf(&text, " (%u), %s.", l1 ? l1 : l2, self.buf);
		} else if (single_line(w, c1) || single_line(w, c2)) {
			uint32_t first = single_line(w, c2) ? c1 : c2, second = single_line(w, c2) ? c2 : c1;
			visit(w, first, root, false);
			visit(w, second, root, false);
			strbuf_addf(&text, "Thus, %s.", self.buf);
		} else {
			visit(w, c1, root, true);
			blank_line(w);
			visit(w, c2, root, false);
			strbuf_addf(&text, "%s because ", conj);
			describe(w, &text, &w->s->incompats[c1]);
			strbuf_addf(&text, " (%u), %s.", w->line[c1], self.buf);
		}
	} else if (derived(w, c1) || derived(w, c2)) {
		uint32_t der = derived(w, c1) ? c1 : c2, ext = derived(w, c1) ? c2 : c1;
		if (w->line[der]) {
			strbuf_addstr(&text, "Because ");
			describe_and(w, &text, &w->s->incompats[ext], &w->s->incompats[der], 0, w->line[der]);
			strbuf_addf(&text, ", %s.", self.buf);
		} else if (collapsible(w, der)) {
			const struct knit__incompat *d = &w->s->incompats[der];
			uint32_t cder = derived(w, d->c1) ? d->c1 : d->c2;
			uint32_t cext = derived(w, d->c1) ? d->c2 : d->c1;
			visit(w, cder, root, false);
			strbuf_addf(&text, "%s because ", conj);
			describe_and(w, &text, &w->s->incompats[cext], &w->s->incompats[ext], 0, 0);
			strbuf_addf(&text, ", %s.", self.buf);
		} else {
			visit(w, der, root, false);
			strbuf_addf(&text, "%s because ", conj);
			describe(w, &text, &w->s->incompats[ext]);
			strbuf_addf(&text, ", %s.", self.buf);
		}
	} else {
		strbuf_addstr(&text, "Because ");
		describe_and(w, &text, i1, i2, 0, 0);
		strbuf_addf(&text, ", %s.", self.buf);
	}
	write_line(w, id, &text, numbered);
	strbuf_release(&self);
	strbuf_release(&text);
}

/* --- hints --------------------------------------------------------------------- */

static void collect_external(const struct knit__solver *s, uint32_t id, bool *seen, uint32_t *out,
			     size_t *n)
{
	if (seen[id])
		return;
	seen[id] = true;
	const struct knit__incompat *in = &s->incompats[id];
	if (in->cause == CAUSE_DERIVED) {
		collect_external(s, in->c1, seen, out, n);
		collect_external(s, in->c2, seen, out, n);
	} else {
		out[(*n)++] = id;
	}
}

/* Hints for a range on pkg that matches no version: pre-releases it excludes, nearest versions. */
static void range_hints(struct knit__solver *s, uint32_t pkg, const char *range)
{
	const struct knit__spkg *p = &s->pkgs[pkg];
	struct knit_range strict, pre;
	if (!p->info || !p->nversions || !range)
		return;
	if (knit_range_parse(&strict, range, strlen(range), KNIT_SEMVER_LOOSE))
		return;
	if (!knit_range_parse(&pre, range, strlen(range),
			      KNIT_SEMVER_LOOSE | KNIT_SEMVER_INCLUDE_PRERELEASE)) {
		for (uint32_t i = p->nversions; i-- > 0;) {
			const struct knit_pkg_version *v = &p->info->versions[i];
			if (knit_range_test(&pre, &v->parsed) && !knit_range_test(&strict, &v->parsed)) {
				strbuf_addf(s->why,
					    "\nhint: %s %s is a pre-release, which %s leaves out under "
					    "npm's rule; depend on %s@%s to use it",
					    p->name, v->version, range, p->name, v->version);
				break;
			}
		}
		knit_range_release(&pre);
	}
	bool any_match = false;
	for (uint32_t i = 0; i < p->nversions && !any_match; i++)
		any_match = knit_range_test(&strict, &p->info->versions[i].parsed);
	if (!any_match) {
		struct knit_version min;
		const char *below = NULL, *above = NULL;
		if (!knit_range_min_version(&strict, &min)) {
			for (uint32_t i = 0; i < p->nversions; i++) {
				if (knit_version_compare(&p->info->versions[i].parsed, &min) < 0)
					below = p->info->versions[i].version;
				else if (!above)
					above = p->info->versions[i].version;
			}
			knit_version_release(&min);
		}
		strbuf_addf(s->why, "\nhint: %s has %u version%s, the newest %s", p->name, p->nversions,
			    p->nversions == 1 ? "" : "s", p->info->versions[p->nversions - 1].version);
		if (below || above) {
			strbuf_addf(s->why, "; nearest to %s: ", range);
			if (below)
				strbuf_addstr(s->why, below);
			if (below && above)
				strbuf_addstr(s->why, " and ");
			if (above)
				strbuf_addstr(s->why, above);
		}
	}
	knit_range_release(&strict);
}

static void hints(struct knit__solver *s, uint32_t terminal)
{
	bool *seen = knit_xcalloc(s->nincompats, sizeof(*seen));
	uint32_t *ext = knit_xcalloc(s->nincompats, sizeof(*ext));
	size_t n = 0;
	collect_external(s, terminal, seen, ext, &n);
	for (size_t i = 0; i < n; i++) {
		const struct knit__incompat *in = &s->incompats[ext[i]];
		if (in->cause != CAUSE_DEPENDENCY)
			continue;
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++) {
			const struct knit__incompat *o = &s->incompats[ext[k]];
			dup = o->cause == CAUSE_DEPENDENCY && o->dep_pkg == in->dep_pkg &&
			      !strcmp(o->dep_range, in->dep_range);
		}
		if (dup)
			continue;
		if (in->dep_flags & DEP_MISSING)
			strbuf_addf(s->why, "\nhint: the registry has no package named '%s'",
				    s->pkgs[in->dep_pkg].name);
		else if (in->dep_flags & DEP_INVALID)
			strbuf_addf(s->why, "\nhint: '%s' is neither a semver range nor a known tag of %s",
				    in->dep_range, s->pkgs[in->dep_pkg].name);
		else
			range_hints(s, in->dep_pkg, in->dep_range);
	}
	free(seen);
	free(ext);
}

void knit__solver_report(struct knit__solver *s, uint32_t terminal)
{
	struct writer w = { .s = s };
	w.count = knit_xcalloc(s->nincompats, sizeof(*w.count));
	w.line = knit_xcalloc(s->nincompats, sizeof(*w.line));
	count_derivations(&w, terminal);

	if (s->incompats[terminal].cause == CAUSE_DERIVED) {
		visit(&w, terminal, terminal, false);
	} else {
		struct strbuf text = STRBUF_INIT;
		strbuf_addstr(&text, "Because ");
		describe(&w, &text, &s->incompats[terminal]);
		strbuf_addstr(&text, ", version solving failed.");
		write_line(&w, terminal, &text, false);
	}

	int pad = 0;
	if (w.next_number)
		pad = snprintf(NULL, 0, "(%u) ", w.next_number);
	bool last_empty = false;
	for (size_t i = 0; i < w.nlines; i++) {
		if (!w.lines[i].len) {
			if (!last_empty && i)
				strbuf_addch(s->why, '\n');
			last_empty = true;
			continue;
		}
		last_empty = false;
		if (i)
			strbuf_addch(s->why, '\n');
		if (w.numbers[i]) {
			char num[32];
			snprintf(num, sizeof(num), "(%u)", w.numbers[i]);
			strbuf_addf(s->why, "%-*s", pad, num);
		} else {
			strbuf_addf(s->why, "%*s", pad, "");
		}
		strbuf_add(s->why, w.lines[i].buf, w.lines[i].len);
		strbuf_release(&w.lines[i]);
	}
	hints(s, terminal);
	free(w.lines);
	free(w.numbers);
	free(w.count);
	free(w.line);
}
