/* util/json_edit: one member changes, every other byte stays. */
#include "conformance.h"
#include "util/error.h"
#include "util/json_edit.h"

#include <string.h>

static void expect(const char *in, const char *field, const char *key, const char *value,
		   const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, in);
	assert_int_equal(knit_json_edit(&sb, field, key, value), 0);
	if (strcmp(sb.buf, want))
		fail_msg("editing %s.%s:\n--- got\n%s\n--- want\n%s", field, key, sb.buf, want);
	strbuf_release(&sb);
}

static void test_edits(void **state)
{
	const char *doc = "{\n"
			  "    \"name\": \"app\",\n"
			  "    \"version\": \"1.0.0\",\n"
			  "    \"dependencies\": {\n"
			  "        \"libb\": \"^1.0.0\",\n"
			  "        \"libd\": \"~2.0.0\"\n"
			  "    },\n"
			  "    \"scripts\": { \"start\": \"./app\" }\n"
			  "}\n";
	/* insert in order, with the neighbours' indentation */
	expect(doc, "dependencies", "liba", "\"^3.0.0\"",
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"liba\": \"^3.0.0\",\n        \"libb\": \"^1.0.0\",\n        \"libd\": \"~2.0.0\"\n"
	       "    },\n    \"scripts\": { \"start\": \"./app\" }\n}\n");
	expect(doc, "dependencies", "libc", "\"^3.0.0\"",
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"libb\": \"^1.0.0\",\n        \"libc\": \"^3.0.0\",\n        \"libd\": \"~2.0.0\"\n"
	       "    },\n    \"scripts\": { \"start\": \"./app\" }\n}\n");
	expect(doc, "dependencies", "libz", "\"1.0.0\"",
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"libb\": \"^1.0.0\",\n        \"libd\": \"~2.0.0\",\n        \"libz\": \"1.0.0\"\n"
	       "    },\n    \"scripts\": { \"start\": \"./app\" }\n}\n");
	/* replace a value in place */
	expect(doc, "dependencies", "libd", "\"^2.1.0\"",
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"libb\": \"^1.0.0\",\n        \"libd\": \"^2.1.0\"\n"
	       "    },\n    \"scripts\": { \"start\": \"./app\" }\n}\n");
	/* remove the first, the last, the only */
	expect(doc, "dependencies", "libb", NULL,
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"libd\": \"~2.0.0\"\n    },\n    \"scripts\": { \"start\": \"./app\" }\n}\n");
	expect(doc, "dependencies", "libd", NULL,
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"libb\": \"^1.0.0\"\n    },\n    \"scripts\": { \"start\": \"./app\" }\n}\n");
	expect("{\n  \"dependencies\": {\n    \"a\": \"1\"\n  }\n}\n", "dependencies", "a", NULL,
	       "{\n  \"dependencies\": {}\n}\n");
	/* a new field at the end, and into an empty object */
	expect(doc, "devDependencies", "cmocka", "\"^1.1.0\"",
	       "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"dependencies\": {\n"
	       "        \"libb\": \"^1.0.0\",\n        \"libd\": \"~2.0.0\"\n"
	       "    },\n    \"scripts\": { \"start\": \"./app\" },\n    \"devDependencies\": {\n"
	       "        \"cmocka\": \"^1.1.0\"\n    }\n}\n");
	expect("{\n\t\"name\": \"x\",\n\t\"dependencies\": {}\n}\n", "dependencies", "a", "\"^1\"",
	       "{\n\t\"name\": \"x\",\n\t\"dependencies\": {\n\t\t\"a\": \"^1\"\n\t}\n}\n");
	expect("{}", "dependencies", "a", "\"^1\"", "{\n  \"dependencies\": {\n    \"a\": \"^1\"\n  }\n}");
	/* removing what is not there changes nothing */
	expect(doc, "dependencies", "nope", NULL, doc);
	expect(doc, "overrides", "nope", NULL, doc);
}

static void test_refusals(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "[1, 2]");
	assert_int_equal(knit_json_edit(&sb, "dependencies", "a", "\"1\""), KNIT_EPARSE);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "{\"dependencies\": [\"a\"]}");
	assert_int_equal(knit_json_edit(&sb, "dependencies", "a", "\"1\""), KNIT_EINVALID_ARG);
	assert_string_equal(sb.buf, "{\"dependencies\": [\"a\"]}");
	strbuf_release(&sb);
}

static void expect_top(const char *in, const char *key, const char *value, const char *after, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, in);
	assert_int_equal(knit_json_edit_top(&sb, key, value, after), 0);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/* knit version: the top-level "version" changes and no other byte does */
static void test_top_level(void **state)
{
	(void)state;
	expect_top("{ \"name\":\"a\" ,\n\t\"version\" :  \"1.0.0\",\"x\":[1,{\"version\":\"9\"}] }\n", "version",
		   "\"1.0.1\"", "name",
		   "{ \"name\":\"a\" ,\n\t\"version\" :  \"1.0.1\",\"x\":[1,{\"version\":\"9\"}] }\n");
	/* a nested "version" is not the top-level one */
	expect_top("{\n  \"name\": \"a\",\n  \"c\": { \"version\": \"1\" }\n}\n", "version", "\"0.1.0\"", "name",
		   "{\n  \"name\": \"a\",\n  \"version\": \"0.1.0\",\n  \"c\": { \"version\": \"1\" }\n}\n");
	expect_top("{\n\t\"private\": true\n}\n", "version", "\"0.1.0\"", "name",
		   "{\n\t\"version\": \"0.1.0\",\n\t\"private\": true\n}\n");
	expect_top("{}", "version", "\"0.1.0\"", "name", "{\n  \"version\": \"0.1.0\"\n}");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "[\"version\"]");
	assert_int_equal(knit_json_edit_top(&sb, "version", "\"1\"", NULL), KNIT_EPARSE);
	assert_string_equal(sb.buf, "[\"version\"]");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_top_level),
	};
	return cmocka_run_group_tests_name("json_edit", tests, NULL, NULL);
}
