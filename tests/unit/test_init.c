/*
 * project/init: package names, names from folder names, placeholders (JSON-
 * escaped in .json files, in file names too), gitignore -> .gitignore, and
 * nothing written when a file is in the way.
 */
#include "conformance.h"
#include "project/init.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/pkgname.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[] = "/tmp/knit-init-XXXXXX";

static void names(void **state)
{
	const char *good[] = { "app", "my-app", "@acme/lib.foo", "a_b-c", "x1" };
	const char *bad[] = { "", "App", "my app", ".hidden", "_x", "@acme", "@/x", "@acme/", "a/b", "é", "a~b", "node_modules" };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(knit_pkgname_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (knit_pkgname_valid(bad[i]))
			fail_msg("'%s' was taken as valid", bad[i]);
	const char *from[][2] = {
		{ "My Server", "my-server" }, { "  x  y ", "x-y" }, { ".dot", "dot" }, { "___", "app" },
		{ "Ünïcode", "n-code" }, { "a--b", "a-b" }, { "node_modules", "app" }, { "x~y", "x-y" },
	};
	for (size_t i = 0; i < sizeof(from) / sizeof(*from); i++) {
		struct strbuf out = STRBUF_INIT;
		knit_package_name_from(from[i][0], &out);
		assert_string_equal(out.buf, from[i][1]);
		assert_true(knit_pkgname_valid(out.buf));
		strbuf_release(&out);
	}
}

static char *slurp(const char *path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	assert_int_equal(knit_read_file(path, &text, &err), 0);
	strbuf_release(&err);
	return strbuf_detach(&text, NULL);
}

static void copy(void **state)
{
	char cmd[2048], tpl[256], dir[256], path[512];
	snprintf(tpl, sizeof(tpl), "%s/tpl", tmp);
	snprintf(dir, sizeof(dir), "%s/out", tmp);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/src && printf '{\"name\": \"{{name}}\", \"d\": \"{{description}}\"}' >%s/knit.json && "
		 "printf '#include \"{{c_name}}.h\" /* {{C_NAME}} {{target}} {{description}} {{unknown}} */' >%s/src/{{c_name}}.c && "
		 "printf 'build/' >%s/gitignore",
		 tpl, tpl, tpl, tpl);
	assert_int_equal(system(cmd), 0);
	struct knit_init_opts o = { dir, tpl, "@acme/my-lib", "1.0.0", "say \"hi\"", "MIT" };
	struct knit_paths written = { 0 };
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_init(&o, &written, &err), 0);
	assert_int_equal(written.n, 3);
	snprintf(path, sizeof(path), "%s/knit.json", dir);
	char *json = slurp(path);
	assert_string_equal(json, "{\"name\": \"@acme/my-lib\", \"d\": \"say \\\"hi\\\"\"}");
	free(json);
	snprintf(path, sizeof(path), "%s/src/acme_my_lib.c", dir);
	char *c = slurp(path);
	assert_string_equal(c, "#include \"acme_my_lib.h\" /* ACME_MY_LIB acme.my-lib say \"hi\" {{unknown}} */");
	free(c);
	snprintf(path, sizeof(path), "%s/.gitignore", dir);
	assert_int_equal(access(path, F_OK), 0);
	knit_paths_release(&written);

	/* again: the first file in the way is named, nothing changes */
	assert_int_equal(knit_init(&o, &written, &err), KNIT_EEXIST);
	assert_non_null(strstr(err.buf, "already exists in"));
	assert_int_equal(written.n, 0);

	/* bad input */
	strbuf_reset(&err);
	struct knit_init_opts bad = { dir, tpl, "Bad", "1.0.0", "", "MIT" };
	assert_int_equal(knit_init(&bad, &written, &err), KNIT_EINVALID_ARG);
	strbuf_reset(&err);
	bad.name = "ok";
	bad.version = "one";
	assert_int_equal(knit_init(&bad, &written, &err), KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "'one' is not a valid version (like 0.1.0)");
	strbuf_reset(&err);
	bad.version = "1.0.0";
	bad.template_dir = "/nonexistent/knit-template";
	assert_int_equal(knit_init(&bad, &written, &err), KNIT_ENOTFOUND);
	strbuf_release(&err);
}

static int setup(void **state) { return mkdtemp(tmp) ? 0 : -1; }
static int teardown(void **state) { return knit_remove_tree(tmp); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(copy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
