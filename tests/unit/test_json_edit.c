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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests_name("json_edit", tests, NULL, NULL);
}
