/*
 * util/glob and project/buildfiles: globs with ** over a real folder, scoped
 * names as target names, and the generated files' content for a small graph.
 */
#include "buildfiles_check.h"
#include "conformance.h"
#include "project/buildfiles.h"
#include "project/manifest.h"
#include "project/syslibs.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/tree.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/knit-buildfiles-XXXXXX";

static void sh(const char *script)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cd %s && %s", tmp, script);
	assert_int_equal(system(cmd), 0);
}

/* The regular files of the globs test's folder, as its store index would list them. */
static const char *const g_files[] = { "include/x.h", "root.c", "src/.dot.c", "src/.hid/no.c", "src/a/b/deep.c",
				       "src/a/b/deep.h", "src/a/mid.c", "src/top.c" };

/* What knit_glob finds, joined; knit_glob_files must find the same in the list of the folder's files. */
static void joined(const char *dir, const char *pattern, char *out, size_t size)
{
	struct knit_paths p = { 0 }, listed = { 0 };
	knit_glob(dir, pattern, &p);
	knit_glob_files(g_files, sizeof(g_files) / sizeof(g_files[0]), pattern, &listed);
	out[0] = '\0';
	assert_int_equal(listed.n, p.n);
	for (size_t i = 0; i < p.n; i++) {
		assert_string_equal(listed.items[i], p.items[i]);
		strncat(out, p.items[i], size - strlen(out) - 2);
		strcat(out, " ");
	}
	knit_paths_release(&p);
	knit_paths_release(&listed);
}

static void globs(void **state)
{
	sh("mkdir -p g/src/a/b g/src/.hid g/include && touch g/src/top.c g/src/a/mid.c g/src/a/b/deep.c "
	   "g/src/a/b/deep.h g/src/.hid/no.c g/src/.dot.c g/include/x.h g/root.c && "
	   "ln -s /etc g/src/link && mkdir g/src/dir.c");
	char dir[256], got[1024];
	snprintf(dir, sizeof(dir), "%s/g", tmp);
	joined(dir, "src/**/*.c", got, sizeof(got));
	assert_string_equal(got, "src/a/b/deep.c src/a/mid.c src/top.c ");
	joined(dir, "src/*.c", got, sizeof(got));
	assert_string_equal(got, "src/top.c ");
	joined(dir, "./src/a/*/*.[ch]", got, sizeof(got));
	assert_string_equal(got, "src/a/b/deep.c src/a/b/deep.h ");
	joined(dir, "src/.*.c", got, sizeof(got));
	assert_string_equal(got, "src/.dot.c ");
	joined(dir, "**/*.h", got, sizeof(got));
	assert_string_equal(got, "include/x.h src/a/b/deep.h ");
	joined(dir, "../*", got, sizeof(got)); /* never leaves the folder */
	assert_string_equal(got, "");
	joined(dir, "/etc/passwd", got, sizeof(got));
	assert_string_equal(got, "");
	joined(dir, "src/link/*", got, sizeof(got)); /* links are not followed */
	assert_string_equal(got, "");
	joined(dir, "**/**/*.c", got, sizeof(got));
	assert_string_equal(got, "root.c src/a/b/deep.c src/a/mid.c src/top.c ");
	joined(dir, "src/**", got, sizeof(got)); /* ** ends in a folder: nothing */
	assert_string_equal(got, "");
	joined(dir, "src/a/**/deep.?", got, sizeof(got));
	assert_string_equal(got, "src/a/b/deep.c src/a/b/deep.h ");
}

/* "**" over a tree 1,500 folders deep: found without recursion */
static void deep_globs(void **state)
{
	test_deep_tree(tmp, "deep/src", 1500, "f.c");
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/deep", tmp);
	struct knit_paths p = { 0 };
	knit_glob(dir, "src/**/*.c", &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(strlen(p.items[0]), strlen("src/") + 1500 * 2 + strlen("f.c"));
	knit_paths_release(&p);
}

static void names(void **state)
{
	struct strbuf out = STRBUF_INIT;
	knit_build_name("@acme/libfoo", &out);
	assert_string_equal(out.buf, "acme.libfoo");
	strbuf_reset(&out);
	knit_build_name("libbar", &out);
	assert_string_equal(out.buf, "libbar");
	strbuf_release(&out);
	assert_string_equal(knit_syslib_debian_package("libuv"), "libuv1-dev");
	assert_string_equal(knit_syslib_debian_package("openssl"), "libssl-dev");
	assert_null(knit_syslib_debian_package("libuv1"));
}

static const char *file(const struct knit_buildfiles *bf, const char *path)
{
	for (size_t i = 0; i < bf->n; i++)
		if (!strcmp(bf->files[i].path.buf, path))
			return bf->files[i].text.buf;
	fail_msg("no %s", path);
	return NULL;
}

static void graph(void **state)
{
	/* a <-> b is a cycle; c is header-only with its own CMake target */
	sh("mkdir -p p/a/src p/b/src p/b/include p/c && touch p/a/src/a.c p/b/src/b.c && "
	   "echo '{\"name\":\"a\",\"c\":{\"defines\":[\"A=1\"],\"link\":[\"m\"]}}' >p/a/knit.json && "
	   "echo '{\"name\":\"@s/b\",\"description\":\"bee\"}' >p/b/package.json && "
	   "echo '{\"c\":{\"cmakeTarget\":\"cee::cee\"}}' >p/c/knit.json");
	char a[256], b[256], c[256];
	snprintf(a, sizeof(a), "%s/p/a", tmp);
	snprintf(b, sizeof(b), "%s/p/b", tmp);
	snprintf(c, sizeof(c), "%s/p/c", tmp);
	struct knit_deps da = { 0 }, db = { 0 }, direct = { 0 };
	knit_deps_add(&da, "@s/b", "^1");
	knit_deps_add(&db, "a", "^1");
	knit_deps_add(&direct, "a", "^1");
	knit_deps_add(&direct, "c", "^1");
	struct knit_manifest ma, mb, mc;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_manifest_read_package(&ma, a, "a", &err), 0);
	assert_int_equal(knit_manifest_read_package(&mb, b, "b", &err), 0);
	assert_int_equal(knit_manifest_read_package(&mc, c, "c", &err), 0);
	struct knit_build_pkg pkgs[] = {
		{ "c", "3.0.0", c, NULL, &mc, NULL, 0 }, { "a", "1.0.0", a, &da, &ma, NULL, 0 }, { "@s/b", "2.0.0", b, &db, &mb, NULL, 0 },
	};
	struct knit_buildfiles bf;
	assert_int_equal(knit_buildfiles_make(&bf, NULL, pkgs, 3, &direct, 1, &err), 0);
	const char *cm = file(&bf, "knit.cmake");
	/* every package comes from its prefix, which configuring builds */
	assert_non_null(strstr(cm, "execute_process(COMMAND \"${KNIT_EXECUTABLE}\" build --deps"));
	assert_non_null(strstr(cm, "add_library(knit_a INTERFACE)\ninclude(\"${KNIT_DEPS_DIR}/.build/pkg/a/link.cmake\")\n"));
	assert_non_null(strstr(cm, "target_link_libraries(knit_a INTERFACE knit::s.b)"));
	assert_non_null(strstr(cm, "target_link_libraries(knit_s.b INTERFACE knit::a)"));
	assert_non_null(strstr(cm, "include(\"${KNIT_DEPS_DIR}/.build/pkg/c/link.cmake\")"));
	assert_null(strstr(cm, "add_subdirectory")); /* c.cmakeTarget is the cmake kind now */
	assert_non_null(strstr(cm, "target_link_libraries(knit_deps INTERFACE knit::a knit::c)"));
	const char *mk = file(&bf, "knit.mk");
	assert_non_null(strstr(mk, "include $(KNIT_BUILD_DIR)/pkg/s.b/link.mk\n"));
	assert_non_null(strstr(mk, "$(KNIT_CFLAGS_a)"));
	assert_non_null(strstr(mk, "$(KNIT_LDLIBS_s.b)"));
	/* including knit.mk first leaves the Makefile's default goal alone */
	assert_non_null(strstr(mk, "knit_default_goal := $(.DEFAULT_GOAL)\n"));
	assert_non_null(strstr(mk, "\n.DEFAULT_GOAL := $(knit_default_goal)\n"));
	assert_int_equal(bf.n, 2); /* knit build writes the .pc files and knit.env */
	/* a package whose pkg-config name the project takes from the system: both named */
	struct knit_strmap sys = { 0 };
	knit_strmap_set(&sys, "s.b", ">=1");
	struct knit_buildfiles twin;
	assert_int_equal(knit_buildfiles_make(&twin, &sys, pkgs, 3, &direct, 1, &err), KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "knit.json takes the library 's.b' from the system (c.pkgconfig), and the package "
				     "'@s/b@2.0.0' provides it too: a program would link two copies of one library; drop one of them");
	knit_buildfiles_release(&twin);
	knit_strmap_release(&sys);
	strbuf_reset(&err);
	/* the same text whatever order the packages come in */
	struct knit_build_pkg swapped[] = { pkgs[2], pkgs[0], pkgs[1] };
	struct knit_buildfiles bf2;
	assert_int_equal(knit_buildfiles_make(&bf2, NULL, swapped, 3, &direct, 1, &err), 0);
	assert_int_equal(bf.n, bf2.n);
	for (size_t i = 0; i < bf.n; i++)
		assert_string_equal(bf.files[i].text.buf, file(&bf2, bf.files[i].path.buf));
	knit_buildfiles_release(&bf);
	knit_buildfiles_release(&bf2);

	/* a bad c section names the package and makes nothing */
	sh("echo '{\"c\":{\"include\":[\"../../etc\"]}}' >p/c/knit.json");
	knit_manifest_release(&mc);
	assert_int_equal(knit_manifest_read_package(&mc, c, "c", &err), 0);
	assert_int_equal(knit_buildfiles_make(&bf, NULL, pkgs, 3, &direct, 1, &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'c@3.0.0': 'c.include' entry '../../etc' leaves the package");
	assert_int_equal(bf.n, 0);

	/* an include folder that is a link out of the package, named or by convention */
	sh("ln -s ../../.. p/c/inc && echo '{\"c\":{\"include\":[\"inc\"]}}' >p/c/knit.json");
	knit_manifest_release(&mc);
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read_package(&mc, c, "c", &err), 0);
	assert_int_equal(knit_buildfiles_make(&bf, NULL, pkgs, 3, &direct, 1, &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'c@3.0.0': 'c.include' entry 'inc' leaves the package");
	sh("rm p/b/include/.keep 2>/dev/null; rmdir p/b/include && ln -s /usr/include p/b/include");
	sh("echo '{\"c\":{\"cmakeTarget\":\"cee::cee\"}}' >p/c/knit.json");
	knit_manifest_release(&mc);
	strbuf_reset(&err);
	assert_int_equal(knit_manifest_read_package(&mc, c, "c", &err), 0);
	assert_int_equal(knit_buildfiles_make(&bf, NULL, pkgs, 3, &direct, 1, &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package '@s/b@2.0.0': its 'include' folder is a link that leaves the package");
	strbuf_release(&err);
	knit_deps_release(&da);
	knit_deps_release(&db);
	knit_deps_release(&direct);
	knit_manifest_release(&ma);
	knit_manifest_release(&mb);
	knit_manifest_release(&mc);
}

/* One package "h" in tmp/h with the knit.json text given; the make's result, its files in *bf. */
static int make_one(const char *json, struct knit_manifest *m, struct knit_buildfiles *bf, struct strbuf *err)
{
	char dir[256], path[300];
	snprintf(dir, sizeof(dir), "%s/h", tmp);
	snprintf(path, sizeof(path), "%s/knit.json", dir);
	sh("rm -rf h && mkdir -p h/src && touch h/src/h.c");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	memset(bf, 0, sizeof(*bf));
	int rc = knit_manifest_read_package(m, dir, "package 'h@1.0.0'", err);
	if (rc)
		return rc;
	struct knit_build_pkg pkg = { "h", "1.0.0", dir, NULL, m, NULL, 0 };
	return knit_buildfiles_make(bf, NULL, &pkg, 1, NULL, 0, err);
}

static void hostile(void **state)
{
	struct knit_manifest m;
	struct knit_buildfiles bf;
	struct strbuf err = STRBUF_INIT, why = STRBUF_INIT, deps = STRBUF_INIT;
	char *abs = realpath(tmp, NULL);
	strbuf_addf(&deps, "%s/deps", abs);
	free(abs);
	/* legitimate values full of shell, Make, CMake and pkg-config syntax: each reads back whole */
	int rc = make_one("{\"c\": {\"include\": [\"inc dir\", \".\", \"a'b\"], \"defines\": [\"Q=\\\"a b\\\"\", "
			  "\"S=x;touch M\", \"B=`touch M`\", \"K=a[0][==[x;y]==]\", \"P='p'\", \"V=|&<>*?{a,b}~!\", "
			  "\"E=\"], \"cflags\": [\"-DPRIV=`id`;id\", \"-Da  b\", \"~x\"]}}", &m, &bf, &err);
	assert_int_equal(rc, 0);
	struct knit_consumer c;
	knit_check_consumer_of("h", &m, deps.buf, &c);
	if (knit_check_built("h", "1.0.0", &c, deps.buf, &why))
		fail_msg("%s", why.buf);
	knit_consumer_release(&c);
	knit_buildfiles_release(&bf);
	/* a version from a tampered knit.lock stays on its comment or field line */
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/h", tmp);
	struct knit_build_pkg odd = { "h", "1.0.0\nall:;id\r\nCflags: -DX", dir, NULL, &m, NULL, 0 };
	assert_int_equal(knit_buildfiles_make(&bf, NULL, &odd, 1, NULL, 0, &err), 0);
	for (size_t i = 0; i < bf.n; i++) {
		assert_null(strstr(bf.files[i].text.buf, "\nall:"));
		assert_null(strstr(bf.files[i].text.buf, "\nCflags: -DX"));
	}
	knit_buildfiles_release(&bf);
	knit_manifest_release(&m);

	/* refused, one line naming the package, the field and the value */
	static const struct { const char *json, *msg; } bad[] = {
		{ "{\"c\": {\"defines\": [\"A=1\\nB\"]}}",
		  "package 'h@1.0.0': knit.json: 'c.defines' entry 'A=1\\nB' holds a control character" },
		{ "{\"c\": {\"cmakeTarget\": \"t\\u007f\"}}",
		  "package 'h@1.0.0': knit.json: 'c.cmakeTarget' entry 't\\x7f' holds a control character" },
		{ "{\"c\": {\"defines\": [\"X=$(shell id)\"]}}",
		  "package 'h@1.0.0': 'c.defines' entry 'X=$(shell id)' holds '$', which build files cannot carry" },
		{ "{\"c\": {\"cflags\": [\"-DX=a#b\"]}}",
		  "package 'h@1.0.0': 'c.cflags' entry '-DX=a#b' holds '#', which build files cannot carry" },
		{ "{\"c\": {\"link\": [\"m\\\\\"]}}",
		  "package 'h@1.0.0': 'c.link' entry 'm\\\\' holds '\\', which build files cannot carry" },
		{ "{\"c\": {\"cflags\": [\"@opts.txt\"]}}",
		  "package 'h@1.0.0': 'c.cflags' entry '@opts.txt' (@) would make the compiler run or load a "
		  "program, or read options from a file" },
		{ "{\"c\": {\"include\": [\"a]b[\"]}}",
		  "package 'h@1.0.0': 'c.include' entry 'a]b[' holds an unmatched '[' or ']', which CMake lists cannot carry" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		strbuf_reset(&err);
		assert_int_equal(make_one(bad[i].json, &m, &bf, &err), KNIT_EPARSE);
		assert_string_equal(err.buf, bad[i].msg);
		assert_int_equal(bf.n, 0);
		knit_manifest_release(&m);
	}
	/* a source file knit.mk cannot name */
	strbuf_reset(&err);
	sh("rm -rf h && mkdir -p h/src && touch 'h/src/a;id;.c' && echo '{}' >h/knit.json");
	assert_int_equal(knit_manifest_read_package(&m, dir, "h", &err), 0);
	struct knit_build_pkg pkg = { "h", "1.0.0", dir, NULL, &m, NULL, 0 };
	assert_int_equal(knit_buildfiles_make(&bf, NULL, &pkg, 1, NULL, 0, &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'h@1.0.0': source file 'src/a;id;.c' has a name deps/knit.mk "
				     "cannot carry (letters, digits and . _ - + only)");
	knit_manifest_release(&m);
	strbuf_release(&err);
	strbuf_release(&why);
	strbuf_release(&deps);
}

/* The readers catch what the old writers wrote: the checks above can fail. */
static void checkers(void **state)
{
	struct knit_paths w = { 0 };
	struct strbuf why = STRBUF_INIT, v = STRBUF_INIT;
	const char *s = "-DS=x;touch M";
	assert_int_equal(knit_check_sh_words(s, strlen(s), &w, &why), -1);
	s = "-DQ='a b' \\$x \"c d\"";
	assert_int_equal(knit_check_sh_words(s, strlen(s), &w, &why), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.items[0], "-DQ=a b");
	assert_string_equal(w.items[1], "$x");
	assert_string_equal(w.items[2], "c d");
	knit_paths_release(&w);
	s = " -DX=$(shell id)";
	assert_int_equal(knit_check_make_value(s, strlen(s), &v, &why), -1);
	s = " -DX=1 # comment";
	assert_int_equal(knit_check_make_value(s, strlen(s), &v, &why), -1);
	strbuf_reset(&v);
	s = " -I$(KNIT_DEPS_DIR)/a '$$x' \\#";
	assert_int_equal(knit_check_make_value(s, strlen(s), &v, &why), 0);
	assert_string_equal(v.buf, " -I@D@/a '$x' #");
	assert_int_equal(knit_check_cmake_args("t PUBLIC \"A=x;y\")", &w, &why), -1);
	knit_paths_release(&w);
	assert_int_equal(knit_check_cmake_args("t PUBLIC \"W=a\\\\\")", &w, &why), -1);
	knit_paths_release(&w);
	assert_int_equal(knit_check_cmake_args("t PUBLIC \"K=]==]\")", &w, &why), -1);
	knit_paths_release(&w);
	assert_int_equal(knit_check_cmake_args("t PUBLIC \"${X}\")", &w, &why), -1);
	knit_paths_release(&w);
	assert_int_equal(knit_check_cmake_args("t PUBLIC \"${KNIT_DEPS_DIR}/a\" \"A=x\\;y \\\"q\\\"\")", &w, &why), 0);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.items[2], "@D@/a");
	assert_string_equal(w.items[3], "A=x;y \"q\"");
	knit_paths_release(&w);
	s = "-DA=b c";
	assert_int_equal(knit_check_pc_args(s, strlen(s), &w, &why), 0);
	assert_int_equal(w.n, 2);
	knit_paths_release(&w);
	s = "-DA=$(id)";
	assert_int_equal(knit_check_pc_args(s, strlen(s), &w, &why), -1);
	knit_paths_release(&w);
	s = "-I${prefix}/a\\ b -DA=\\;";
	assert_int_equal(knit_check_pc_args(s, strlen(s), &w, &why), 0);
	assert_string_equal(w.items[0], "-I@P@/a b");
	assert_string_equal(w.items[1], "-DA=;");
	knit_paths_release(&w);
	strbuf_release(&why);
	strbuf_release(&v);
}

static int setup(void **state) { return mkdtemp(tmp) ? 0 : -1; }
static int teardown(void **state) { return knit_remove_tree(tmp); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(globs),
		cmocka_unit_test(deep_globs),
		cmocka_unit_test(names),
		cmocka_unit_test(graph),
		cmocka_unit_test(hostile),
		cmocka_unit_test(checkers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
