/* util/ignore: gitignore(5) semantics, case by case (each checked against git check-ignore). */
#include "conformance.h"
#include "util/ignore.h"

#include <stdlib.h>
#include <string.h>

struct icase {
	const char *rules; /* an ignore file at the top */
	const char *path;
	bool is_dir;
	enum knit_ignore_verdict want;
};

static const struct icase cases[] = {
	{ "*.o\n", "a.o", false, KNIT_IGNORE_EXCLUDED },
	{ "*.o\n", "src/deep/a.o", false, KNIT_IGNORE_EXCLUDED },     /* no slash: any depth */
	{ "*.o\n", "a.c", false, KNIT_IGNORE_NONE },
	{ "/a.o\n", "src/a.o", false, KNIT_IGNORE_NONE },             /* leading slash anchors */
	{ "/a.o\n", "a.o", false, KNIT_IGNORE_EXCLUDED },
	{ "src/*.o\n", "src/a.o", false, KNIT_IGNORE_EXCLUDED },      /* a middle slash anchors */
	{ "src/*.o\n", "lib/src/a.o", false, KNIT_IGNORE_NONE },
	{ "src/*.o\n", "src/x/a.o", false, KNIT_IGNORE_NONE },        /* * stays within a name */
	{ "build/\n", "build", true, KNIT_IGNORE_EXCLUDED },
	{ "build/\n", "build", false, KNIT_IGNORE_NONE },             /* folders only */
	{ "build/\n", "sub/build", true, KNIT_IGNORE_EXCLUDED },
	{ "**/gen\n", "a/b/gen", true, KNIT_IGNORE_EXCLUDED },
	{ "**/gen\n", "gen", true, KNIT_IGNORE_EXCLUDED },
	{ "a/**/z.c\n", "a/z.c", false, KNIT_IGNORE_EXCLUDED },
	{ "a/**/z.c\n", "a/b/c/z.c", false, KNIT_IGNORE_EXCLUDED },
	{ "a/**\n", "a/b/c", false, KNIT_IGNORE_EXCLUDED },
	{ "*\n!keep.c\n", "keep.c", false, KNIT_IGNORE_INCLUDED },    /* the last match decides */
	{ "!keep.c\n*\n", "keep.c", false, KNIT_IGNORE_EXCLUDED },
	{ "# *.c\n\n", "a.c", false, KNIT_IGNORE_NONE },              /* comments and blanks */
	{ "\\#x\n", "#x", false, KNIT_IGNORE_EXCLUDED },
	{ "\\!x\n", "!x", false, KNIT_IGNORE_EXCLUDED },
	{ "*.o   \n", "a.o", false, KNIT_IGNORE_EXCLUDED },           /* trailing spaces go */
	{ "*.o\r\n", "a.o", false, KNIT_IGNORE_EXCLUDED },
	{ "[ab].c\n", "b.c", false, KNIT_IGNORE_EXCLUDED },
	{ "?.c\n", "ab.c", false, KNIT_IGNORE_NONE },
	{ "*\n", ".hidden", false, KNIT_IGNORE_EXCLUDED },            /* * takes dot files too */
};

static void test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct knit_ignore ig = { 0 };
		knit_ignore_add_text(&ig, "", cases[i].rules);
		enum knit_ignore_verdict got = knit_ignore_check(&ig, cases[i].path, cases[i].is_dir);
		if (got != cases[i].want)
			fail_msg("rules [%s] path %s: got %d, want %d", cases[i].rules, cases[i].path, got,
				 cases[i].want);
		knit_ignore_release(&ig);
	}
}

/* A nested ignore file speaks only for its own folder. */
static void test_nested(void **state)
{
	struct knit_ignore ig = { 0 };
	knit_ignore_add_text(&ig, "", "*.tmp\n");
	knit_ignore_add_text(&ig, "include/private", "p.h\n/only-here.h\n!keep.tmp\n");
	assert_int_equal(knit_ignore_check(&ig, "include/private/p.h", false), KNIT_IGNORE_EXCLUDED);
	assert_int_equal(knit_ignore_check(&ig, "include/private/sub/p.h", false), KNIT_IGNORE_EXCLUDED);
	assert_int_equal(knit_ignore_check(&ig, "include/p.h", false), KNIT_IGNORE_NONE);
	assert_int_equal(knit_ignore_check(&ig, "include/private/only-here.h", false), KNIT_IGNORE_EXCLUDED);
	assert_int_equal(knit_ignore_check(&ig, "include/private/sub/only-here.h", false), KNIT_IGNORE_NONE);
	assert_int_equal(knit_ignore_check(&ig, "include/private/keep.tmp", false), KNIT_IGNORE_INCLUDED);
	assert_int_equal(knit_ignore_check(&ig, "keep.tmp", false), KNIT_IGNORE_EXCLUDED);
	assert_int_equal(knit_ignore_check(&ig, "include/privateX/p.h", false), KNIT_IGNORE_NONE);
	knit_ignore_release(&ig);
}

/* knit.json's "files": a pattern takes a file, or a folder and all below it. */
static void test_covers(void **state)
{
	assert_true(knit_ignore_covers("include", "include/a/b.h"));
	assert_true(knit_ignore_covers("include/", "include/b.h"));
	assert_true(knit_ignore_covers("src/*.c", "src/a.c"));
	assert_false(knit_ignore_covers("src/*.c", "src/a.h"));
	assert_true(knit_ignore_covers("*.h", "deep/x.h"));
	assert_true(knit_ignore_covers("/CMakeLists.txt", "CMakeLists.txt"));
	assert_false(knit_ignore_covers("/CMakeLists.txt", "tests/CMakeLists.txt"));
	assert_false(knit_ignore_covers("include", "includes/x.h"));
	assert_false(knit_ignore_covers("!include", "include/x.h"));
	assert_true(knit_ignore_covers("./src", "src/a.c")); /* npm reads "./src" as "src" */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_covers),
	};
	return cmocka_run_group_tests_name("ignore", tests, NULL, NULL);
}
