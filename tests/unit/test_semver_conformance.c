/*
 * node-semver's own fixtures (../shared/conformance/semver/, every file), every
 * case that is not JavaScript-only, against resolver/semver.h.
 *
 * Each fixture file is one cmocka test. Mismatches are printed with the case
 * so a failure says what node-semver does and what knit did.
 */
#include "conformance.h"
#include "resolver/semver.h"
#include "util/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t total_checked, total_skipped;

struct run {
	const char *file;
	size_t checked, skipped, failed;
};

static void fail_case(struct run *r, const cJSON *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_case(struct run *r, const cJSON *c, const char *fmt, ...)
{
	va_list ap;
	char *json = cJSON_PrintUnformatted(c);
	r->failed++;
	if (r->failed <= 20) {
		fprintf(stderr, "  %s: ", r->file);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n    case: %.400s\n", json);
	}
	free(json);
}

static void finish(struct run *r)
{
	printf("  %-34s %5zu checked, %zu skipped, %zu failed\n", r->file, r->checked, r->skipped,
	       r->failed);
	total_checked += r->checked;
	total_skipped += r->skipped;
	assert_int_equal(r->failed, 0);
}

/* The effective {loose, includePrerelease} of a fixture case. */
static unsigned case_flags(const cJSON *c)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(c, "options");
	unsigned f = 0;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "loose")))
		f |= KNIT_SEMVER_LOOSE;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "includePrerelease")))
		f |= KNIT_SEMVER_INCLUDE_PRERELEASE;
	return f;
}

/* JavaScript truthiness of a recorded argument. */
static bool js_truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "$undefined"))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0 && !isnan(v->valuedouble);
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	return true;
}

/* internal/parse-options.js on a recorded options argument. */
static unsigned call_flags(const cJSON *o)
{
	unsigned f = 0;
	if (!js_truthy(o))
		return 0;
	if (!cJSON_IsObject(o))
		return KNIT_SEMVER_LOOSE;
	if (js_truthy(cJSON_GetObjectItemCaseSensitive(o, "loose")))
		f |= KNIT_SEMVER_LOOSE;
	if (js_truthy(cJSON_GetObjectItemCaseSensitive(o, "includePrerelease")))
		f |= KNIT_SEMVER_INCLUDE_PRERELEASE;
	return f;
}

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *arg(const cJSON *c, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "args"), i);
}

/* true when a call cannot be replayed from C: JS objects, or text the fixture elides */
static bool skip_call(const cJSON *c)
{
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "js_only")))
		return true;
	char *json = cJSON_PrintUnformatted(c);
	bool elided = strstr(json, "\"$longString\"") != NULL;
	free(json);
	return elided;
}

static bool streq_or_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static cJSON *load(struct run *r, const char *file)
{
	r->file = file;
	cJSON *doc = conformance_load("semver", file);
	assert_non_null(doc);
	return doc;
}

#define FOR_CASES(doc, key, c) \
	const cJSON *c; cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, key))

/* --- satisfies and ranges -------------------------------------------------- */

static void check_satisfies_file(const char *file, bool expected)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, file);
	FOR_CASES(doc, "cases", c) {
		const char *range = str(c, "range"), *version = str(c, "version");
		unsigned f = case_flags(c);
		if (!version) {
			/* satisfies(false, range): a non-string version is never satisfied */
			r.checked++;
			if (expected)
				fail_case(&r, c, "non-string version expected to satisfy");
			continue;
		}
		bool got = knit_semver_satisfies(version, strlen(version), range, strlen(range), f);
		r.checked++;
		if (got != expected)
			fail_case(&r, c, "satisfies gave %d", got);
		/* the parsed API must agree with the text one */
		struct knit_range rg;
		struct knit_version v;
		if (!knit_range_parse(&rg, range, strlen(range), f)) {
			if (!knit_version_parse(&v, version, strlen(version), f)) {
				if (knit_range_test(&rg, &v) != expected)
					fail_case(&r, c, "knit_range_test disagrees");
				knit_version_release(&v);
			}
			knit_range_release(&rg);
		}
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_range_include(void **state) { check_satisfies_file("range-include.json", true); }
static void test_range_exclude(void **state) { check_satisfies_file("range-exclude.json", false); }

static void test_range_parse(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "range-parse.json");
	FOR_CASES(doc, "cases", c) {
		const char *range = str(c, "range"), *want = str(c, "canonical");
		char *got = knit_semver_valid_range(range, strlen(range), case_flags(c));
		r.checked++;
		if (!streq_or_null(got, want))
			fail_case(&r, c, "validRange gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static int compare_text(const char *a, const char *b, unsigned f, bool *ok)
{
	struct knit_version x, y;
	*ok = false;
	if (knit_version_parse(&x, a, strlen(a), f))
		return 0;
	if (knit_version_parse(&y, b, strlen(b), f)) {
		knit_version_release(&x);
		return 0;
	}
	int c = knit_version_compare(&x, &y);
	knit_version_release(&x);
	knit_version_release(&y);
	*ok = true;
	return c;
}

static void test_comparisons(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "comparisons.json");
	FOR_CASES(doc, "cases", c) {
		const char *a = str(c, "version1"), *b = str(c, "version2");
		unsigned f = case_flags(c);
		bool ok1, ok2, ok3, ok4;
		int ab = compare_text(a, b, f, &ok1), ba = compare_text(b, a, f, &ok2);
		int aa = compare_text(a, a, f, &ok3), bb = compare_text(b, b, f, &ok4);
		r.checked++;
		if (!ok1 || !ok2 || !ok3 || !ok4 || ab != 1 || ba != -1 || aa || bb)
			fail_case(&r, c, "compare gave %d/%d/%d/%d", ab, ba, aa, bb);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_equality(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "equality.json");
	FOR_CASES(doc, "cases", c) {
		const char *a = str(c, "version1"), *b = str(c, "version2");
		bool ok1, ok2;
		int ab = compare_text(a, b, case_flags(c), &ok1), ba = compare_text(b, a, case_flags(c), &ok2);
		r.checked++;
		if (!ok1 || !ok2 || ab || ba)
			fail_case(&r, c, "compare gave %d/%d", ab, ba);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_valid_versions(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "valid-versions.json");
	FOR_CASES(doc, "cases", c) {
		const char *text = str(c, "version");
		struct knit_version v;
		r.checked++;
		if (knit_version_parse(&v, text, strlen(text), 0)) {
			fail_case(&r, c, "did not parse");
			continue;
		}
		bool ok = v.major == (uint64_t)cJSON_GetObjectItem(c, "major")->valuedouble &&
			  v.minor == (uint64_t)cJSON_GetObjectItem(c, "minor")->valuedouble &&
			  v.patch == (uint64_t)cJSON_GetObjectItem(c, "patch")->valuedouble;
		const cJSON *pre = cJSON_GetObjectItem(c, "prerelease"), *build = cJSON_GetObjectItem(c, "build");
		ok = ok && (size_t)cJSON_GetArraySize(pre) == v.npre &&
		     (size_t)cJSON_GetArraySize(build) == v.nbuild;
		for (uint32_t i = 0; ok && i < v.npre; i++) {
			const cJSON *e = cJSON_GetArrayItem(pre, (int)i);
			const struct knit_semver_ident *id = &v.ids[i];
			if (cJSON_IsNumber(e))
				ok = id->kind == KNIT_IDENT_NUMBER && id->num == e->valuedouble;
			else
				ok = id->kind != KNIT_IDENT_NUMBER && strlen(e->valuestring) == id->len &&
				     !memcmp(e->valuestring, id->str, id->len);
		}
		for (uint32_t i = 0; ok && i < v.nbuild; i++) {
			const cJSON *e = cJSON_GetArrayItem(build, (int)i);
			const struct knit_semver_ident *id = &v.ids[v.npre + i];
			ok = strlen(e->valuestring) == id->len && !memcmp(e->valuestring, id->str, id->len);
		}
		if (!ok)
			fail_case(&r, c, "fields differ");
		knit_version_release(&v);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_invalid_versions(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "invalid-versions.json");
	FOR_CASES(doc, "cases", c) {
		if (str(c, "value_type")) {
			r.skipped++; /* a RegExp or an object: JavaScript-only */
			continue;
		}
		const char *text = str(c, "value");
		struct knit_version v;
		r.checked++;
		if (!knit_version_parse(&v, text, strlen(text), case_flags(c))) {
			fail_case(&r, c, "parsed");
			knit_version_release(&v);
		}
	}
	cJSON_Delete(doc);
	finish(&r);
}

static enum knit_inc_base base_of(const cJSON *b)
{
	if (!b || (cJSON_IsObject(b) && cJSON_GetObjectItemCaseSensitive(b, "$undefined")))
		return KNIT_INC_BASE_UNSET;
	if (cJSON_IsFalse(b))
		return KNIT_INC_BASE_FALSE;
	if (cJSON_IsNumber(b))
		return b->valuedouble != 0 && !isnan(b->valuedouble) ? KNIT_INC_BASE_ONE
								       : KNIT_INC_BASE_ZERO;
	if (cJSON_IsString(b))
		return knit_semver_inc_base_from_string(b->valuestring) == KNIT_INC_BASE_FALSE
			       ? KNIT_INC_BASE_ZERO /* the string "false" is NaN, not false */
			       : knit_semver_inc_base_from_string(b->valuestring);
	return KNIT_INC_BASE_ZERO;
}

static void test_increments(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "increments.json");
	FOR_CASES(doc, "cases", c) {
		const char *v = str(c, "version"), *rel = str(c, "release"), *want = str(c, "result");
		const char *id = str(c, "identifier");
		char *got = knit_semver_inc(v, strlen(v), rel, case_flags(c), id,
					    base_of(cJSON_GetObjectItem(c, "identifierBase")));
		r.checked++;
		if (!streq_or_null(got, want))
			fail_case(&r, c, "inc gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static bool intersects_text(const char *a, const char *b, unsigned f, bool *ok)
{
	struct knit_range x, y;
	bool res = false;
	*ok = false;
	if (knit_range_parse(&x, a, strlen(a), f))
		return false;
	if (!knit_range_parse(&y, b, strlen(b), f)) {
		res = knit_range_intersects(&x, &y, f);
		*ok = true;
		knit_range_release(&y);
	}
	knit_range_release(&x);
	return res;
}

static void test_range_intersection(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "range-intersection.json");
	FOR_CASES(doc, "cases", c) {
		const char *a = str(c, "range0"), *b = str(c, "range1");
		bool want = cJSON_IsTrue(cJSON_GetObjectItem(c, "expected"));
		for (unsigned f = 0; f <= KNIT_SEMVER_LOOSE; f++) {
			bool ok1, ok2;
			bool ab = intersects_text(a, b, f, &ok1), ba = intersects_text(b, a, f, &ok2);
			r.checked++;
			if (!ok1 || !ok2 || ab != want || ba != want)
				fail_case(&r, c, "intersects gave %d/%d (flags %u)", ab, ba, f);
		}
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_comparator_intersection(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "comparator-intersection.json");
	FOR_CASES(doc, "cases", c) {
		const char *a = str(c, "comparator0"), *b = str(c, "comparator1");
		bool want = cJSON_IsTrue(cJSON_GetObjectItem(c, "expected"));
		unsigned ip = cJSON_IsTrue(cJSON_GetObjectItem(c, "includePrerelease"))
				      ? KNIT_SEMVER_INCLUDE_PRERELEASE : 0;
		for (unsigned lf = 0; lf <= KNIT_SEMVER_LOOSE; lf++) {
			struct knit_comparator x, y;
			r.checked++;
			if (knit_comparator_parse(&x, a, strlen(a), lf)) {
				fail_case(&r, c, "comparator0 did not parse");
				continue;
			}
			if (knit_comparator_parse(&y, b, strlen(b), lf)) {
				fail_case(&r, c, "comparator1 did not parse");
				knit_version_release(&x.v);
				continue;
			}
			bool ab = knit_comparator_intersects(&x, &y, ip), ba = knit_comparator_intersects(&y, &x, ip);
			if (ab != want || ba != want)
				fail_case(&r, c, "intersects gave %d/%d", ab, ba);
			knit_version_release(&x.v);
			knit_version_release(&y.v);
		}
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void check_outside_file(const char *file, char hilo, bool expected)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, file);
	FOR_CASES(doc, "cases", c) {
		const char *range = str(c, "range"), *version = str(c, "version");
		unsigned f = case_flags(c);
		struct knit_range rg;
		struct knit_version v;
		r.checked++;
		if (knit_range_parse(&rg, range, strlen(range), f)) {
			fail_case(&r, c, "range did not parse");
			continue;
		}
		if (knit_version_parse(&v, version, strlen(version), f)) {
			fail_case(&r, c, "version did not parse");
			knit_range_release(&rg);
			continue;
		}
		if (knit_range_outside(&rg, &v, hilo) != expected)
			fail_case(&r, c, "outside '%c' gave %d", hilo, !expected);
		knit_version_release(&v);
		knit_range_release(&rg);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_gtr(void **state) { check_outside_file("version-gt-range.json", '>', true); }
static void test_not_gtr(void **state) { check_outside_file("version-not-gt-range.json", '>', false); }
static void test_ltr(void **state) { check_outside_file("version-lt-range.json", '<', true); }
static void test_not_ltr(void **state) { check_outside_file("version-not-lt-range.json", '<', false); }

static void test_truncations(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "truncations.json");
	FOR_CASES(doc, "cases", c) {
		const char *v = str(c, "version"), *t = str(c, "releaseType"), *want = str(c, "result");
		char *got = knit_semver_truncate(v, strlen(v), t, 0);
		r.checked++;
		if (!streq_or_null(got, want))
			fail_case(&r, c, "truncate gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

/* --- the calls-*.json tables ----------------------------------------------- */

static void test_calls_clean(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-clean.json");
	FOR_CASES(doc, "calls", c) {
		const cJSON *a0 = arg(c, 0);
		const char *want = str(c, "result");
		if (skip_call(c) || !cJSON_IsString(a0)) {
			r.skipped++;
			continue;
		}
		char *got = knit_semver_clean(a0->valuestring, strlen(a0->valuestring), call_flags(arg(c, 1)));
		r.checked++;
		if (!streq_or_null(got, want))
			fail_case(&r, c, "clean gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_coerce(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-coerce.json");
	FOR_CASES(doc, "calls", c) {
		const cJSON *a0 = arg(c, 0), *opts = arg(c, 1);
		const char *want = str(c, "result");
		char numbuf[64];
		const char *text = NULL;
		if (skip_call(c)) {
			r.skipped++;
			continue;
		}
		if (cJSON_IsString(a0))
			text = a0->valuestring;
		else if (cJSON_IsNumber(a0)) {
			struct strbuf sb = STRBUF_INIT;
			snprintf(numbuf, sizeof(numbuf), "%.17g", a0->valuedouble);
			text = numbuf; /* String(number) for the integers the table uses */
			if (a0->valuedouble == (double)(long long)a0->valuedouble)
				snprintf(numbuf, sizeof(numbuf), "%lld", (long long)a0->valuedouble);
			strbuf_release(&sb);
		}
		r.checked++;
		if (!text) {
			if (want)
				fail_case(&r, c, "non-string gave a version");
			continue;
		}
		/* coerce() reads options || {}: only rtl and includePrerelease matter, plus loose for parse */
		unsigned f = 0;
		bool rtl = false;
		if (cJSON_IsObject(opts)) {
			rtl = js_truthy(cJSON_GetObjectItem(opts, "rtl"));
			f = call_flags(opts);
		}
		struct knit_version v;
		char *got = NULL;
		if (!knit_semver_coerce(&v, text, strlen(text), f, rtl)) {
			got = knit_version_to_string(&v);
			knit_version_release(&v);
		}
		if (!streq_or_null(got, want))
			fail_case(&r, c, "coerce gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_compare_build(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-compare-build.json");
	FOR_CASES(doc, "calls", c) {
		const char *a = arg(c, 0)->valuestring, *b = arg(c, 1)->valuestring;
		struct knit_version x, y;
		r.checked++;
		assert_int_equal(knit_version_parse(&x, a, strlen(a), 0), 0);
		assert_int_equal(knit_version_parse(&y, b, strlen(b), 0), 0);
		int got = knit_version_compare_build(&x, &y);
		if (got != (int)cJSON_GetObjectItem(c, "result")->valuedouble)
			fail_case(&r, c, "compareBuild gave %d", got);
		knit_version_release(&x);
		knit_version_release(&y);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_diff(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-diff.json");
	FOR_CASES(doc, "calls", c) {
		const char *a = arg(c, 0)->valuestring, *b = arg(c, 1)->valuestring;
		bool throws = cJSON_GetObjectItem(c, "throws") != NULL;
		struct knit_version x, y;
		r.checked++;
		int ra = knit_version_parse(&x, a, strlen(a), 0), rb = knit_version_parse(&y, b, strlen(b), 0);
		if (ra || rb) {
			if (!throws)
				fail_case(&r, c, "a version did not parse");
		} else if (throws) {
			fail_case(&r, c, "expected an invalid version");
		} else {
			const char *got = knit_semver_diff(&x, &y);
			if (!streq_or_null(got, str(c, "result")))
				fail_case(&r, c, "diff gave %s", got ? got : "null");
		}
		knit_version_release(&x);
		knit_version_release(&y);
	}
	cJSON_Delete(doc);
	finish(&r);
}

/* The strings of a JSON array; the caller frees the array, not the strings. */
static const char **string_array(const cJSON *a, size_t *n)
{
	*n = (size_t)cJSON_GetArraySize(a);
	const char **out = calloc(*n ? *n : 1, sizeof(*out));
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, a) out[i++] = e->valuestring;
	return out;
}

static void check_pick(const char *file, bool max)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, file);
	FOR_CASES(doc, "calls", c) {
		size_t n;
		const char **vs = string_array(arg(c, 0), &n);
		const char *range = arg(c, 1)->valuestring, *want = str(c, "result"), *got = NULL;
		struct knit_range rg;
		r.checked++;
		if (!knit_range_parse(&rg, range, strlen(range), call_flags(arg(c, 2)))) {
			long i = max ? knit_semver_max_satisfying(vs, n, &rg) : knit_semver_min_satisfying(vs, n, &rg);
			got = i >= 0 ? vs[i] : NULL;
			knit_range_release(&rg);
		}
		if (!streq_or_null(got, want))
			fail_case(&r, c, "gave %s", got ? got : "null");
		free(vs);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_max_satisfying(void **state) { check_pick("calls-max-satisfying.json", true); }
static void test_calls_min_satisfying(void **state) { check_pick("calls-min-satisfying.json", false); }

static void test_calls_min_version(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-min-version.json");
	FOR_CASES(doc, "calls", c) {
		const char *range = arg(c, 0)->valuestring, *want = str(c, "result");
		struct knit_range rg;
		char *got = NULL;
		r.checked++;
		if (!knit_range_parse(&rg, range, strlen(range), call_flags(arg(c, 1)))) {
			struct knit_version v;
			if (!knit_range_min_version(&rg, &v)) {
				got = knit_version_to_string(&v);
				knit_version_release(&v);
			}
			knit_range_release(&rg);
		}
		if (!streq_or_null(got, want))
			fail_case(&r, c, "minVersion gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_prerelease(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-prerelease.json");
	FOR_CASES(doc, "calls", c) {
		const char *text = arg(c, 0)->valuestring;
		const cJSON *want = cJSON_GetObjectItem(c, "result");
		struct knit_version v;
		r.checked++;
		if (knit_version_parse(&v, text, strlen(text), call_flags(arg(c, 1))) || !v.npre) {
			if (!cJSON_IsNull(want))
				fail_case(&r, c, "gave null");
			knit_version_release(&v);
			continue;
		}
		bool ok = (size_t)cJSON_GetArraySize(want) == v.npre;
		for (uint32_t i = 0; ok && i < v.npre; i++) {
			const cJSON *e = cJSON_GetArrayItem(want, (int)i);
			ok = cJSON_IsNumber(e) ? v.ids[i].kind == KNIT_IDENT_NUMBER && v.ids[i].num == e->valuedouble
					       : v.ids[i].kind != KNIT_IDENT_NUMBER &&
							 strlen(e->valuestring) == v.ids[i].len &&
							 !memcmp(e->valuestring, v.ids[i].str, v.ids[i].len);
		}
		if (!ok)
			fail_case(&r, c, "prerelease differs");
		knit_version_release(&v);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void check_sort(const char *file, int dir)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, file);
	FOR_CASES(doc, "calls", c) {
		size_t n;
		const char **vs = string_array(arg(c, 0), &n);
		struct knit_version *pv = calloc(n, sizeof(*pv));
		for (size_t i = 0; i < n; i++)
			assert_int_equal(knit_version_parse(&pv[i], vs[i], strlen(vs[i]), 0), 0);
		/* insertion sort on compareBuild, as sort()/rsort() use it */
		for (size_t i = 1; i < n; i++)
			for (size_t k = i; k > 0 && dir * knit_version_compare_build(&pv[k - 1], &pv[k]) > 0; k--) {
				struct knit_version t = pv[k];
				const char *s = vs[k];
				pv[k] = pv[k - 1];
				vs[k] = vs[k - 1];
				pv[k - 1] = t;
				vs[k - 1] = s;
			}
		const cJSON *want = cJSON_GetObjectItem(c, "result");
		r.checked++;
		for (size_t i = 0; i < n; i++)
			if (strcmp(vs[i], cJSON_GetArrayItem(want, (int)i)->valuestring))
				fail_case(&r, c, "position %zu is %s", i, vs[i]);
		for (size_t i = 0; i < n; i++)
			knit_version_release(&pv[i]);
		free(pv);
		free(vs);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_sort(void **state) { check_sort("calls-sort.json", 1); }
static void test_calls_rsort(void **state) { check_sort("calls-rsort.json", -1); }

static void test_calls_satisfies(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-satisfies-invalid.json");
	FOR_CASES(doc, "calls", c) {
		const cJSON *v = arg(c, 0), *rg = arg(c, 1);
		bool want = cJSON_IsTrue(cJSON_GetObjectItem(c, "result"));
		if (skip_call(c)) {
			r.skipped++;
			continue;
		}
		r.checked++;
		bool got = false;
		/* a version that is not a string is never satisfied */
		if (cJSON_IsString(v) && cJSON_IsString(rg))
			got = knit_semver_satisfies(v->valuestring, strlen(v->valuestring), rg->valuestring,
						    strlen(rg->valuestring), call_flags(arg(c, 2)));
		if (got != want)
			fail_case(&r, c, "satisfies gave %d", got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_simplify(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-simplify.json");
	FOR_CASES(doc, "calls", c) {
		if (skip_call(c)) {
			r.skipped++;
			continue;
		}
		size_t n;
		const char **vs = string_array(arg(c, 0), &n);
		const char *range = arg(c, 1)->valuestring, *want = str(c, "result");
		unsigned f = call_flags(arg(c, 2));
		struct knit_version *pv = calloc(n ? n : 1, sizeof(*pv));
		struct knit_range rg;
		for (size_t i = 0; i < n; i++)
			assert_int_equal(knit_version_parse(&pv[i], vs[i], strlen(vs[i]), f), 0);
		r.checked++;
		assert_int_equal(knit_range_parse(&rg, range, strlen(range), f), 0);
		char *got = knit_semver_simplify(pv, n, &rg, range);
		if (!streq_or_null(got, want))
			fail_case(&r, c, "simplify gave %s", got);
		free(got);
		knit_range_release(&rg);
		for (size_t i = 0; i < n; i++)
			knit_version_release(&pv[i]);
		free(pv);
		free(vs);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_subset(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-subset.json");
	FOR_CASES(doc, "calls", c) {
		if (skip_call(c)) {
			r.skipped++;
			continue;
		}
		const char *a = arg(c, 0)->valuestring, *b = arg(c, 1)->valuestring;
		bool want = cJSON_IsTrue(cJSON_GetObjectItem(c, "result"));
		unsigned f = call_flags(arg(c, 2));
		struct knit_range x, y;
		bool got;
		r.checked++;
		if (!strcmp(a, b)) {
			got = true; /* subset() returns before parsing when sub === dom */
		} else {
			assert_int_equal(knit_range_parse(&x, a, strlen(a), f), 0);
			assert_int_equal(knit_range_parse(&y, b, strlen(b), f), 0);
			got = knit_range_subset(&x, &y, f);
			knit_range_release(&x);
			knit_range_release(&y);
		}
		if (got != want)
			fail_case(&r, c, "subset gave %d", got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_to_comparators(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-to-comparators.json");
	FOR_CASES(doc, "calls", c) {
		const char *range = arg(c, 0)->valuestring;
		const cJSON *want = cJSON_GetObjectItem(c, "result");
		struct knit_range rg;
		r.checked++;
		if (knit_range_parse(&rg, range, strlen(range), call_flags(arg(c, 1)))) {
			fail_case(&r, c, "did not parse");
			continue;
		}
		bool ok = (size_t)cJSON_GetArraySize(want) == rg.nsets;
		for (size_t i = 0; ok && i < rg.nsets; i++) {
			const cJSON *set = cJSON_GetArrayItem(want, (int)i);
			ok = (size_t)cJSON_GetArraySize(set) == rg.sets[i].n;
			for (size_t k = 0; ok && k < rg.sets[i].n; k++) {
				char *s = knit_comparator_to_string(&rg.sets[i].c[k]);
				ok = !strcmp(s, cJSON_GetArrayItem(set, (int)k)->valuestring);
				free(s);
			}
		}
		if (!ok) {
			char *s = knit_range_to_string(&rg);
			fail_case(&r, c, "comparators were %s", s);
			free(s);
		}
		knit_range_release(&rg);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_valid_range(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-valid-range.json");
	FOR_CASES(doc, "calls", c) {
		if (skip_call(c)) {
			r.skipped++;
			continue;
		}
		const char *range = arg(c, 0)->valuestring, *want = str(c, "result");
		char *got = knit_semver_valid_range(range, strlen(range), call_flags(arg(c, 1)));
		r.checked++;
		if (!streq_or_null(got, want))
			fail_case(&r, c, "validRange gave %s", got ? got : "null");
		free(got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_calls_intersects(void **state)
{
	struct run r = { 0 };
	cJSON *doc = load(&r, "calls-intersects.json");
	FOR_CASES(doc, "calls", c) {
		if (skip_call(c)) {
			r.skipped++;
			continue;
		}
		const char *a = arg(c, 0)->valuestring, *b = arg(c, 1)->valuestring;
		bool want = cJSON_IsTrue(cJSON_GetObjectItem(c, "result")), ok;
		r.checked++;
		bool got = intersects_text(a, b, call_flags(arg(c, 2)), &ok);
		if (got != want)
			fail_case(&r, c, "intersects gave %d", got);
	}
	cJSON_Delete(doc);
	finish(&r);
}

static void test_total(void **state)
{
	printf("semver conformance: %zu cases checked, %zu skipped (JavaScript-only or elided text)\n",
	       total_checked, total_skipped);
	assert_true(total_checked > 2000);
}

int main(void)
{
	conformance_require("semver");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_include),
		cmocka_unit_test(test_range_exclude),
		cmocka_unit_test(test_range_parse),
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_equality),
		cmocka_unit_test(test_valid_versions),
		cmocka_unit_test(test_invalid_versions),
		cmocka_unit_test(test_increments),
		cmocka_unit_test(test_range_intersection),
		cmocka_unit_test(test_comparator_intersection),
		cmocka_unit_test(test_gtr),
		cmocka_unit_test(test_not_gtr),
		cmocka_unit_test(test_ltr),
		cmocka_unit_test(test_not_ltr),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_calls_clean),
		cmocka_unit_test(test_calls_coerce),
		cmocka_unit_test(test_calls_compare_build),
		cmocka_unit_test(test_calls_diff),
		cmocka_unit_test(test_calls_max_satisfying),
		cmocka_unit_test(test_calls_min_satisfying),
		cmocka_unit_test(test_calls_min_version),
		cmocka_unit_test(test_calls_prerelease),
		cmocka_unit_test(test_calls_sort),
		cmocka_unit_test(test_calls_rsort),
		cmocka_unit_test(test_calls_satisfies),
		cmocka_unit_test(test_calls_simplify),
		cmocka_unit_test(test_calls_subset),
		cmocka_unit_test(test_calls_to_comparators),
		cmocka_unit_test(test_calls_valid_range),
		cmocka_unit_test(test_calls_intersects),
		cmocka_unit_test(test_total),
	};
	return cmocka_run_group_tests_name("semver conformance", tests, NULL, NULL);
}
