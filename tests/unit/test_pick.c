/*
 * resolver/pick: npm-pick-manifest's choice, for one spec (what knit
 * outdated asks) and among a set (what the solver asks).
 */
#include "conformance.h"
#include "resolver/pick.h"

#include <stdlib.h>
#include <string.h>

#define N 5
static const char *const numbers[N] = { "1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1", "2.0.0" };

struct fixture {
	struct knit_pkg pkg;
	struct knit_pkg_version v[N];
};

/* 1.0.0 1.1.0 1.2.0 2.0.0-rc.1 2.0.0, latest 1.1.0 (below the highest of ^1), next 2.0.0-rc.1 */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	for (size_t i = 0; i < N; i++) {
		f->v[i].version = numbers[i];
		assert_int_equal(knit_version_parse(&f->v[i].parsed, numbers[i], strlen(numbers[i]), 0), 0);
	}
	f->pkg = (struct knit_pkg){ .name = "p", .versions = f->v, .nversions = N, .latest = "1.1.0" };
	knit_strmap_set(&f->pkg.tags, "next", "2.0.0-rc.1");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < N; i++)
		knit_version_release(&f->v[i].parsed);
	knit_strmap_release(&f->pkg.tags);
	free(f);
	return 0;
}

static const char *pick(const struct fixture *f, const char *spec, enum knit_resolution res)
{
	const struct knit_pkg_version *v = knit_pick_spec(&f->pkg, spec, res);
	return v ? v->version : "none";
}

static void test_latest_tag_first(void **state)
{
	struct fixture *f = *state;
	/* npm-pick-manifest: the latest tag when it satisfies, though 1.2.0 is higher */
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.1.0");
	assert_string_equal(pick(f, "1.x", KNIT_RESOLUTION_HIGHEST), "1.1.0");
	assert_string_equal(pick(f, "", KNIT_RESOLUTION_HIGHEST), "1.1.0");
	assert_string_equal(pick(f, "*", KNIT_RESOLUTION_HIGHEST), "1.1.0");
	/* latest outside the range: the highest inside */
	assert_string_equal(pick(f, "^1.2.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
	assert_string_equal(pick(f, "~1.0.0", KNIT_RESOLUTION_HIGHEST), "1.0.0");
	assert_string_equal(pick(f, ">=1.2.0", KNIT_RESOLUTION_HIGHEST), "2.0.0");
	assert_string_equal(pick(f, "^3.0.0", KNIT_RESOLUTION_HIGHEST), "none");
	/* an exact version is a range of one, loosely parsed */
	assert_string_equal(pick(f, "1.2.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
	assert_string_equal(pick(f, "=v1.0.0", KNIT_RESOLUTION_HIGHEST), "1.0.0");
	/* no latest tag, or one naming a version the package lacks: the highest */
	f->pkg.latest = NULL;
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
	f->pkg.latest = "1.9.9";
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
}

static void test_deprecated_last(void **state)
{
	struct fixture *f = *state;
	f->v[1].deprecated = "use 1.2";
	/* a deprecated latest is passed over, as any deprecated version is */
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
	f->v[2].deprecated = "broken";
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.0.0");
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_LOWEST), "1.0.0");
	f->v[0].deprecated = "old";
	/* all deprecated: the highest (lowest) still */
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_LOWEST), "1.0.0");
	/* a tag stands for its version, deprecated or not */
	assert_string_equal(pick(f, "latest", KNIT_RESOLUTION_HIGHEST), "1.1.0");
}

static void test_lowest(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_LOWEST), "1.0.0");
	assert_string_equal(pick(f, "^1.1.0", KNIT_RESOLUTION_LOWEST), "1.1.0");
	f->v[1].deprecated = "use 1.2";
	assert_string_equal(pick(f, "^1.1.0", KNIT_RESOLUTION_LOWEST), "1.2.0");
}

static void test_prerelease_and_tags(void **state)
{
	struct fixture *f = *state;
	/* a pre-release only for a range that names its major.minor.patch with a pre-release */
	assert_string_equal(pick(f, ">=2.0.0-rc.0 <2.0.0", KNIT_RESOLUTION_HIGHEST), "2.0.0-rc.1");
	assert_string_equal(pick(f, "^1.0.0 || ^2.0.0-rc.0", KNIT_RESOLUTION_LOWEST), "1.0.0");
	f->pkg.latest = "2.0.0-rc.1";
	assert_string_equal(pick(f, "^1.0.0", KNIT_RESOLUTION_HIGHEST), "1.2.0");
	/* npm would take a pre-release latest for "*"; knit's sets cannot tell "*" apart (pick.h) */
	assert_string_equal(pick(f, "*", KNIT_RESOLUTION_HIGHEST), "2.0.0");
	/* dist-tags where a range should be */
	assert_string_equal(pick(f, "latest", KNIT_RESOLUTION_HIGHEST), "2.0.0-rc.1");
	assert_string_equal(pick(f, "next", KNIT_RESOLUTION_LOWEST), "2.0.0-rc.1");
	assert_string_equal(pick(f, "gamma", KNIT_RESOLUTION_HIGHEST), "none");
	f->pkg.latest = NULL;
	assert_string_equal(pick(f, "latest", KNIT_RESOLUTION_HIGHEST), "none");
}

static void test_latest_column(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(knit_pick_latest(&f->pkg)->version, "1.1.0");
	f->v[1].deprecated = "use 1.2";
	assert_string_equal(knit_pick_latest(&f->pkg)->version, "2.0.0");
	f->pkg.latest = NULL;
	f->v[4].deprecated = "use 1.2";
	assert_string_equal(knit_pick_latest(&f->pkg)->version, "1.2.0");
	f->pkg.nversions = 0;
	assert_null(knit_pick_latest(&f->pkg));
}

/* the solver's way in: a set of indexes, not a range */
static bool in_mask(void *ctx, size_t i) { return *(unsigned *)ctx >> i & 1; }

static void test_among_a_set(void **state)
{
	struct fixture *f = *state;
	unsigned mask = 1u << 0 | 1u << 1 | 1u << 2;
	assert_int_equal(knit_pick_version(&f->pkg, KNIT_RESOLUTION_HIGHEST, in_mask, &mask), 1);
	mask = 1u << 0 | 1u << 2;
	assert_int_equal(knit_pick_version(&f->pkg, KNIT_RESOLUTION_HIGHEST, in_mask, &mask), 2);
	assert_int_equal(knit_pick_version(&f->pkg, KNIT_RESOLUTION_LOWEST, in_mask, &mask), 0);
	mask = 0;
	assert_int_equal(knit_pick_version(&f->pkg, KNIT_RESOLUTION_HIGHEST, in_mask, &mask), -1);
	assert_int_equal(knit_pkg_find_version(&f->pkg, "1.2.0"), 2);
	assert_int_equal(knit_pkg_find_version(&f->pkg, "v1.2.0"), 2);
	assert_int_equal(knit_pkg_find_version(&f->pkg, "1.3.0"), -1);
	assert_int_equal(knit_pkg_find_version(&f->pkg, "not a version"), -1);
	assert_int_equal(knit_pkg_tag_version(&f->pkg, "next"), 3);
	assert_int_equal(knit_pkg_tag_version(&f->pkg, "latest"), 1);
	assert_int_equal(knit_pkg_tag_version(&f->pkg, "gamma"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_latest_tag_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deprecated_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lowest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prerelease_and_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_among_a_set, setup, teardown),
	};
	return cmocka_run_group_tests_name("pick", tests, NULL, NULL);
}
