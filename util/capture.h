/*
 * Running a program for its output: pkg-config's answer, git's.
 */
#ifndef KNIT_UTIL_CAPTURE_H
#define KNIT_UTIL_CAPTURE_H

#include "strbuf.h"

#include <stddef.h>

enum knit_capture_flags {
	KNIT_CAPTURE_STDERR = 1 << 0, /* standard error joins standard output in *out; else it is dropped */
};

/*
 * Runs argv (argv[0] found on PATH) in dir (NULL: the current folder),
 * standard input from /dev/null so that nothing waits on knit's terminal,
 * and appends its standard output to *out: the first max bytes, the rest
 * read and dropped. Returns its exit status, 128+n when signal n ended it,
 * 127 when it could not be executed (not installed), -1 when it could not
 * be started.
 */
int knit_capture(const char *dir, const char *const *argv, unsigned flags, size_t max, struct strbuf *out);

#endif
