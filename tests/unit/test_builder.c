/*
 * builder/: tiny upstream-shaped projects (CMake, Meson, autotools, Make)
 * built into prefixes of their own, a dependency's prefix visible to the
 * package that needs it, detection order, a failing configure (message,
 * log, exit status) and a missing tool named with its Debian package.
 * A kind whose tools this machine lacks is skipped with a message.
 */
#include "conformance.h"
#include "builder/builder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static void put(const char *rel, const char *text)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	bool changed;
	strbuf_addf(&path, "%s/%s", root, rel);
	if (knit_make_parents(path.buf) || knit_write_file_atomic(path.buf, text, strlen(text), &changed, &err))
		fail_msg("cannot write %s: %s", path.buf, err.buf);
	strbuf_release(&path);
	strbuf_release(&err);
}

static bool there(const char *rel)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return !access(path, F_OK);
}

static const char add_c[] = "#include \"add.h\"\nint add(int a, int b) { return a + b; }\n";
static const char add_h[] = "int add(int a, int b);\n";

/* Builds <root>/src/<name> of kind into <root>/prefix/<name>; deps are names already built. */
static int build(const char *name, enum knit_build_kind kind, const char *const *deps, size_t ndeps,
		 const char *const *options, size_t noptions, struct knit_build_failure *fail, struct strbuf *err)
{
	char src[512], work[512], prefix[512], log[512], dep_prefix[4][512];
	const char *dp[4];
	snprintf(src, sizeof(src), "%s/src/%s", root, name);
	snprintf(work, sizeof(work), "%s/work/%s", root, name);
	snprintf(prefix, sizeof(prefix), "%s/prefix/%s", root, name);
	snprintf(log, sizeof(log), "%s/log/%s.log", root, name);
	for (size_t i = 0; i < ndeps; i++) {
		snprintf(dep_prefix[i], sizeof(dep_prefix[i]), "%s/prefix/%s", root, deps[i]);
		dp[i] = dep_prefix[i];
	}
	struct knit_build_req req = { .name = name, .version = "1.0.0", .kind = kind, .src_dir = src,
				      .work_dir = work, .prefix = prefix, .log_path = log, .options = options,
				      .noptions = noptions, .dep_prefixes = dp, .ndeps = ndeps, .jobs = 2 };
	strbuf_reset(err);
	return knit_build_run(&req, fail, err);
}

static bool can(enum knit_build_kind kind, const char *rel)
{
	struct strbuf err = STRBUF_INIT;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", root, rel);
	bool ok = !knit_build_tools_check(kind, dir, &err);
	if (!ok)
		print_message("skipped: %s\n", err.buf);
	strbuf_release(&err);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/knit-test-builder-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	knit_remove_tree(root);
	return 0;
}

static void test_kind_names_and_detection(void **state)
{
	(void)state;
	enum knit_build_kind k;
	assert_int_equal(knit_build_kind_parse("meson", &k), 0);
	assert_int_equal(k, KNIT_BUILD_MESON);
	assert_string_equal(knit_build_kind_name(KNIT_BUILD_AUTOTOOLS), "autotools");
	assert_int_equal(knit_build_kind_parse("scons", &k), KNIT_EINVALID_ARG);
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/detect", root);
	put("detect/src/x.c", "int x;\n");
	assert_int_equal(knit_build_detect(dir), KNIT_BUILD_SOURCES);
	put("detect/Makefile", "all:\n");
	assert_int_equal(knit_build_detect(dir), KNIT_BUILD_MAKE);
	put("detect/configure.ac", "AC_INIT([x],[1])\n");
	assert_int_equal(knit_build_detect(dir), KNIT_BUILD_AUTOTOOLS);
	put("detect/meson.build", "project('x', 'c')\n");
	assert_int_equal(knit_build_detect(dir), KNIT_BUILD_MESON);
	put("detect/CMakeLists.txt", "project(x C)\n");
	assert_int_equal(knit_build_detect(dir), KNIT_BUILD_CMAKE);
}

/* CMake: a library with a .pc file and a CMake package; a second one finds it through find_package. */
static void test_cmake_with_dependency(void **state)
{
	(void)state;
	if (!can(KNIT_BUILD_CMAKE, "."))
		skip();
	struct knit_build_failure fail;
	struct strbuf err = STRBUF_INIT;
	put("src/cadd/add.c", add_c);
	put("src/cadd/add.h", add_h);
	put("src/cadd/cadd.pc.in", "prefix=@CMAKE_INSTALL_PREFIX@\nName: cadd\nDescription: add\nVersion: 1.0.0\n"
				   "Cflags: -I${prefix}/include\nLibs: -L${prefix}/lib -lcadd\n");
	put("src/cadd/CMakeLists.txt",
	    "cmake_minimum_required(VERSION 3.13)\nproject(cadd C)\n"
	    "add_library(cadd add.c)\n"
	    "target_include_directories(cadd PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}> $<INSTALL_INTERFACE:include>)\n"
	    "install(TARGETS cadd EXPORT cadd ARCHIVE DESTINATION lib LIBRARY DESTINATION lib)\n"
	    "install(FILES add.h DESTINATION include)\n"
	    "install(EXPORT cadd NAMESPACE cadd:: DESTINATION lib/cmake/cadd FILE cadd-config.cmake)\n"
	    "configure_file(cadd.pc.in cadd.pc @ONLY)\n"
	    "install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cadd.pc DESTINATION lib/pkgconfig)\n");
	if (build("cadd", KNIT_BUILD_CMAKE, NULL, 0, NULL, 0, &fail, &err))
		fail_msg("%s", err.buf);
	assert_true(there("prefix/cadd/lib/libcadd.a")); /* static by default */
	assert_true(there("prefix/cadd/include/add.h"));
	assert_true(there("prefix/cadd/lib/pkgconfig/cadd.pc"));
	assert_true(there("prefix/cadd/lib/cmake/cadd/cadd-config.cmake"));

	put("src/ctwice/twice.c", "#include <add.h>\nint twice(int a) { return add(a, a); }\n");
	put("src/ctwice/CMakeLists.txt",
	    "cmake_minimum_required(VERSION 3.13)\nproject(ctwice C)\n"
	    "find_package(cadd REQUIRED)\noption(TWICE_FAIL \"\" OFF)\n"
	    "if(TWICE_FAIL)\n  message(FATAL_ERROR \"asked to fail\")\nendif()\n"
	    "add_library(ctwice twice.c)\ntarget_link_libraries(ctwice PUBLIC cadd::cadd)\n"
	    "install(TARGETS ctwice ARCHIVE DESTINATION lib)\n");
	const char *deps[] = { "cadd" };
	if (build("ctwice", KNIT_BUILD_CMAKE, deps, 1, NULL, 0, &fail, &err))
		fail_msg("%s", err.buf);
	assert_true(there("prefix/ctwice/lib/libctwice.a"));

	/* c.options reach the configure step; a configure failure says which step, the status and the log */
	const char *opts[] = { "-DTWICE_FAIL=ON" };
	int rc = build("ctwice", KNIT_BUILD_CMAKE, deps, 1, opts, 1, &fail, &err);
	assert_int_equal(rc, KNIT_EIO);
	assert_string_equal(fail.step, "configure");
	assert_int_equal(fail.exit_code, 1);
	char want[600];
	snprintf(want, sizeof(want), "ctwice 1.0.0: cmake configure failed (exit 1); see %s/log/ctwice.log", root);
	assert_string_equal(err.buf, want);
	struct strbuf tail = STRBUF_INIT;
	snprintf(want, sizeof(want), "%s/log/ctwice.log", root);
	knit_build_log_tail(want, 20, &tail);
	assert_non_null(strstr(tail.buf, "asked to fail"));
	strbuf_release(&tail);
	strbuf_release(&err);
}

static void test_meson(void **state)
{
	(void)state;
	if (!can(KNIT_BUILD_MESON, "."))
		skip();
	struct knit_build_failure fail;
	struct strbuf err = STRBUF_INIT;
	put("src/madd/add.c", add_c);
	put("src/madd/add.h", add_h);
	put("src/madd/meson.build", "project('madd', 'c', version: '1.0.0')\n"
				    "lib = library('madd', 'add.c', install: true)\n"
				    "install_headers('add.h')\n"
				    "import('pkgconfig').generate(lib)\n");
	if (build("madd", KNIT_BUILD_MESON, NULL, 0, NULL, 0, &fail, &err))
		fail_msg("%s", err.buf);
	assert_true(there("prefix/madd/lib/libmadd.a"));
	assert_true(there("prefix/madd/include/add.h"));
	assert_true(there("prefix/madd/lib/pkgconfig/madd.pc"));
	strbuf_release(&err);
}

/* autotools from configure.ac alone (autoreconf -fi), finding a dependency through CPPFLAGS/LDFLAGS. */
static void test_autotools_from_configure_ac(void **state)
{
	(void)state;
	put("src/aadd/configure.ac", "AC_INIT([aadd],[1.0.0])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\n"
				     "AM_PROG_AR\nLT_INIT\nAC_CHECK_HEADER([add.h],,[AC_MSG_ERROR([no add.h])])\n"
				     "AC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n");
	put("src/aadd/Makefile.am", "lib_LTLIBRARIES = libaadd.la\nlibaadd_la_SOURCES = three.c\n"
				    "include_HEADERS = three.h\n");
	put("src/aadd/three.c", "#include <add.h>\nint three(int a) { return add(a, add(a, a)); }\n");
	put("src/aadd/three.h", "int three(int a);\n");
	if (!can(KNIT_BUILD_AUTOTOOLS, "src/aadd") || !can(KNIT_BUILD_CMAKE, "."))
		skip();
	struct knit_build_failure fail;
	struct strbuf err = STRBUF_INIT;
	const char *deps[] = { "cadd" };
	if (!there("prefix/cadd/include/add.h"))
		skip(); /* built by test_cmake_with_dependency */
	if (build("aadd", KNIT_BUILD_AUTOTOOLS, deps, 1, NULL, 0, &fail, &err))
		fail_msg("%s", err.buf);
	assert_true(there("prefix/aadd/lib/libaadd.a"));
	assert_false(there("prefix/aadd/lib/libaadd.so")); /* --disable-shared */
	assert_true(there("prefix/aadd/include/three.h"));
	assert_false(there("src/aadd/configure")); /* the sources stay as they were */
	strbuf_release(&err);
}

/* Plain Make: PREFIX is knit's, c.options are variables. */
static void test_make(void **state)
{
	(void)state;
	if (!can(KNIT_BUILD_MAKE, "."))
		skip();
	put("src/kadd/add.c", add_c);
	put("src/kadd/add.h", add_h);
	put("src/kadd/Makefile", "PREFIX ?= /usr/local\nNAME ?= kadd\n"
				 "lib$(NAME).a: add.o\n\t$(AR) rcs $@ $^\n"
				 "install: lib$(NAME).a\n\tmkdir -p $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include\n"
				 "\tcp lib$(NAME).a $(DESTDIR)$(PREFIX)/lib/\n\tcp add.h $(DESTDIR)$(PREFIX)/include/\n");
	struct knit_build_failure fail;
	struct strbuf err = STRBUF_INIT;
	const char *opts[] = { "NAME=kplus" };
	if (build("kadd", KNIT_BUILD_MAKE, NULL, 0, opts, 1, &fail, &err))
		fail_msg("%s", err.buf);
	assert_true(there("prefix/kadd/lib/libkplus.a"));
	assert_true(there("prefix/kadd/include/add.h"));
	assert_false(there("src/kadd/add.o")); /* built in a copy */
	strbuf_release(&err);
}

/* The sources kind on one request: what a test varies. */
static int build_sources(const char *name, const char *const *sources, size_t nsources, const char *const *include,
			 size_t ninclude, const char *const *defines, size_t ndefines, struct knit_build_failure *fail,
			 struct strbuf *err)
{
	char src[512], work[512], prefix[512], log[512];
	snprintf(src, sizeof(src), "%s/src/%s", root, name);
	snprintf(work, sizeof(work), "%s/work/%s", root, name);
	snprintf(prefix, sizeof(prefix), "%s/prefix/%s", root, name);
	snprintf(log, sizeof(log), "%s/log/%s.log", root, name);
	static const char *const cflags[] = { "-DOWN_FLAG=1" };
	struct knit_build_req req = { .name = name, .version = "1.0.0", .kind = KNIT_BUILD_SOURCES, .src_dir = src,
				      .work_dir = work, .prefix = prefix, .log_path = log, .jobs = 2,
				      .sources = sources, .nsources = nsources, .include = include,
				      .ninclude = ninclude, .defines = defines, .ndefines = ndefines,
				      .cflags = cflags, .ncflags = 1, .lib_name = "knit_s" };
	strbuf_reset(err);
	return knit_build_run(&req, fail, err);
}

/*
 * The sources kind: compiled two at a time with the package's own flags,
 * archived, its headers installed, and a .pc from which every define comes
 * back whole through pkg-config, however odd; a failing compile names the
 * step and the log.
 */
static void test_sources(void **state)
{
	(void)state;
	if (!can(KNIT_BUILD_SOURCES, "."))
		skip();
	struct knit_build_failure fail;
	struct strbuf err = STRBUF_INIT;
	put("src/s/include/s.h", "int s_one(void); int s_two(void);\n");
	put("src/s/include/sub/deep.h", "#define DEEP 1\n");
	put("src/s/lib/one.c", "#include \"s.h\"\n#ifndef OWN_FLAG\n#error no c.cflags\n#endif\nint s_one(void) { return 1; }\n");
	put("src/s/lib/two.c", "#include \"sub/deep.h\"\nint s_two(void) { return DEEP + 1; }\n");
	static const char *const sources[] = { "lib/one.c", "lib/two.c" };
	static const char *const include[] = { "include" };
	static const char *const defines[] = { "Q=\"a b\"", "S=x;touch MARK", "B=`id`", "P='p'", "V=|&<>*?{a,b}~!" };
	int rc = build_sources("s", sources, 2, include, 1, defines, 5, &fail, &err);
	if (rc)
		fail_msg("%s", err.buf);
	assert_true(there("prefix/s/lib/libknit_s.a"));
	assert_true(there("prefix/s/include/s.h"));
	assert_true(there("prefix/s/include/sub/deep.h"));
	assert_true(there("prefix/s/lib/pkgconfig/knit_s.pc"));
	char prefix[512];
	snprintf(prefix, sizeof(prefix), "%s/prefix/s", root);
	struct knit_consumer_req creq = { .prefix = prefix, .log_fd = 2 };
	struct knit_consumer c;
	assert_int_equal(knit_build_consumer(&creq, &c, &err), 0);
	assert_int_equal(c.cflags.n, 5);
	for (size_t i = 0; i < 5; i++) {
		char want[128];
		snprintf(want, sizeof(want), "-D%s", defines[i]);
		assert_string_equal(c.cflags.items[i], want);
	}
	assert_int_equal(c.libraries.n, 1);
	assert_non_null(strstr(c.libraries.items[0], "/prefix/s/lib/libknit_s.a"));
	assert_int_equal(c.include.n, 1);
	knit_consumer_release(&c);

	/* a source that does not compile: the step, the exit status and the log */
	put("src/bad/lib/ok.c", "int ok(void) { return 0; }\n");
	put("src/bad/lib/broken.c", "int broken(void) { return }\n");
	static const char *const bad_sources[] = { "lib/broken.c", "lib/ok.c" };
	rc = build_sources("bad", bad_sources, 2, NULL, 0, NULL, 0, &fail, &err);
	assert_int_equal(rc, KNIT_EIO);
	assert_string_equal(fail.step, "compile");
	assert_non_null(strstr(err.buf, "bad 1.0.0: sources compile failed (exit 1); see "));
	assert_false(there("prefix/bad/lib/libknit_s.a"));
	strbuf_release(&err);
}

/* A build tool that is not there: one line naming it and its Debian package, nothing run. */
static void test_missing_tool(void **state)
{
	(void)state;
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char empty[512], make[600], dir[512];
	snprintf(empty, sizeof(empty), "%s/empty-bin", root);
	snprintf(make, sizeof(make), "%s/make", empty);
	snprintf(dir, sizeof(dir), "%s/src/tcl", root);
	knit_make_dirs(empty);
	/* a tool the package's own build files run: sqlite's Makefile.in runs tclsh */
	put("src/tcl/configure", "#!/bin/sh\n");
	put("src/tcl/Makefile.in", "sqlite3.c: $(TCLSH_CMD) tool/mksqlite3c.tcl\n");
	struct strbuf err = STRBUF_INIT, tcl_err = STRBUF_INIT;
	setenv("PATH", empty, 1);
	int rc = knit_build_tools_check(KNIT_BUILD_MESON, root, &err);
	bool have_make = !symlink("/usr/bin/make", make) && !access(make, X_OK);
	int tcl_rc = have_make ? knit_build_tools_check(KNIT_BUILD_AUTOTOOLS, dir, &tcl_err) : 0;
	if (path)
		setenv("PATH", path, 1);
	free(path);
	assert_int_equal(rc, KNIT_ENOTFOUND);
	assert_string_equal(err.buf, "building with meson needs 'meson', which is not on PATH: apt-get install meson");
	if (have_make) {
		assert_int_equal(tcl_rc, KNIT_ENOTFOUND);
		assert_string_equal(tcl_err.buf, "building it needs 'tclsh' (its Makefile.in runs it), which is not on "
						 "PATH: apt-get install tcl");
	}
	strbuf_release(&err);
	strbuf_release(&tcl_err);
}

/* How many times the fake make of test_tool_cache ran. */
static int runs_of_fake_make(void)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/tools-bin/ran", root);
	FILE *f = fopen(path, "r");
	int n = 0;
	for (int c; f && (c = fgetc(f)) != EOF;)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static void test_tool_cache(void **state)
{
	(void)state;
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char bin[512], fake[600], cache[600], newpath[2048], script[1024];
	snprintf(bin, sizeof(bin), "%s/tools-bin", root);
	snprintf(fake, sizeof(fake), "%s/make", bin);
	snprintf(cache, sizeof(cache), "%s/tools-cache", root);
	snprintf(script, sizeof(script), "#!/bin/sh\necho run >>'%s/ran'\necho 'GNU Make 9.9'\n", bin);
	put("tools-bin/make", script);
	assert_int_equal(chmod(fake, 0755), 0);
	snprintf(newpath, sizeof(newpath), "%s:%s", bin, path ? path : "/usr/bin:/bin");
	setenv("PATH", newpath, 1);
	struct strbuf first = STRBUF_INIT, again = STRBUF_INIT, changed = STRBUF_INIT;
	struct knit_tool_cache *tc = knit_tool_cache_open(cache);
	knit_build_toolchain(KNIT_BUILD_MAKE, tc, &first);
	knit_tool_cache_close(tc);
	int after_first = runs_of_fake_make();
	/* asked again from the file: the tool is not run */
	tc = knit_tool_cache_open(cache);
	knit_build_toolchain(KNIT_BUILD_MAKE, tc, &again);
	knit_tool_cache_close(tc);
	int after_again = runs_of_fake_make();
	/* the tool changed (an upgrade): run again, its new answer */
	snprintf(script, sizeof(script), "#!/bin/sh\necho run >>'%s/ran'\necho 'GNU Make 10.0'\n", bin);
	put("tools-bin/make", script);
	assert_int_equal(chmod(fake, 0755), 0);
	tc = knit_tool_cache_open(cache);
	knit_build_toolchain(KNIT_BUILD_MAKE, tc, &changed);
	knit_tool_cache_close(tc);
	int after_change = runs_of_fake_make();
	if (path)
		setenv("PATH", path, 1);
	free(path);
	assert_int_equal(after_first, 1);
	assert_non_null(strstr(first.buf, "tool make GNU Make 9.9\n"));
	assert_int_equal(after_again, 1);
	assert_string_equal(again.buf, first.buf);
	assert_int_equal(after_change, 2);
	assert_non_null(strstr(changed.buf, "tool make GNU Make 10.0\n"));
	strbuf_release(&first);
	strbuf_release(&again);
	strbuf_release(&changed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names_and_detection),
		cmocka_unit_test(test_cmake_with_dependency),
		cmocka_unit_test(test_meson),
		cmocka_unit_test(test_autotools_from_configure_ac),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_missing_tool),
		cmocka_unit_test(test_tool_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
