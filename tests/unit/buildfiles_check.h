/*
 * Readers of the build files knit writes, for the subset it writes, used by
 * tests/unit/test_buildfiles.c and tests/fuzz/fuzz_buildfiles.c to check
 * that every value comes back as exactly one intended value:
 *
 *   link.mk     a Make ":=" assignment ($$, \#, $(KNIT_DEPS_DIR)), then the
 *               words a POSIX shell makes of it (quotes, backslashes;
 *               an unquoted operator, expansion or glob is an error)
 *   knit.env    a shell assignment of one word, whose value is shell words
 *   link.cmake  a command's arguments: quoted ones with CMake's escapes and
 *               ${KNIT_DEPS_DIR}, then split as a CMake list (each argument
 *               must stay one element: no bare ';', balanced brackets, no
 *               trailing backslash), or plain identifiers
 *   .pc         a Cflags field as pkgconf splits it (backslash escapes,
 *               ${prefix}; a bare '$', '#' or quote is an error)
 *
 * In the values read back, $(KNIT_DEPS_DIR) and ${KNIT_DEPS_DIR} read as
 * "@D@", ${prefix} as "@P@".
 */
#ifndef KNIT_TESTS_BUILDFILES_CHECK_H
#define KNIT_TESTS_BUILDFILES_CHECK_H

#include "project/buildfiles.h"
#include "project/manifest.h"
#include "util/glob.h"
#include "util/strbuf.h"

/* The words of s as sh reads them, appended to out. 0, or -1 with the reason in *why. */
int knit_check_sh_words(const char *s, size_t len, struct knit_paths *out, struct strbuf *why);
/* The value of a Make ":=" line's right side, unescaped into *out. 0, or -1 and *why. */
int knit_check_make_value(const char *s, size_t len, struct strbuf *out, struct strbuf *why);
/* The arguments of the CMake command starting at s (after its '('), each one list element. 0 or -1. */
int knit_check_cmake_args(const char *s, struct knit_paths *out, struct strbuf *why);
/* The arguments of a .pc field's value, as pkgconf splits them. 0 or -1. */
int knit_check_pc_args(const char *s, size_t len, struct knit_paths *out, struct strbuf *why);

/*
 * The consumer description a package pkg (no scope) with manifest m gets
 * from its prefix under deps_abs: its include folders there (hostile names
 * kept), -D for each define and each of c.cflags, its archive and c.link.
 */
void knit_check_consumer_of(const char *pkg, const struct knit_manifest *m, const char *deps_abs,
			    struct knit_consumer *out);
/*
 * Writes what knit build writes for pkg from the consumer c (link.mk,
 * link.cmake, the .pc, knit.env) and checks that every include folder and
 * compile flag reads back whole from each. 0, or -1 with the first
 * difference in *why.
 */
int knit_check_built(const char *pkg, const char *version, const struct knit_consumer *c, const char *deps_abs,
		     struct strbuf *why);

#endif
