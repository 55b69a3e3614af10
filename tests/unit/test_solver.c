/*
 * The resolver against ../shared/conformance/pubgrub/cases.json, through an
 * in-memory package source.
 *
 * A case with a solution must give exactly that solution. Cases written for
 * Dart's pre-release rules are checked under npm's instead: the expected
 * result is the one the file's brute-force validation found for npm
 * semantics (highest first), or a failure when it found none. A failing
 * case must fail, and its explanation must have the expected structure and
 * facts: the same sentences, packages and connecting words, whatever the
 * spelling of the ranges.
 */
#include "conformance.h"
#include "resolver/solver.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- an in-memory source --------------------------------------------------------- */

struct memsrc {
	struct knit_pkg *pkgs;
	size_t n;
	size_t loads, prefetches;
};

static int by_version(const void *a, const void *b)
{
	return knit_version_compare(&((const struct knit_pkg_version *)a)->parsed,
				    &((const struct knit_pkg_version *)b)->parsed);
}

static void memsrc_init(struct memsrc *m, const cJSON *universe)
{
	memset(m, 0, sizeof(*m));
	m->pkgs = calloc((size_t)cJSON_GetArraySize(universe) + 1, sizeof(*m->pkgs));
	const cJSON *pkg;
	cJSON_ArrayForEach(pkg, universe) {
		struct knit_pkg *p = &m->pkgs[m->n++];
		p->name = pkg->string;
		p->nversions = (size_t)cJSON_GetArraySize(pkg);
		struct knit_pkg_version *vs = calloc(p->nversions + 1, sizeof(*vs));
		size_t i = 0;
		const cJSON *ver;
		cJSON_ArrayForEach(ver, pkg) {
			struct knit_pkg_version *v = &vs[i++];
			v->version = ver->string;
			assert_int_equal(knit_version_parse(&v->parsed, ver->string, strlen(ver->string), 0), 0);
			v->ndeps = (size_t)cJSON_GetArraySize(ver);
			struct knit_dep *deps = calloc(v->ndeps + 1, sizeof(*deps));
			size_t k = 0;
			const cJSON *dep;
			cJSON_ArrayForEach(dep, ver) deps[k++] = (struct knit_dep){ dep->string, dep->valuestring };
			v->deps = deps;
		}
		qsort(vs, p->nversions, sizeof(*vs), by_version);
		p->versions = vs;
	}
}

static void memsrc_release(struct memsrc *m)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < m->pkgs[i].nversions; k++) {
			struct knit_pkg_version *v = (struct knit_pkg_version *)&m->pkgs[i].versions[k];
			knit_version_release(&v->parsed);
			free((void *)v->deps);
		}
		free((void *)m->pkgs[i].versions);
	}
	free(m->pkgs);
}

static void mem_prefetch(void *ctx, const char *name)
{
	((struct memsrc *)ctx)->prefetches++;
	(void)name;
}

static int mem_load(void *ctx, const char *name, const struct knit_pkg **out)
{
	struct memsrc *m = ctx;
	m->loads++;
	for (size_t i = 0; i < m->n; i++) {
		if (!strcmp(m->pkgs[i].name, name)) {
			*out = &m->pkgs[i];
			return 0;
		}
	}
	return KNIT_ENOTFOUND;
}

/* --- comparing explanations --------------------------------------------------- */

static bool range_token(const char *t, size_t n)
{
	if (!n)
		return true;
	if (strchr("<>=^~*", t[0]) || (n == 2 && !memcmp(t, "||", 2)) || (n == 1 && t[0] == '-'))
		return true;
	if (n == 3 && !memcmp(t, "any", 3))
		return true;
	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)t[i]))
			return true;
	return false;
}

/*
 * An explanation as facts: per line, the sorted words that are not ranges,
 * versions or line numbers. The order of the two sides of an "and" depends
 * on the order decisions were made in, so it does not count.
 */
struct facts {
	char **lines; /* each: sorted words joined by spaces */
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void facts_of(struct facts *f, const char *text)
{
	char *copy = strdup(text), *save = NULL;
	memset(f, 0, sizeof(*f));
	f->lines = calloc(strlen(text) + 2, sizeof(*f->lines));
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *words[512], *wsave = NULL;
		size_t nw = 0;
		for (char *w = strtok_r(line, " ,.()", &wsave); w && nw < 512; w = strtok_r(NULL, " ,.()", &wsave))
			if (!range_token(w, strlen(w)))
				words[nw++] = w;
		if (!nw)
			continue;
		qsort(words, nw, sizeof(*words), cmp_str);
		size_t len = 0;
		for (size_t i = 0; i < nw; i++)
			len += strlen(words[i]) + 1;
		char *joined = calloc(len + 1, 1);
		for (size_t i = 0; i < nw; i++) {
			strcat(joined, words[i]);
			strcat(joined, " ");
		}
		f->lines[f->n++] = joined;
	}
	free(copy);
}

static void facts_release(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->lines[i]);
	free(f->lines);
}

static bool facts_equal(const struct facts *a, const struct facts *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->lines[i], b->lines[i]))
			return false;
	return true;
}

/*
 * Knowing every version, knit can skip a step pub needs (pub proves "no
 * versions of shared match ^2.9.0"; knit's set for ^2.0.0 already holds only
 * versions that exist). Such a proof is shorter but must not say anything
 * pub does not: every word of each line appears in the expected text.
 */
static bool facts_within(const struct facts *ours, const char *expected_text)
{
	struct facts e;
	facts_of(&e, expected_text);
	size_t all = 0;
	for (size_t i = 0; i < e.n; i++)
		all += strlen(e.lines[i]) + 1;
	char *bag = calloc(all + 2, 1);
	strcat(bag, " ");
	for (size_t i = 0; i < e.n; i++)
		strcat(bag, e.lines[i]);
	bool ok = true;
	for (size_t i = 0; i < ours->n && ok; i++) {
		char *copy = strdup(ours->lines[i]), *save = NULL;
		for (char *w = strtok_r(copy, " ", &save); w && ok; w = strtok_r(NULL, " ", &save)) {
			char probe[256];
			snprintf(probe, sizeof(probe), " %s ", w);
			ok = strstr(bag, probe) != NULL;
		}
		free(copy);
	}
	free(bag);
	facts_release(&e);
	return ok;
}

static size_t exact_explanations, shorter_explanations;

/* --- the cases ------------------------------------------------------------------ */

static struct knit_dep *deps_of(const cJSON *obj, size_t *n)
{
	*n = (size_t)cJSON_GetArraySize(obj);
	struct knit_dep *d = calloc(*n + 1, sizeof(*d));
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, obj) d[i++] = (struct knit_dep){ e->string, e->valuestring };
	return d;
}

static bool solution_equals(const struct knit_solution *sol, const cJSON *want, const char *root)
{
	size_t n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, want) {
		if (!strcmp(e->string, root))
			continue;
		n++;
		bool found = false;
		for (size_t i = 0; i < sol->n && !found; i++)
			found = !strcmp(sol->pkgs[i].name, e->string) &&
				!strcmp(sol->pkgs[i].pv->version, e->valuestring);
		if (!found)
			return false;
	}
	return n == sol->n;
}

static void print_solution(const struct knit_solution *sol)
{
	fprintf(stderr, "    got:");
	for (size_t i = 0; i < sol->n; i++)
		fprintf(stderr, " %s@%s", sol->pkgs[i].name, sol->pkgs[i].pv->version);
	fprintf(stderr, "\n");
}

/* --- brute force: every selection, checked under npm's rule --------------------- */

struct brute {
	const struct memsrc *m;
	const struct knit_dep *root_deps;
	size_t nroot;
	const char *root_name, *root_version;
	int *choice; /* per package: version index, or -1 for not selected */
	size_t valid;
	int *first;  /* the first valid selection found, highest versions tried first */
};

static bool satisfied_by(const struct brute *b, const char *name, const char *range)
{
	if (!strcmp(name, b->root_name))
		return knit_semver_satisfies(b->root_version, strlen(b->root_version), range, strlen(range),
					     KNIT_SEMVER_LOOSE);
	for (size_t i = 0; i < b->m->n; i++) {
		if (strcmp(b->m->pkgs[i].name, name))
			continue;
		if (b->choice[i] < 0)
			return false;
		const struct knit_pkg_version *v = &b->m->pkgs[i].versions[b->choice[i]];
		struct knit_range r;
		if (knit_range_parse(&r, range, strlen(range), KNIT_SEMVER_LOOSE))
			return false;
		bool ok = knit_range_test(&r, &v->parsed);
		knit_range_release(&r);
		return ok;
	}
	return false;
}

/* Every dependency of the root and of each selected version holds; every selected one is reachable. */
static bool selection_valid(const struct brute *b)
{
	for (size_t i = 0; i < b->nroot; i++)
		if (!satisfied_by(b, b->root_deps[i].name, b->root_deps[i].range))
			return false;
	size_t n = b->m->n;
	bool *reach = calloc(n + 1, sizeof(*reach));
	bool changed = true, ok = true;
	for (size_t i = 0; i < b->nroot; i++)
		for (size_t k = 0; k < n; k++)
			reach[k] |= !strcmp(b->m->pkgs[k].name, b->root_deps[i].name);
	while (changed) {
		changed = false;
		for (size_t k = 0; k < n; k++) {
			if (!reach[k] || b->choice[k] < 0)
				continue;
			const struct knit_pkg_version *v = &b->m->pkgs[k].versions[b->choice[k]];
			for (size_t d = 0; d < v->ndeps; d++)
				for (size_t j = 0; j < n; j++)
					if (!reach[j] && !strcmp(b->m->pkgs[j].name, v->deps[d].name))
						reach[j] = changed = true;
		}
	}
	for (size_t k = 0; k < n && ok; k++) {
		if (b->choice[k] < 0)
			continue;
		const struct knit_pkg_version *v = &b->m->pkgs[k].versions[b->choice[k]];
		ok = reach[k];
		for (size_t d = 0; d < v->ndeps && ok; d++)
			ok = satisfied_by(b, v->deps[d].name, v->deps[d].range);
	}
	free(reach);
	return ok;
}

static void enumerate(struct brute *b, size_t k)
{
	if (k == b->m->n) {
		if (selection_valid(b) && !b->valid++)
			memcpy(b->first, b->choice, b->m->n * sizeof(int));
		return;
	}
	for (int v = (int)b->m->pkgs[k].nversions - 1; v >= -1; v--) {
		b->choice[k] = v;
		enumerate(b, k + 1);
	}
}

static size_t brute_checks;

/*
 * Computes the npm-rule answer for a small case by trying every selection:
 * the solver's solution must be valid, and a failure must mean none is.
 */
static bool brute_force_agrees(const struct memsrc *m, const struct knit_solve_request *req, int rc,
			       const struct knit_solution *sol, const char *name)
{
	double combos = 1;
	for (size_t i = 0; i < m->n; i++)
		combos *= (double)m->pkgs[i].nversions + 1;
	if (combos > 200000)
		return true; /* too large to enumerate: covered by the expected solution */
	struct brute b = { .m = m, .root_deps = req->deps, .nroot = req->ndeps,
			   .root_name = req->root_name, .root_version = req->root_version };
	b.choice = calloc(m->n + 1, sizeof(int));
	b.first = calloc(m->n + 1, sizeof(int));
	enumerate(&b, 0);
	bool ok;
	if (rc) {
		ok = b.valid == 0;
	} else {
		for (size_t i = 0; i < m->n; i++) {
			b.choice[i] = -1;
			for (size_t k = 0; k < sol->n; k++)
				if (!strcmp(sol->pkgs[k].name, m->pkgs[i].name))
					b.choice[i] = (int)(sol->pkgs[k].pv - m->pkgs[i].versions);
		}
		ok = selection_valid(&b);
	}
	if (!ok)
		fprintf(stderr, "  %s: brute force disagrees (%zu valid selections, solver rc %d)\n", name,
			b.valid, rc);
	brute_checks++;
	free(b.choice);
	free(b.first);
	return ok;
}

/* on_decide's record: every version the solver decided on, undone or not */
struct decided {
	const struct knit_pkg_version **pv;
	size_t n, alloc;
};

static void record_decision(void *ctx, const char *name, const struct knit_pkg_version *pv)
{
	struct decided *d = ctx;
	(void)name;
	KNIT_ALLOC_GROW(d->pv, d->n + 1, d->alloc);
	d->pv[d->n++] = pv;
}

/* Every chosen version was announced through on_decide (so downloads can start early). */
static bool decisions_cover(const struct decided *d, const struct knit_solution *sol, const char *name)
{
	for (size_t i = 0; i < sol->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < d->n && !seen; k++)
			seen = d->pv[k] == sol->pkgs[i].pv;
		if (!seen) {
			fprintf(stderr, "  %s: %s@%s was chosen without on_decide\n", name, sol->pkgs[i].name,
				sol->pkgs[i].pv->version);
			return false;
		}
	}
	return true;
}

static bool run_case(const cJSON *c)
{
	const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
	const cJSON *root = cJSON_GetObjectItem(c, "root"), *expected = cJSON_GetObjectItem(c, "expected");
	const cJSON *validation = cJSON_GetObjectItem(c, "validation");
	const char *root_name = cJSON_GetObjectItem(root, "name")->valuestring;
	struct memsrc m;
	struct knit_solve_request req = { 0 };
	struct knit_source src = { &m, mem_prefetch, mem_load, NULL };
	struct knit_solution sol;
	struct strbuf why = STRBUF_INIT;
	bool ok = true;

	memsrc_init(&m, cJSON_GetObjectItem(c, "universe"));
	req.root_name = root_name;
	req.root_version = cJSON_GetObjectItem(root, "version")->valuestring;
	struct knit_dep *deps = deps_of(cJSON_GetObjectItem(c, "root_deps"), &req.ndeps);
	req.deps = deps;
	struct knit_dep *lock = NULL;
	if (cJSON_GetObjectItem(c, "lock")) {
		lock = deps_of(cJSON_GetObjectItem(c, "lock"), &req.nlock);
		req.lock = lock;
	}
	const cJSON *mode = cJSON_GetObjectItem(c, "mode");
	if (mode && !strcmp(mode->valuestring, "lowest")) {
		req.resolution = KNIT_RESOLUTION_LOWEST;
		req.nlock = 0; /* pub's downgrade ignores the lock of registry packages */
	}

	/* what npm's rule expects where the case was written for Dart's */
	const cJSON *want_solution = cJSON_GetObjectItem(expected, "solution");
	bool want_error = cJSON_IsTrue(cJSON_GetObjectItem(expected, "error"));
	if (cJSON_GetObjectItem(c, "dart_prerelease_semantics")) {
		const cJSON *npm = cJSON_GetObjectItem(validation, "npm_semantics_first_solution_highest_first");
		want_solution = cJSON_IsObject(npm) ? npm : NULL;
		want_error = !want_solution;
	}

	struct decided decided = { 0 };
	req.on_decide = record_decision;
	req.on_decide_ctx = &decided;
	int rc = knit_solve(&req, &src, &sol, &why);
	if (req.resolution == KNIT_RESOLUTION_HIGHEST && (rc == 0 || rc == KNIT_ENOSOLUTION))
		ok = brute_force_agrees(&m, &req, rc, &sol, name);
	if (!rc && !decisions_cover(&decided, &sol, name))
		ok = false;
	free(decided.pv);
	req.on_decide = NULL; /* the solves below are checks of this one */
	if (want_error) {
		if (rc != KNIT_ENOSOLUTION) {
			fprintf(stderr, "  %s: expected a failure, got rc %d\n", name, rc);
			if (!rc)
				print_solution(&sol);
			ok = false;
		}
		const cJSON *text = cJSON_GetObjectItem(expected, "error_text");
		/* the explanation, without the hints after it */
		char *hint = strstr(why.buf, "\nhint:");
		size_t explained = hint ? (size_t)(hint - why.buf) : why.len;
		char *ours = strndup(why.buf, explained);
		if (ok && !strstr(ours, "version solving failed.")) {
			fprintf(stderr, "  %s: the explanation does not conclude: %s\n", name, ours);
			ok = false;
		}
		if (ok && cJSON_IsString(text)) {
			struct facts a, b;
			facts_of(&a, ours);
			facts_of(&b, text->valuestring);
			if (facts_equal(&a, &b)) {
				exact_explanations++;
			} else if (facts_within(&a, text->valuestring) && a.n <= b.n) {
				shorter_explanations++;
				printf("  %s: a shorter proof than pub's:\n%s\n", name, ours);
			} else {
				fprintf(stderr, "  %s: explanation differs\n    expected: %s\n    got:      %s\n",
					name, text->valuestring, ours);
				ok = false;
			}
			facts_release(&a);
			facts_release(&b);
		}
		free(ours);
		if (ok && !why.len) {
			fprintf(stderr, "  %s: no explanation\n", name);
			ok = false;
		}
	} else if (rc) {
		fprintf(stderr, "  %s: failed: %s\n", name, why.buf);
		ok = false;
	} else if (want_solution) {
		if (!solution_equals(&sol, want_solution, root_name)) {
			char *w = cJSON_PrintUnformatted(want_solution);
			fprintf(stderr, "  %s: expected %s\n", name, w);
			print_solution(&sol);
			free(w);
			ok = false;
		}
	} else {
		/* no single expected solution: it must be one of the valid ones, every time */
		const cJSON *all = cJSON_GetObjectItem(validation, "all_valid_solutions"), *e;
		bool valid = false;
		cJSON_ArrayForEach(e, all) valid |= solution_equals(&sol, e, root_name);
		for (int run = 0; run < 10 && valid; run++) {
			struct knit_solution again;
			struct strbuf w2 = STRBUF_INIT;
			valid = !knit_solve(&req, &src, &again, &w2) && again.n == sol.n;
			for (size_t i = 0; valid && i < sol.n; i++)
				valid = again.pkgs[i].pv == sol.pkgs[i].pv;
			knit_solution_release(&again);
			strbuf_release(&w2);
		}
		if (!valid) {
			fprintf(stderr, "  %s: not a valid or not a repeatable solution\n", name);
			print_solution(&sol);
			ok = false;
		}
	}
	if (!rc)
		knit_solution_release(&sol);
	strbuf_release(&why);
	free(deps);
	free(lock);
	memsrc_release(&m);
	return ok;
}

static void test_pubgrub_cases(void **state)
{
	if (!conformance_present("pubgrub"))
		skip();
	cJSON *doc = conformance_load("pubgrub", "cases.json");
	assert_non_null(doc);
	size_t passed = 0, total = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
		total++;
		passed += run_case(c);
	}
	cJSON_Delete(doc);
	printf("pubgrub conformance: %zu of %zu cases passed (explanations: %zu with pub's facts line "
	       "for line, %zu shorter; %zu answers checked by brute force under npm's rule)\n", passed,
	       total, exact_explanations, shorter_explanations, brute_checks);
	assert_int_equal(passed, total);
}

/* --- behaviour beyond the conformance file ----------------------------------------- */

struct fixture {
	cJSON *universe;
	struct memsrc m;
	struct knit_source src;
	char calls[2048]; /* "p:name l:name ..." in the order the solver made them */
	int fail_load_with;
	const char *fail_name;
};

static void rec_prefetch(void *ctx, const char *name)
{
	struct fixture *f = ctx;
	snprintf(f->calls + strlen(f->calls), sizeof(f->calls) - strlen(f->calls), "p:%s ", name);
}

static int rec_load(void *ctx, const char *name, const struct knit_pkg **out)
{
	struct fixture *f = ctx;
	snprintf(f->calls + strlen(f->calls), sizeof(f->calls) - strlen(f->calls), "l:%s ", name);
	if (f->fail_name && !strcmp(name, f->fail_name))
		return f->fail_load_with;
	return mem_load(&f->m, name, out);
}

static const char *rec_message(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return "connection refused by 127.0.0.1:9";
}

static void fixture_init(struct fixture *f, const char *universe_json)
{
	memset(f, 0, sizeof(*f));
	f->universe = cJSON_Parse(universe_json);
	assert_non_null(f->universe);
	memsrc_init(&f->m, f->universe);
	f->src = (struct knit_source){ f, rec_prefetch, rec_load, rec_message };
}

static void fixture_release(struct fixture *f)
{
	memsrc_release(&f->m);
	cJSON_Delete(f->universe);
}

/* Solves; returns "a@1.0.0 b@2.0.0" or "error: <explanation>". Caller frees. */
static char *solve_str(struct fixture *f, const struct knit_dep *deps, size_t n,
		       struct knit_solve_request *extra)
{
	struct knit_solve_request req = extra ? *extra : (struct knit_solve_request){ 0 };
	struct knit_solution sol;
	struct strbuf why = STRBUF_INIT, out = STRBUF_INIT;
	req.root_name = "app";
	req.root_version = "1.0.0";
	req.deps = deps;
	req.ndeps = n;
	f->calls[0] = '\0';
	int rc = knit_solve(&req, &f->src, &sol, &why);
	if (rc) {
		strbuf_addf(&out, "error %d: %s", rc, why.buf);
	} else {
		for (size_t i = 0; i < sol.n; i++)
			strbuf_addf(&out, "%s%s@%s", i ? " " : "", sol.pkgs[i].name, sol.pkgs[i].pv->version);
		knit_solution_release(&sol);
	}
	strbuf_release(&why);
	return strbuf_detach(&out, NULL);
}

static void test_overrides_locks_and_modes(void **state)
{
	struct fixture f;
	fixture_init(&f, "{\"a\": {\"1.0.0\": {\"b\": \"^1.0.0\"}, \"1.1.0\": {\"b\": \"^1.0.0\"}},"
			 " \"b\": {\"1.0.0\": {}, \"1.2.0\": {}, \"2.0.0\": {}}}");
	struct knit_dep deps[] = { { "a", "^1.0.0" } };
	char *got;

	got = solve_str(&f, deps, 1, NULL);
	assert_string_equal(got, "a@1.1.0 b@1.2.0");
	free(got);

	/* an override replaces the range on every edge */
	struct knit_dep over[] = { { "b", "2.0.0" } };
	struct knit_solve_request r = { .overrides = over, .noverrides = 1 };
	got = solve_str(&f, deps, 1, &r);
	assert_string_equal(got, "a@1.1.0 b@2.0.0");
	free(got);

	/* locked versions stay while they fit; unlocking one frees only it */
	struct knit_dep lock[] = { { "a", "1.0.0" }, { "b", "1.0.0" } };
	r = (struct knit_solve_request){ .lock = lock, .nlock = 2 };
	got = solve_str(&f, deps, 1, &r);
	assert_string_equal(got, "a@1.0.0 b@1.0.0");
	free(got);
	const char *unlock[] = { "b" };
	r.unlock = unlock;
	r.nunlock = 1;
	got = solve_str(&f, deps, 1, &r);
	assert_string_equal(got, "a@1.0.0 b@1.2.0");
	free(got);

	/* a lock that no longer fits gives way */
	struct knit_dep narrower[] = { { "a", "^1.0.0" }, { "b", ">=1.1.0 <2" } };
	r.nunlock = 0;
	got = solve_str(&f, narrower, 2, &r);
	assert_string_equal(got, "a@1.0.0 b@1.2.0");
	free(got);

	/* --resolution lowest */
	r = (struct knit_solve_request){ .resolution = KNIT_RESOLUTION_LOWEST };
	got = solve_str(&f, deps, 1, &r);
	assert_string_equal(got, "a@1.0.0 b@1.0.0");
	free(got);
	fixture_release(&f);
}

static void test_npm_choice(void **state)
{
	struct fixture f;
	fixture_init(&f, "{\"c\": {\"1.0.0\": {}, \"1.5.0\": {}, \"1.6.0\": {}, \"2.0.0-rc.1\": {}}}");
	/* the latest tag wins when it satisfies; deprecated versions come last */
	f.m.pkgs[0].latest = "1.5.0";
	struct knit_dep deps[] = { { "c", "^1.0.0" } };
	char *got = solve_str(&f, deps, 1, NULL);
	assert_string_equal(got, "c@1.5.0");
	free(got);
	f.m.pkgs[0].latest = "2.0.0-rc.1"; /* does not satisfy: the highest does */
	((struct knit_pkg_version *)&f.m.pkgs[0].versions[2])->deprecated = "use 1.5";
	got = solve_str(&f, deps, 1, NULL);
	assert_string_equal(got, "c@1.5.0");
	free(got);
	/* any dist-tag stands for its version */
	knit_strmap_set(&f.m.pkgs[0].tags, "beta", "2.0.0-rc.1");
	struct knit_dep by_tag[] = { { "c", "beta" } };
	got = solve_str(&f, by_tag, 1, NULL);
	assert_string_equal(got, "c@2.0.0-rc.1");
	free(got);
	struct knit_dep unknown_tag[] = { { "c", "gamma" } };
	got = solve_str(&f, unknown_tag, 1, NULL);
	assert_non_null(strstr(got, "hint: 'gamma' is neither a semver range nor a known tag of c"));
	free(got);
	knit_strmap_release(&f.m.pkgs[0].tags);
	fixture_release(&f);
}

static void test_hints_and_errors(void **state)
{
	struct fixture f;
	fixture_init(&f, "{\"d\": {\"1.0.0\": {}, \"2.1.0-beta.1\": {}, \"3.0.0\": {}},"
			 " \"e\": {\"1.0.0\": {\"nope\": \"^1\"}}}");
	struct knit_dep want2[] = { { "d", "^2.0.0" } };
	char *got = solve_str(&f, want2, 1, NULL);
	assert_non_null(strstr(got, "Because app depends on d ^2.0.0 which doesn't match any versions, "
				    "version solving failed."));
	assert_non_null(strstr(got, "hint: d 2.1.0-beta.1 is a pre-release, which ^2.0.0 leaves out"));
	assert_non_null(strstr(got, "nearest to ^2.0.0: 1.0.0 and 2.1.0-beta.1"));
	free(got);

	struct knit_dep want_e[] = { { "e", "*" } };
	got = solve_str(&f, want_e, 1, NULL);
	if (!strstr(got, "Because every version of e depends on nope ^1 which doesn't exist, e is forbidden."))
		fail_msg("%s", got);
	assert_non_null(strstr(got, "hint: the registry has no package named 'nope'"));
	free(got);

	/* a source error stops the solve and is reported, not explained away */
	f.fail_name = "d";
	f.fail_load_with = KNIT_EIO;
	struct knit_dep want_d[] = { { "d", "*" } };
	got = solve_str(&f, want_d, 1, NULL);
	char want[128];
	snprintf(want, sizeof(want), "error %d: cannot load 'd': connection refused by 127.0.0.1:9", KNIT_EIO);
	assert_string_equal(got, want);
	free(got);
	fixture_release(&f);
}

static void test_prefetches_before_waiting(void **state)
{
	struct fixture f;
	fixture_init(&f, "{\"x\": {\"1.0.0\": {\"y\": \"*\", \"z\": \"*\", \"w\": \"*\"}},"
			 " \"y\": {\"1.0.0\": {}}, \"z\": {\"1.0.0\": {}}, \"w\": {\"1.0.0\": {}}}");
	struct knit_dep deps[] = { { "x", "*" } };
	char *got = solve_str(&f, deps, 1, NULL);
	assert_string_equal(got, "w@1.0.0 x@1.0.0 y@1.0.0 z@1.0.0");
	free(got);
	/* every dependency of x is asked for before the solver waits on any */
	assert_string_equal(f.calls, "p:x l:x p:y p:z p:w l:y l:z l:w ");
	fixture_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pubgrub_cases),
		cmocka_unit_test(test_overrides_locks_and_modes),
		cmocka_unit_test(test_npm_choice),
		cmocka_unit_test(test_hints_and_errors),
		cmocka_unit_test(test_prefetches_before_waiting),
	};
	return cmocka_run_group_tests_name("solver", tests, NULL, NULL);
}
