/*
 * Test helpers: cmocka's headers in the order it needs, and the loader for
 * ../shared/conformance/ (KNIT_CONFORMANCE_DIR overrides where it is).
 */
#ifndef KNIT_TESTS_CONFORMANCE_H
#define KNIT_TESTS_CONFORMANCE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

/*
 * Whether <dir>/<group> exists (saying SKIPPED and where it looked when
 * not); conformance_require exits CONFORMANCE_SKIPPED (ctest's
 * SKIP_RETURN_CODE for the test) when it does not.
 */
#define CONFORMANCE_SKIPPED 77
bool conformance_present(const char *group);
void conformance_require(const char *group);

/* Parses <dir>/<group>/<file>; NULL (after printing why) when it cannot. */
cJSON *conformance_load(const char *group, const char *file);

/*
 * Makes base/rel/d/d/.../d/leaf, n folders deep, through descriptors (a
 * shell's cd is quadratic at thousands of folders); fails the test if it cannot.
 */
void test_deep_tree(const char *base, const char *rel, int n, const char *leaf);

/* Runs a shell command made from fmt; fails the test if it exits non-zero. */
void test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first line cmd prints, without its newline, into out; fails the test if there is none. */
void test_capture(char *out, size_t size, const char *cmd);

#endif
