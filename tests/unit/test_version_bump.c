/*
 * knit version's rule (project/version_bump.h): the next version of an
 * increment is node-semver's inc() of knit.json's version (checked here
 * against node-semver's own increments fixtures), a version operand is
 * taken cleaned, and bad input is refused with one line.
 */
#include "conformance.h"
#include "project/version_bump.h"
#include "resolver/semver.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static void expect_next(const char *current, const char *arg, const char *preid, bool same, const char *want)
{
	struct strbuf err = STRBUF_INIT;
	char *got = NULL;
	int rc = knit_version_next(current, arg, preid, same, &got, &err);
	if (want) {
		assert_int_equal(rc, 0);
		assert_string_equal(got, want);
	} else {
		assert_int_not_equal(rc, 0);
		assert_null(got);
		assert_non_null(strchr(err.buf, '\'')); /* one line naming its subject */
		assert_null(strchr(err.buf, '\n'));
	}
	free(got);
	strbuf_release(&err);
}

static void test_rules(void **state)
{
	(void)state;
	expect_next("1.2.3", "patch", NULL, false, "1.2.4");
	expect_next("1.2.3", "minor", NULL, false, "1.3.0");
	expect_next("1.2.3", "major", NULL, false, "2.0.0");
	expect_next("1.2.3", "premajor", "rc", false, "2.0.0-rc.0");
	expect_next("1.2.3", "prerelease", NULL, false, "1.2.4-0");
	expect_next("1.2.4-rc.0", "prerelease", "rc", false, "1.2.4-rc.1");
	expect_next("1.2.4-rc.1", "release", NULL, false, "1.2.4");
	expect_next(NULL, "patch", NULL, false, "0.0.1");          /* no version: 0.0.0, as npm */
	expect_next("1.2.3", "v2.0.0", NULL, false, "2.0.0");      /* a version, cleaned */
	expect_next("1.2.3", " =1.0.0 ", NULL, false, "1.0.0");    /* lower is allowed, as npm allows it */
	expect_next("1.2.3", "1.2.3", NULL, false, NULL);          /* the same */
	expect_next("1.2.3", "1.2.3", NULL, true, "1.2.3");
	expect_next("1.2.3", "mayor", NULL, false, NULL);
	expect_next("1.2.3", "", NULL, false, NULL);
	expect_next("1.2.3", "^1.2.4", NULL, false, NULL);         /* a range is not a version */
	expect_next("not.a.version", "patch", NULL, false, NULL);
}

/* Every fixture case knit version can ask: a valid version, a release word, no identifierBase. */
static void test_increments_fixtures(void **state)
{
	(void)state;
	if (!conformance_present("semver"))
		skip();
	cJSON *doc = conformance_load("semver", "increments.json");
	size_t checked = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
		const cJSON *v = cJSON_GetObjectItem(c, "version"), *rel = cJSON_GetObjectItem(c, "release"),
			    *want = cJSON_GetObjectItem(c, "result"), *id = cJSON_GetObjectItem(c, "identifier");
		if (!cJSON_IsString(v) || !cJSON_IsString(rel) || !cJSON_IsString(want) ||
		    cJSON_GetObjectItem(c, "identifierBase") || !knit_semver_is_release_type(rel->valuestring))
			continue;
		char *clean = knit_semver_clean(v->valuestring, strlen(v->valuestring), 0);
		bool usable = clean && !strcmp(clean, v->valuestring) && strcmp(want->valuestring, clean);
		free(clean);
		if (!usable)
			continue;
		expect_next(v->valuestring, rel->valuestring, cJSON_IsString(id) ? id->valuestring : NULL, false,
			    want->valuestring);
		checked++;
	}
	assert_true(checked > 50);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_increments_fixtures),
	};
	return cmocka_run_group_tests_name("version_bump", tests, NULL, NULL);
}
