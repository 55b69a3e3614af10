/*
 * resolver/semver.h beyond the fixtures: hostile input never crashes and is
 * "invalid", and testing a parsed version against a parsed range allocates
 * nothing (malloc is wrapped at link time to count).
 */
#include "conformance.h"
#include "resolver/semver.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static size_t mallocs;
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	mallocs++;
	return __real_malloc(size);
}

static void expect_invalid(const char *s, size_t len)
{
	struct knit_version v;
	struct knit_range r;
	for (unsigned flags = 0; flags < 4; flags++) {
		assert_int_equal(knit_version_parse(&v, s, len, flags), KNIT_EINVALID_VERSION);
		assert_int_equal(knit_range_parse(&r, s, len, flags), KNIT_EINVALID_RANGE);
	}
}

static void test_hostile_input(void **state)
{
	size_t big = 4u << 20;
	char *mega = malloc(big);
	memset(mega, '1', big);
	expect_invalid(mega, big);               /* megabytes of digits */
	memset(mega, 'a', big);
	expect_invalid(mega, big);               /* megabytes of junk */
	expect_invalid("1.2.3\0", 6);            /* a NUL byte */
	expect_invalid("\0", 1);
	expect_invalid("1.2.\xff", 6);           /* invalid UTF-8 */
	expect_invalid("\xc0\xaf" "1.2.3", 7);   /* an overlong encoding */
	expect_invalid("99999999999999999999.0.0", 24); /* beyond 2^53 */
	expect_invalid("^9007199254740992", 17);
	expect_invalid("1.2.3 9007199254740992.0.0", 26);
	expect_invalid(NULL, 0);
	free(mega);

	/* the empty string is no version, but it is the range that matches anything */
	struct knit_version v;
	struct knit_range r;
	assert_int_equal(knit_version_parse(&v, "", 0, 0), KNIT_EINVALID_VERSION);
	assert_int_equal(knit_range_parse(&r, "", 0, 0), 0);
	char *s = knit_range_to_string(&r);
	assert_string_equal(s, "*");
	free(s);
	knit_range_release(&r);

	/* 2^53 - 1 is the largest number a version may hold */
	assert_int_equal(knit_version_parse(&v, "9007199254740991.0.0", 20, 0), 0);
	assert_true(v.major == KNIT_SEMVER_MAX_SAFE_INTEGER);
	knit_version_release(&v);

	/* JavaScript whitespace, Unicode included, is trimmed like trim() does */
	const char *nbsp = "\xc2\xa0" "1.2.3" "\xe3\x80\x80";
	assert_int_equal(knit_version_parse(&v, nbsp, strlen(nbsp), 0), 0);
	knit_version_release(&v);
}

static void test_test_allocates_nothing(void **state)
{
	static const char *const ranges[] = { "^1.2.3", ">=1.0.0 <2.0.0-0 || 3.x", "~1.2.3-beta.1", "*" };
	static const char *const versions[] = { "1.2.3", "1.9.9", "2.0.0-rc.1", "1.2.3-beta.2", "3.1.4" };
	struct knit_range r[4];
	struct knit_version v[5];
	for (int i = 0; i < 4; i++)
		assert_int_equal(knit_range_parse(&r[i], ranges[i], strlen(ranges[i]), 0), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(knit_version_parse(&v[i], versions[i], strlen(versions[i]), 0), 0);

	size_t before = mallocs, hits = 0;
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 5; k++)
			hits += knit_range_test(&r[i], &v[k]);
	assert_int_equal(mallocs, before);
	assert_int_equal(hits, 10); /* node-semver counts the same */

	for (int i = 0; i < 4; i++)
		knit_range_release(&r[i]);
	for (int i = 0; i < 5; i++)
		knit_version_release(&v[i]);
}

static void test_copy_and_format(void **state)
{
	struct knit_version v, c;
	char buf[8];
	assert_int_equal(knit_version_parse(&v, "v1.02.3-rc.01+b.7", 17, KNIT_SEMVER_LOOSE), 0);
	knit_version_copy(&c, &v);
	knit_version_release(&v);
	assert_int_equal(knit_version_format(&c, buf, sizeof(buf)), strlen("1.2.3-rc.1"));
	assert_string_equal(buf, "1.2.3-r"); /* truncated as snprintf does */
	assert_int_equal(c.nbuild, 2);
	knit_version_release(&c);
}

/* satisfies() keeps parsed ranges by text: the options are part of the key, and evicted slots answer the same */
static void test_satisfies_range_cache(void **state)
{
#define SAT(v, r, f) knit_semver_satisfies(v, strlen(v), r, strlen(r), f)
	for (int round = 0; round < 3; round++) {
		assert_false(SAT("1.2.4-rc.1", "~1.2.3", 0));
		assert_true(SAT("1.2.4-rc.1", "~1.2.3", KNIT_SEMVER_INCLUDE_PRERELEASE));
		assert_false(SAT("1.2.3", "=1.2.3beta", 0)); /* invalid strictly */
		assert_true(SAT("1.2.3-beta", "=1.2.3beta", KNIT_SEMVER_LOOSE));
		assert_false(SAT("1.2.3", ">=1.2.3 <1.2.", 0));
		char range[32], version[32];
		for (int i = 0; i < 300; i++) {
			snprintf(range, sizeof(range), "^%d.%d", i % 7, i);
			snprintf(version, sizeof(version), "%d.%d.5", i % 7, i + (i & 1));
			assert_int_equal(SAT(version, range, 0), i % 7 != 0 ? 1 : !(i & 1));
		}
	}
#undef SAT
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_test_allocates_nothing),
		cmocka_unit_test(test_copy_and_format),
		cmocka_unit_test(test_satisfies_range_cache),
	};
	return cmocka_run_group_tests_name("semver api", tests, NULL, NULL);
}
