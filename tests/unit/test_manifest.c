/*
 * project/manifest in-process: every field knit_manifest_parse reads, the
 * one-line error for each wrong type (naming the file and the field),
 * malformed JSON as line:column, duplicate keys, huge and deep documents,
 * knit_manifest_read of a missing file, and knit_manifest_read_package's
 * order (knit.json, else package.json, else the conventions) with errors
 * that name the package and the file, never the store path.
 */
#include "conformance.h"
#include "project/manifest.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char tmp[256];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/knit-test-manifest-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	knit_remove_tree(tmp);
	return 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	bool changed;
	struct strbuf err = STRBUF_INIT;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (knit_make_parents(path) || knit_write_file_atomic(path, text, strlen(text), &changed, &err))
		fail_msg("cannot write %s: %s", path, err.buf);
	strbuf_release(&err);
}

static void parse_ok(struct knit_manifest *m, const char *json)
{
	struct strbuf err = STRBUF_INIT;
	if (knit_manifest_parse(m, json, strlen(json), "knit.json", &err))
		fail_msg("%s: %s", json, err.buf);
	assert_int_equal(err.len, 0);
	strbuf_release(&err);
}

/* A failed parse leaves nothing to release: every field is zero again. */
static void assert_zeroed(const struct knit_manifest *m)
{
	static const struct knit_manifest zero;
	assert_memory_equal(m, &zero, sizeof(zero));
}

/* json (length len) must fail with exactly want, in one line. */
static void expect_error_len(const char *json, size_t len, const char *path, const char *want)
{
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;
	int rc = knit_manifest_parse(&m, json, len, path, &err);
	if (rc != KNIT_EPARSE)
		fail_msg("%s: rc %d (%s), want KNIT_EPARSE", json, rc, err.buf);
	if (strcmp(err.buf, want))
		fail_msg("%s:\n got  %s\n want %s", json, err.buf, want);
	assert_null(strchr(err.buf, '\n'));
	assert_zeroed(&m);
	strbuf_release(&err);
}

static void expect_error(const char *json, const char *want)
{
	expect_error_len(json, strlen(json), "/p/knit.json", want);
}

/* --- what a good manifest gives -------------------------------------------------- */

static void every_field(void **state)
{
	struct knit_manifest m;
	parse_ok(&m, "{\n"
		     "  \"name\": \"@acme/tool\",\n"
		     "  \"version\": \"1.2.3-rc.1+build.5\",\n"
		     "  \"description\": \"a tool\",\n"
		     "  \"dependencies\": { \"zlib\": \"^1.3.0\", \"@acme/core\": \"file:../core\" },\n"
		     "  \"devDependencies\": { \"cmocka\": \"~1.1\" },\n"
		     "  \"overrides\": { \"zlib\": \"1.3.1\" },\n"
		     "  \"scripts\": { \"zz\": \"echo z\", \"build\": \"make\", \"aa\": \"echo a\" },\n"
		     "  \"c\": {\n"
		     "    \"sources\": [\"lib/*.c\", \"extra/**/*.c\"],\n"
		     "    \"include\": [\"pub\"],\n"
		     "    \"defines\": [\"FOO\", \"BAR=2\"],\n"
		     "    \"cflags\": [\"-O2\"],\n"
		     "    \"link\": [\"m\", \"pthread\"],\n"
		     "    \"pkgconfig\": { \"openssl\": \">=3\", \"libuv\": \"^1.40\" },\n"
		     "    \"cmakeTarget\": \"acme::tool\"\n"
		     "  },\n"
		     "  \"bin\": \"bin/tool.sh\",\n"
		     "  \"trustedDependencies\": [\"zlib\", \"@acme/core\"],\n"
		     "  \"files\": [\"include\", \"src\", \"!src/test\"],\n"
		     "  \"unknownField\": { \"ignored\": [1, 2, 3] }\n"
		     "}\n");
	assert_string_equal(m.name, "@acme/tool");
	assert_string_equal(m.version, "1.2.3-rc.1+build.5");
	assert_string_equal(m.description, "a tool");

	assert_int_equal(m.deps.n, 2);
	assert_string_equal(m.deps.items[0].name, "zlib");
	assert_string_equal(m.deps.items[0].range, "^1.3.0");
	assert_string_equal(m.deps.items[1].name, "@acme/core");
	assert_string_equal(m.deps.items[1].range, "file:../core");
	assert_int_equal(m.dev_deps.n, 1);
	assert_string_equal(m.dev_deps.items[0].name, "cmocka");
	assert_string_equal(m.dev_deps.items[0].range, "~1.1");
	assert_int_equal(m.overrides.n, 1);
	assert_string_equal(m.overrides.items[0].name, "zlib");
	assert_string_equal(m.overrides.items[0].range, "1.3.1");

	/* scripts keep knit.json's order, not an alphabetical one */
	assert_int_equal(m.nscripts, 3);
	assert_string_equal(m.scripts[0].name, "zz");
	assert_string_equal(m.scripts[1].name, "build");
	assert_string_equal(m.scripts[2].name, "aa");
	assert_string_equal(knit_manifest_script(&m, "build"), "make");
	assert_string_equal(knit_manifest_script(&m, "aa"), "echo a");
	assert_null(knit_manifest_script(&m, "test"));

	assert_true(m.c.has_sources);
	assert_true(m.c.has_include);
	assert_int_equal(m.c.sources.n, 2);
	assert_string_equal(m.c.sources.items[0], "lib/*.c");
	assert_string_equal(m.c.sources.items[1], "extra/**/*.c");
	assert_int_equal(m.c.include.n, 1);
	assert_string_equal(m.c.include.items[0], "pub");
	assert_int_equal(m.c.defines.n, 2);
	assert_string_equal(m.c.defines.items[1], "BAR=2");
	assert_int_equal(m.c.cflags.n, 1);
	assert_string_equal(m.c.cflags.items[0], "-O2");
	assert_int_equal(m.c.link.n, 2);
	assert_string_equal(m.c.link.items[1], "pthread");
	assert_int_equal(m.c.pkgconfig.n, 2);
	assert_string_equal(knit_strmap_get(&m.c.pkgconfig, "openssl"), ">=3");
	assert_string_equal(knit_strmap_get(&m.c.pkgconfig, "libuv"), "^1.40");
	assert_string_equal(m.c.cmake_target, "acme::tool");

	/* a single path: the command is the name without its scope */
	assert_int_equal(m.bin.n, 1);
	assert_string_equal(knit_strmap_get(&m.bin, "tool"), "bin/tool.sh");

	assert_int_equal(m.trusted.n, 2);
	assert_string_equal(m.trusted.items[0], "zlib");
	assert_string_equal(m.trusted.items[1], "@acme/core");
	assert_true(m.has_files);
	assert_int_equal(m.files.n, 3);
	assert_string_equal(m.files.items[2], "!src/test");
	knit_manifest_release(&m);
	assert_zeroed(&m);
}

static void empty_and_absent(void **state)
{
	struct knit_manifest m;
	parse_ok(&m, "{}");
	assert_zeroed(&m); /* nothing given: no name, no version, the conventions */
	knit_manifest_release(&m);

	/* empty containers are given, but hold nothing */
	parse_ok(&m, "{\"dependencies\": {}, \"scripts\": {}, \"c\": {\"sources\": [], \"include\": []},"
		     " \"bin\": {}, \"files\": [], \"trustedDependencies\": []}");
	assert_int_equal(m.deps.n, 0);
	assert_int_equal(m.nscripts, 0);
	assert_true(m.c.has_sources); /* "sources": [] builds nothing, it is not the convention */
	assert_true(m.c.has_include);
	assert_int_equal(m.c.sources.n, 0);
	assert_int_equal(m.bin.n, 0);
	assert_true(m.has_files);
	assert_int_equal(m.files.n, 0);
	knit_manifest_release(&m);

	/* a c section without sources or include keeps the conventions */
	parse_ok(&m, "{\"c\": {\"link\": [\"m\"]}}");
	assert_false(m.c.has_sources);
	assert_false(m.c.has_include);
	assert_null(m.c.cmake_target);
	knit_manifest_release(&m);

	/* whitespace around the document is fine; a loose version is kept as written */
	parse_ok(&m, " \n\t{\"name\": \"plain\", \"version\": \"v1.0.0\"}\r\n ");
	assert_string_equal(m.name, "plain");
	assert_string_equal(m.version, "v1.0.0");
	knit_manifest_release(&m);
}

static void bin_forms(void **state)
{
	struct knit_manifest m;
	parse_ok(&m, "{\"name\": \"tool\", \"bin\": \"./cli.sh\"}");
	assert_int_equal(m.bin.n, 1);
	assert_string_equal(knit_strmap_get(&m.bin, "tool"), "./cli.sh");
	knit_manifest_release(&m);

	parse_ok(&m, "{\"bin\": {\"one\": \"bin/one\", \"two\": \"bin/two\", \"x.y\": \"bin/xy\"}}");
	assert_int_equal(m.bin.n, 3);
	assert_string_equal(m.bin.items[0].key, "one");
	assert_string_equal(knit_strmap_get(&m.bin, "two"), "bin/two");
	assert_string_equal(knit_strmap_get(&m.bin, "x.y"), "bin/xy");
	knit_manifest_release(&m);

	/* the object form needs no name */
	parse_ok(&m, "{\"bin\": {\"t\": \"t.sh\"}}");
	assert_null(m.name);
	assert_string_equal(knit_strmap_get(&m.bin, "t"), "t.sh");
	knit_manifest_release(&m);
}

/* --- wrong types and values, one field at a time --------------------------------------- */

/* c.build, c.root, c.options, c.shared: how knit build builds a package */
static void build_fields(void **state)
{
	(void)state;
	struct knit_manifest m;
	parse_ok(&m, "{\"c\": {\"build\": \"meson\", \"root\": \"libraries/liblmdb\","
		     " \"options\": [\"-Dtests=false\", \"--disable-docs\"], \"shared\": true}}");
	assert_true(m.c.has_build);
	assert_int_equal(m.c.build, KNIT_BUILD_MESON);
	assert_string_equal(m.c.root, "libraries/liblmdb");
	assert_int_equal(m.c.options.n, 2);
	assert_string_equal(m.c.options.items[1], "--disable-docs");
	assert_true(m.c.shared);
	knit_manifest_release(&m);
	parse_ok(&m, "{\"c\": {}}");
	assert_false(m.c.has_build);
	assert_null(m.c.root);
	assert_false(m.c.shared);
	knit_manifest_release(&m);
	const char *bad_build = "/p/knit.json: 'c.build' must be one of sources, cmake, meson, autotools, make";
	const char *bad_root = "/p/knit.json: 'c.root' must be a folder inside the package (like expat or "
			       "libraries/liblmdb: no '..', no leading '/')";
	const char *const cases[][2] = {
		{ "{\"c\": {\"build\": \"scons\"}}", bad_build },
		{ "{\"c\": {\"build\": 1}}", bad_build },
		{ "{\"c\": {\"build\": \"\"}}", bad_build },
		{ "{\"c\": {\"root\": \"../up\"}}", bad_root },
		{ "{\"c\": {\"root\": \"a/../../b\"}}", bad_root },
		{ "{\"c\": {\"root\": \"/etc\"}}", bad_root },
		{ "{\"c\": {\"root\": \"a//b\"}}", bad_root },
		{ "{\"c\": {\"root\": \"./a\"}}", bad_root },
		{ "{\"c\": {\"root\": \"\"}}", bad_root },
		{ "{\"c\": {\"root\": [\"a\"]}}", bad_root },
		{ "{\"c\": {\"options\": \"-DX=1\"}}", "/p/knit.json: 'c.options' must be an array of strings" },
		{ "{\"c\": {\"options\": [\"\"]}}", "/p/knit.json: 'c.options' must be an array of non-empty strings" },
		{ "{\"c\": {\"options\": [\"-DX=\\n1\"]}}", "/p/knit.json: 'c.options' entry '-DX=\\n1' holds a control character" },
		{ "{\"c\": {\"shared\": \"yes\"}}", "/p/knit.json: 'c.shared' must be true or false" },
		{ "{\"c\": {\"build\": \"cmake\", \"build\": \"make\"}}", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i][1]) {
			expect_error(cases[i][0], cases[i][1]);
		} else { /* a repeated field: refused, whatever the message says */
			struct strbuf err = STRBUF_INIT;
			assert_int_equal(knit_manifest_parse(&m, cases[i][0], strlen(cases[i][0]), "k", &err), KNIT_EPARSE);
			assert_non_null(strstr(err.buf, "c.build"));
			strbuf_release(&err);
		}
	}
}

static void wrong_types(void **state)
{
	static const char *const cases[][2] = {
		{ "[]", "/p/knit.json: the top level must be an object" },
		{ "\"name\"", "/p/knit.json: the top level must be an object" },
		{ "null", "/p/knit.json: the top level must be an object" },
		{ "{\"name\": 5}", "/p/knit.json: 'name' must be a string" },
		{ "{\"name\": null}", "/p/knit.json: 'name' must be a string" },
		{ "{\"version\": 1.2}", "/p/knit.json: 'version' must be a string" },
		{ "{\"version\": \"one\"}", "/p/knit.json: 'version' \"one\" is not a valid version" },
		{ "{\"version\": \"\"}", "/p/knit.json: 'version' \"\" is not a valid version" },
		{ "{\"version\": \">=1.0.0\"}", "/p/knit.json: 'version' \">=1.0.0\" is not a valid version" },
		{ "{\"description\": [\"a\"]}", "/p/knit.json: 'description' must be a string" },
		{ "{\"dependencies\": []}",
		  "/p/knit.json: 'dependencies' must be an object of package name to range" },
		{ "{\"dependencies\": \"zlib\"}",
		  "/p/knit.json: 'dependencies' must be an object of package name to range" },
		{ "{\"dependencies\": {\"zlib\": 1}}",
		  "/p/knit.json: 'dependencies.zlib' must be a string (a range, a tag or a path)" },
		{ "{\"dependencies\": {\"zlib\": {\"version\": \"1\"}}}",
		  "/p/knit.json: 'dependencies.zlib' must be a string (a range, a tag or a path)" },
		{ "{\"dependencies\": {\"\": \"1\"}}", "/p/knit.json: 'dependencies' has an empty package name" },
		{ "{\"devDependencies\": true}",
		  "/p/knit.json: 'devDependencies' must be an object of package name to range" },
		{ "{\"devDependencies\": {\"x\": null}}",
		  "/p/knit.json: 'devDependencies.x' must be a string (a range, a tag or a path)" },
		{ "{\"overrides\": 3}", "/p/knit.json: 'overrides' must be an object of package name to range" },
		{ "{\"overrides\": {\"x\": [\"1\"]}}",
		  "/p/knit.json: 'overrides.x' must be a string (a range, a tag or a path)" },
		{ "{\"scripts\": [\"make\"]}", "/p/knit.json: 'scripts' must be an object of script name to command" },
		{ "{\"scripts\": {\"build\": false}}", "/p/knit.json: 'scripts.build' must be a string (a shell command)" },
		{ "{\"scripts\": {\"\": \"make\"}}", "/p/knit.json: 'scripts' has an empty script name" },
		{ "{\"c\": []}", "/p/knit.json: 'c' must be an object (sources, include, defines, ...)" },
		{ "{\"c\": \"gcc\"}", "/p/knit.json: 'c' must be an object (sources, include, defines, ...)" },
		{ "{\"c\": {\"sources\": \"src/*.c\"}}", "/p/knit.json: 'c.sources' must be an array of strings" },
		{ "{\"c\": {\"sources\": [1]}}", "/p/knit.json: 'c.sources' must be an array of non-empty strings" },
		{ "{\"c\": {\"sources\": [\"\"]}}", "/p/knit.json: 'c.sources' must be an array of non-empty strings" },
		{ "{\"c\": {\"include\": {}}}", "/p/knit.json: 'c.include' must be an array of strings" },
		{ "{\"c\": {\"include\": [null]}}", "/p/knit.json: 'c.include' must be an array of non-empty strings" },
		{ "{\"c\": {\"defines\": \"X\"}}", "/p/knit.json: 'c.defines' must be an array of strings" },
		{ "{\"c\": {\"defines\": [\"X\", 2]}}", "/p/knit.json: 'c.defines' must be an array of non-empty strings" },
		{ "{\"c\": {\"cflags\": \"-O2\"}}", "/p/knit.json: 'c.cflags' must be an array of strings" },
		{ "{\"c\": {\"cflags\": [[\"-O2\"]]}}", "/p/knit.json: 'c.cflags' must be an array of non-empty strings" },
		{ "{\"c\": {\"link\": \"m\"}}", "/p/knit.json: 'c.link' must be an array of strings" },
		{ "{\"c\": {\"link\": [\"\"]}}", "/p/knit.json: 'c.link' must be an array of non-empty strings" },
		{ "{\"c\": {\"pkgconfig\": [\"zlib\"]}}",
		  "/p/knit.json: 'c.pkgconfig' must be an object of pkg-config module to range" },
		{ "{\"c\": {\"pkgconfig\": {\"zlib\": 1}}}", "/p/knit.json: 'c.pkgconfig.zlib' must be a range of versions" },
		{ "{\"c\": {\"cmakeTarget\": 1}}", "/p/knit.json: 'c.cmakeTarget' must be the name of a CMake target" },
		{ "{\"c\": {\"cmakeTarget\": \"\"}}", "/p/knit.json: 'c.cmakeTarget' must be the name of a CMake target" },
		{ "{\"bin\": 1}", "/p/knit.json: 'bin' must be a path or an object of command name to path" },
		{ "{\"bin\": [\"a\"]}", "/p/knit.json: 'bin' must be a path or an object of command name to path" },
		{ "{\"bin\": \"cli.sh\"}", "/p/knit.json: 'bin' needs 'name' when it is a single path" },
		{ "{\"bin\": {\"a\": 1}}", "/p/knit.json: 'bin.a' must be a path in the package" },
		{ "{\"bin\": {\"a/b\": \"x\"}}", "/p/knit.json: 'bin' has a command named 'a/b', which cannot be a file name" },
		{ "{\"bin\": {\"..\": \"x\"}}", "/p/knit.json: 'bin' has a command named '..', which cannot be a file name" },
		{ "{\"bin\": {\".\": \"x\"}}", "/p/knit.json: 'bin' has a command named '.', which cannot be a file name" },
		{ "{\"bin\": {\"\": \"x\"}}", "/p/knit.json: 'bin' has a command named '', which cannot be a file name" },
		{ "{\"trustedDependencies\": \"zlib\"}",
		  "/p/knit.json: 'trustedDependencies' must be an array of package names" },
		{ "{\"trustedDependencies\": [1]}", "/p/knit.json: 'trustedDependencies' must be an array of package names" },
		{ "{\"trustedDependencies\": [\"\"]}",
		  "/p/knit.json: 'trustedDependencies' must be an array of package names" },
		{ "{\"files\": \"src\"}", "/p/knit.json: 'files' must be an array of path patterns" },
		{ "{\"files\": [\"src\", false]}", "/p/knit.json: 'files' must be an array of path patterns" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i][0], cases[i][1]);
}

/* Names enter here and become folders: each field that holds one checks it. */
static void bad_names(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"name\": \"../evil\"}", "/p/knit.json: 'name' is '../evil', which" },
		{ "{\"name\": \"\"}", "/p/knit.json: 'name' is '', which" },
		{ "{\"name\": \"Caps\"}", "/p/knit.json: 'name' is 'Caps', which" },
		{ "{\"dependencies\": {\"../../etc\": \"1\"}}", "/p/knit.json: 'dependencies' names '../../etc', which" },
		{ "{\"devDependencies\": {\"a/b\": \"1\"}}", "/p/knit.json: 'devDependencies' names 'a/b', which" },
		{ "{\"overrides\": {\".hidden\": \"1\"}}", "/p/knit.json: 'overrides' names '.hidden', which" },
		{ "{\"trustedDependencies\": [\"ok\", \"No Way\"]}",
		  "/p/knit.json: 'trustedDependencies' names 'No Way', which" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct knit_manifest m;
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(knit_manifest_parse(&m, cases[i][0], strlen(cases[i][0]), "/p/knit.json", &err),
				 KNIT_EPARSE);
		if (strncmp(err.buf, cases[i][1], strlen(cases[i][1])) ||
		    !strstr(err.buf, ", which is not a valid package name: "))
			fail_msg("%s: got %s", cases[i][0], err.buf);
		assert_null(strchr(err.buf, '\n'));
		assert_zeroed(&m);
		strbuf_release(&err);
	}
}

/* A newline in a `c` value would start a new rule in a generated build file. */
static void control_characters(void **state)
{
	expect_error("{\"c\": {\"cflags\": [\"-O2\\n-DEVIL\"]}}",
		     "/p/knit.json: 'c.cflags' entry '-O2\\n-DEVIL' holds a control character");
	expect_error("{\"c\": {\"sources\": [\"a\\u0001.c\"]}}",
		     "/p/knit.json: 'c.sources' entry 'a\\x01.c' holds a control character");
	expect_error("{\"c\": {\"include\": [\"inc\\r\"]}}",
		     "/p/knit.json: 'c.include' entry 'inc\\r' holds a control character");
	expect_error("{\"c\": {\"defines\": [\"X=\\t1\"]}}",
		     "/p/knit.json: 'c.defines' entry 'X=\\t1' holds a control character");
	expect_error("{\"c\": {\"link\": [\"m\\u007f\"]}}",
		     "/p/knit.json: 'c.link' entry 'm\\x7f' holds a control character");
	expect_error("{\"c\": {\"pkgconfig\": {\"zlib\\n\": \"1\"}}}",
		     "/p/knit.json: 'c.pkgconfig' entry 'zlib\\n' holds a control character");
	expect_error("{\"c\": {\"pkgconfig\": {\"zlib\": \">=1\\nLibs: -levil\"}}}",
		     "/p/knit.json: 'c.pkgconfig' entry '>=1\\nLibs: -levil' holds a control character");
	expect_error("{\"c\": {\"cmakeTarget\": \"t\\n)\"}}",
		     "/p/knit.json: 'c.cmakeTarget' entry 't\\n)' holds a control character");
	/* outside `c`, a control character in a string is only text */
	struct knit_manifest m;
	parse_ok(&m, "{\"description\": \"two\\nlines\", \"scripts\": {\"a\": \"echo 1\\necho 2\"}}");
	assert_string_equal(m.description, "two\nlines");
	assert_string_equal(knit_manifest_script(&m, "a"), "echo 1\necho 2");
	knit_manifest_release(&m);
}

/*
 * A hostile key or value in a message is shown escaped, so that the error
 * stays one line (and a terminal escape stays text). A command name
 * becomes a file under deps/.bin and appears in warnings: a control
 * character in one is refused.
 */
static void hostile_text_in_messages(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"version\": \"1.0.0\\nInjected: line\"}",
		  "/p/knit.json: 'version' \"1.0.0\\nInjected: line\" is not a valid version" },
		{ "{\"scripts\": {\"a\\nb\": 1}}", "/p/knit.json: 'scripts.a\\nb' must be a string (a shell command)" },
		{ "{\"bin\": {\"x\\u001b[2J\": 1}}",
		  "/p/knit.json: 'bin' has a command named 'x\\x1b[2J', which holds a control character" },
		{ "{\"bin\": {\"a\\nb\": \"bin/a\"}}",
		  "/p/knit.json: 'bin' has a command named 'a\\nb', which holds a control character" },
		{ "{\"bin\": {\"a/\\tb\": \"bin/a\"}}",
		  "/p/knit.json: 'bin' has a command named 'a/\\tb', which cannot be a file name" },
		{ "{\"bin\": {\"ok\": \"bin/a\", \"ok2\\r\": 7}}",
		  "/p/knit.json: 'bin' has a command named 'ok2\\r', which holds a control character" },
		{ "{\"c\": {\"pkgconfig\": {\"z\\nlib\": 1}}}",
		  "/p/knit.json: 'c.pkgconfig.z\\nlib' must be a range of versions" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i][0], cases[i][1]);
}

/* --- malformed JSON: the file, line and column of the fault ------------------------------ */

static void malformed_json(void **state)
{
	static const char *const cases[][2] = {
		{ "", "knit.json:1:1: malformed JSON" },
		{ "   ", "knit.json:1:1: malformed JSON" },
		{ "{", "knit.json:1:1: malformed JSON" },
		{ "{\"name\": \"a\",}", "knit.json:1:14: malformed JSON" },
		{ "{\"a\":}", "knit.json:1:6: malformed JSON" },
		{ "{\"a\" 1}", "knit.json:1:6: malformed JSON" },
		{ "{\n  \"name\": \"a\"\n  \"version\": \"1.0.0\"\n}", "knit.json:3:3: malformed JSON" },
		{ "{\n  \"name\": \"a\",\n  \"c\": {\"link\": [\"m\",, \"z\"]}\n}", "knit.json:3:22: malformed JSON" },
		{ "{} {}", "knit.json:1:4: malformed JSON" },
		{ "{}\n\nx", "knit.json:3:1: malformed JSON" },
		{ "{\"a\": tru}", "knit.json:1:7: malformed JSON" },
		{ "{\"a\": 1e}", "knit.json:1:8: malformed JSON" },
		/* columns count characters, not bytes: the two-byte \u00e9 is one */
		{ "{\"description\": \"\xc3\xa9\", \"a\": tru}", "knit.json:1:27: malformed JSON" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error_len(cases[i][0], strlen(cases[i][0]), "knit.json", cases[i][1]);
	/* a NUL inside the text is the fault, not the character before it */
	expect_error_len("{}\0{}", 5, "knit.json", "knit.json:1:3: malformed JSON");
	expect_error_len("{\"name\":\n\"a\0b\"}", 15, "knit.json", "knit.json:2:3: malformed JSON");
	expect_error_len("{\"a\": 1}\n \0", 11, "knit.json", "knit.json:2:2: malformed JSON");

	/*
	 * Where a string was due, cJSON stops one character into it: the line
	 * is exact, the column falls on the bad token.
	 */
	static const struct { const char *json; unsigned line, from, to; } near[] = {
		{ "{\n  \"name\": \"a\",\n  oops: 1\n}", 3, 3, 6 },
		{ "{x}", 1, 2, 3 },
		{ "{\"name\": \"unterminated}", 1, 10, 24 },
	};
	for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		struct knit_manifest m;
		struct strbuf err = STRBUF_INIT;
		unsigned line, col;
		assert_int_equal(knit_manifest_parse(&m, near[i].json, strlen(near[i].json), "knit.json", &err),
				 KNIT_EPARSE);
		if (sscanf(err.buf, "knit.json:%u:%u: malformed JSON", &line, &col) != 2 || line != near[i].line ||
		    col < near[i].from || col > near[i].to)
			fail_msg("%s: %s, want line %u, column %u to %u", near[i].json, err.buf, near[i].line,
				 near[i].from, near[i].to);
		strbuf_release(&err);
	}
}

/*
 * A key given twice has no one meaning in JSON (cJSON keeps both, npm's
 * JSON.parse the last); a dependency named twice went into knit.lock twice,
 * which knit ci then found to disagree with knit.json for ever. Each field
 * knit reads, and each name in its objects, may appear once. Fields knit
 * does not read are not its business.
 */
static void duplicate_keys(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"name\": \"a\", \"name\": \"b\"}", "/p/knit.json: 'name' is given twice" },
		{ "{\"version\": \"1.0.0\", \"description\": \"\", \"version\": \"2.0.0\"}",
		  "/p/knit.json: 'version' is given twice" },
		{ "{\"dependencies\": {}, \"dependencies\": {\"a\": \"1\"}}",
		  "/p/knit.json: 'dependencies' is given twice" },
		{ "{\"files\": [], \"files\": 1}", "/p/knit.json: 'files' is given twice" },
		{ "{\"c\": {\"link\": [\"m\"], \"link\": [\"z\"]}}", "/p/knit.json: 'c.link' is given twice" },
		{ "{\"c\": {\"cmakeTarget\": \"a\", \"cmakeTarget\": \"b\"}}",
		  "/p/knit.json: 'c.cmakeTarget' is given twice" },
		{ "{\"dependencies\": {\"zlib\": \"^1\", \"x\": \"1\", \"zlib\": \"^2\"}}",
		  "/p/knit.json: 'dependencies' has 'zlib' twice" },
		{ "{\"devDependencies\": {\"a\": \"file:../a\", \"a\": \"file:../a\"}}",
		  "/p/knit.json: 'devDependencies' has 'a' twice" },
		{ "{\"overrides\": {\"a\": \"1\", \"a\": \"2\"}}", "/p/knit.json: 'overrides' has 'a' twice" },
		{ "{\"scripts\": {\"build\": \"make\", \"test\": \"t\", \"build\": \"rm -rf /\"}}",
		  "/p/knit.json: 'scripts' has 'build' twice" },
		{ "{\"bin\": {\"t\": \"a\", \"t\": \"b\"}}", "/p/knit.json: 'bin' has 't' twice" },
		{ "{\"c\": {\"pkgconfig\": {\"zlib\": \"1\", \"zlib\": \"2\"}}}",
		  "/p/knit.json: 'c.pkgconfig' has 'zlib' twice" },
		/* a hostile key is shown on one line */
		{ "{\"scripts\": {\"a\\nb\": \"1\", \"a\\nb\": \"2\"}}", "/p/knit.json: 'scripts' has 'a\\nb' twice" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i][0], cases[i][1]);

	/* what knit does not read may repeat; different names are different keys */
	struct knit_manifest m;
	parse_ok(&m, "{\"keywords\": [], \"keywords\": [], \"name\": \"a\", \"Name\": \"B\","
		     " \"dependencies\": {\"a\": \"1\", \"b\": \"1\"}, \"devDependencies\": {\"a\": \"2\"},"
		     " \"c\": {\"other\": 1, \"other\": 2}}");
	assert_string_equal(m.name, "a");
	assert_int_equal(m.deps.n, 2);
	knit_manifest_release(&m);
}

/* --- huge and deep: no crash, bounded work ------------------------------------------------ */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void deep_documents(void **state)
{
	/* nested far past cJSON's limit: refused as malformed, not a stack overflow */
	enum { DEEP = 200000 };
	struct strbuf doc = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addstr(&doc, "{\"c\": ");
	for (int i = 0; i < DEEP; i++)
		strbuf_addch(&doc, '[');
	for (int i = 0; i < DEEP; i++)
		strbuf_addch(&doc, ']');
	strbuf_addch(&doc, '}');
	struct knit_manifest m;
	assert_int_equal(knit_manifest_parse(&m, doc.buf, doc.len, "deep.json", &err), KNIT_EPARSE);
	assert_non_null(strstr(err.buf, ": malformed JSON"));
	assert_int_equal(strncmp(err.buf, "deep.json:1:", 12), 0);
	assert_zeroed(&m);

	/* deep but within the limit: the field's type is still what counts */
	strbuf_reset(&doc);
	strbuf_reset(&err);
	strbuf_addstr(&doc, "{\"description\": ");
	for (int i = 0; i < 900; i++)
		strbuf_addstr(&doc, "{\"a\": ");
	strbuf_addstr(&doc, "1");
	for (int i = 0; i < 900; i++)
		strbuf_addch(&doc, '}');
	strbuf_addch(&doc, '}');
	assert_int_equal(knit_manifest_parse(&m, doc.buf, doc.len, "deep.json", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "deep.json: 'description' must be a string");
	strbuf_release(&doc);
	strbuf_release(&err);
}

static void huge_documents(void **state)
{
	enum { NDEPS = 50000, NSCRIPTS = 20000, NBIN = 2000 };
	struct strbuf doc = STRBUF_INIT, err = STRBUF_INIT;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	/* many entries, a long string: all kept, in order */
	strbuf_addstr(&doc, "{\"description\": \"");
	for (int i = 0; i < 1 << 20; i++)
		strbuf_addch(&doc, 'd');
	strbuf_addstr(&doc, "\", \"dependencies\": {");
	for (int i = 0; i < NDEPS; i++)
		strbuf_addf(&doc, "%s\"p%d\": \"^%d.0.0\"", i ? ", " : "", i, i);
	strbuf_addstr(&doc, "}, \"scripts\": {");
	for (int i = 0; i < NSCRIPTS; i++)
		strbuf_addf(&doc, "%s\"s%d\": \"echo %d\"", i ? ", " : "", i, i);
	strbuf_addstr(&doc, "}, \"bin\": {");
	for (int i = 0; i < NBIN; i++)
		strbuf_addf(&doc, "%s\"b%d\": \"bin/%d\"", i ? ", " : "", i, i);
	strbuf_addstr(&doc, "}, \"c\": {\"sources\": [");
	for (int i = 0; i < NDEPS; i++)
		strbuf_addf(&doc, "%s\"s/%d.c\"", i ? ", " : "", i);
	strbuf_addstr(&doc, "]}}");

	struct knit_manifest m;
	if (knit_manifest_parse(&m, doc.buf, doc.len, "knit.json", &err))
		fail_msg("%s", err.buf);
	assert_int_equal(strlen(m.description), 1 << 20);
	assert_int_equal(m.deps.n, NDEPS);
	assert_string_equal(m.deps.items[NDEPS - 1].name, "p49999");
	assert_string_equal(m.deps.items[NDEPS - 1].range, "^49999.0.0");
	assert_int_equal(m.nscripts, NSCRIPTS);
	assert_string_equal(m.scripts[NSCRIPTS - 1].command, "echo 19999");
	assert_int_equal(m.bin.n, NBIN);
	assert_int_equal(m.c.sources.n, NDEPS);
	knit_manifest_release(&m);

	/* the same size with one bad entry at the very end: found, named */
	strbuf_setlen(&doc, doc.len - 3);
	strbuf_addstr(&doc, ", 7]}}");
	assert_int_equal(knit_manifest_parse(&m, doc.buf, doc.len, "knit.json", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "knit.json: 'c.sources' must be an array of non-empty strings");
	assert_zeroed(&m);

	/* some seconds under the sanitizers; minutes would mean a quadratic step */
	double took = seconds_since(&t0);
	if (took > 30)
		fail_msg("two parses of a %zu-byte knit.json took %.1fs", doc.len, took);
	strbuf_release(&doc);
	strbuf_release(&err);
}

/*
 * bin and c.pkgconfig are small maps with linear lookups; a hostile
 * package.json with 100,000 commands took half a minute to read when each
 * entry looked for an earlier one. Repeated names are refused before the
 * entries go in, so each is appended: this is a fraction of a second.
 */
static void huge_maps(void **state)
{
	enum { N = 100000 };
	struct strbuf doc = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addstr(&doc, "{\"bin\": {");
	for (int i = 0; i < N; i++)
		strbuf_addf(&doc, "%s\"b%d\": \"bin/%d\"", i ? ", " : "", i, i);
	strbuf_addstr(&doc, "}, \"c\": {\"pkgconfig\": {");
	for (int i = 0; i < N; i++)
		strbuf_addf(&doc, "%s\"m%d\": \">=%d\"", i ? ", " : "", i, i);
	strbuf_addstr(&doc, "}}}");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct knit_manifest m;
	if (knit_manifest_parse(&m, doc.buf, doc.len, "package.json", &err))
		fail_msg("%s", err.buf);
	double took = seconds_since(&t0);
	assert_int_equal(m.bin.n, N);
	assert_int_equal(m.c.pkgconfig.n, N);
	assert_string_equal(m.bin.items[N - 1].key, "b99999");
	assert_string_equal(m.bin.items[N - 1].value, "bin/99999");
	assert_string_equal(m.c.pkgconfig.items[0].key, "m0");
	assert_string_equal(knit_strmap_get(&m.c.pkgconfig, "m4242"), ">=4242");
	knit_manifest_release(&m);
	/* a second or two under the sanitizers; the quadratic reading took a minute without them */
	if (took > 20)
		fail_msg("a %zu-byte package.json with %d commands and modules took %.1fs", doc.len, N, took);

	/* one name repeated at the far end is still found */
	strbuf_setlen(&doc, doc.len - 3);
	strbuf_addstr(&doc, ", \"m7\": \"1\"}}}");
	assert_int_equal(knit_manifest_parse(&m, doc.buf, doc.len, "package.json", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package.json: 'c.pkgconfig' has 'm7' twice");
	strbuf_release(&doc);
	strbuf_release(&err);
}

/* --- from files ---------------------------------------------------------------------------- */

static void read_files(void **state)
{
	char path[512];
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;

	snprintf(path, sizeof(path), "%s/missing/knit.json", tmp);
	memset(&m, 0xa5, sizeof(m)); /* read zeroes the manifest even when it fails */
	assert_int_equal(knit_manifest_read(&m, path, &err), KNIT_ENOTFOUND);
	assert_zeroed(&m);
	knit_manifest_release(&m); /* releasing it is harmless */

	write_file(tmp, "ok/knit.json", "{\"name\": \"ok\", \"version\": \"0.1.0\"}\n");
	snprintf(path, sizeof(path), "%s/ok/knit.json", tmp);
	assert_int_equal(knit_manifest_read(&m, path, &err), 0);
	assert_string_equal(m.name, "ok");
	assert_string_equal(m.version, "0.1.0");
	knit_manifest_release(&m);

	/* the message names the path it was given */
	write_file(tmp, "bad/knit.json", "{\n\"name\": 1\n}\n");
	snprintf(path, sizeof(path), "%s/bad/knit.json", tmp);
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read(&m, path, &err), KNIT_EPARSE);
	char want[600];
	snprintf(want, sizeof(want), "%s: 'name' must be a string", path);
	assert_string_equal(err.buf, want);

	/* a folder where the file should be: an I/O error, with a message */
	snprintf(path, sizeof(path), "%s/dir.json", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read(&m, path, &err), KNIT_EIO);
	assert_non_null(strstr(err.buf, path));
	assert_zeroed(&m);
	strbuf_release(&err);
}

static void read_package_order(void **state)
{
	char dir[400];
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;

	/* both: knit.json wins */
	snprintf(dir, sizeof(dir), "%s/both", tmp);
	write_file(dir, "knit.json", "{\"name\": \"from-knit\", \"c\": {\"sources\": [\"a.c\"]}}");
	write_file(dir, "package.json", "{\"name\": \"from-package\"}");
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'x@1.0.0'", &err), 0);
	assert_string_equal(m.name, "from-knit");
	assert_true(m.c.has_sources);
	knit_manifest_release(&m);

	/* only package.json */
	snprintf(dir, sizeof(dir), "%s/npm", tmp);
	write_file(dir, "package.json", "{\"name\": \"from-package\", \"version\": \"2.0.0\"}");
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'x@1.0.0'", &err), 0);
	assert_string_equal(m.name, "from-package");
	assert_string_equal(m.version, "2.0.0");
	assert_false(m.c.has_sources);
	knit_manifest_release(&m);

	/* neither: an empty manifest, the conventions apply */
	snprintf(dir, sizeof(dir), "%s/bare", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'x@1.0.0'", &err), 0);
	assert_zeroed(&m);
	knit_manifest_release(&m);
	assert_int_equal(err.len, 0);

	/* a broken knit.json is an error, not a reason to read package.json */
	snprintf(dir, sizeof(dir), "%s/broken", tmp);
	write_file(dir, "knit.json", "{\"name\": \"b\",");
	write_file(dir, "package.json", "{\"name\": \"b\"}");
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'b@1.0.0'", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'b@1.0.0': knit.json:1:13: malformed JSON");
	assert_zeroed(&m);
	strbuf_release(&err);
}

/* Errors name the package and the file; the store's path means nothing to the user. */
static void read_package_labels(void **state)
{
	char dir[400];
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;

	snprintf(dir, sizeof(dir), "%s/store/ab/cdef0123", tmp);
	write_file(dir, "knit.json", "{\"c\": {\"link\": \"m\"}}");
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'libfoo@1.2.0'", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'libfoo@1.2.0': knit.json: 'c.link' must be an array of strings");
	assert_zeroed(&m);

	snprintf(dir, sizeof(dir), "%s/store/ab/cdef4567", tmp);
	write_file(dir, "package.json", "{\n  \"name\": \"libfoo\",\n  \"version\": 1\n}\n");
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'libfoo@1.2.0'", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'libfoo@1.2.0': package.json: 'version' must be a string");

	write_file(dir, "package.json", "{\n  \"name\": \"libfoo\"\n  \"version\": \"1.2.0\"\n}\n");
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'libfoo@1.2.0'", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'libfoo@1.2.0': package.json:3:3: malformed JSON");
	strbuf_release(&err);
}

/*
 * A knit.json that cannot be read (here a folder by that name, as a
 * hostile tarball can ship) fails with an I/O error whose message still
 * names the package and the file in place of the store path.
 */
static void read_package_unreadable(void **state)
{
	char dir[400], sub[450];
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;
	snprintf(dir, sizeof(dir), "%s/store/12/3456789abcdef", tmp);
	snprintf(sub, sizeof(sub), "%s/knit.json", dir);
	assert_int_equal(knit_make_parents(sub), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'libfoo@1.2.0'", &err), KNIT_EIO);
	assert_string_equal(err.buf, "package 'libfoo@1.2.0': cannot read 'knit.json': Is a directory");
	assert_zeroed(&m);

	/* the same for package.json, when there is no knit.json */
	snprintf(dir, sizeof(dir), "%s/store/12/456789abcdef0", tmp);
	snprintf(sub, sizeof(sub), "%s/package.json", dir);
	assert_int_equal(knit_make_parents(sub), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read_package(&m, dir, "package 'libfoo@1.2.0'", &err), KNIT_EIO);
	assert_string_equal(err.buf, "package 'libfoo@1.2.0': cannot read 'package.json': Is a directory");
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_field),
		cmocka_unit_test(empty_and_absent),
		cmocka_unit_test(bin_forms),
		cmocka_unit_test(wrong_types),
		cmocka_unit_test(build_fields),
		cmocka_unit_test(bad_names),
		cmocka_unit_test(control_characters),
		cmocka_unit_test(hostile_text_in_messages),
		cmocka_unit_test(malformed_json),
		cmocka_unit_test(duplicate_keys),
		cmocka_unit_test(deep_documents),
		cmocka_unit_test(huge_documents),
		cmocka_unit_test(huge_maps),
		cmocka_unit_test_setup_teardown(read_files, setup, teardown),
		cmocka_unit_test_setup_teardown(read_package_order, setup, teardown),
		cmocka_unit_test_setup_teardown(read_package_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(read_package_unreadable, setup, teardown),
	};
	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
