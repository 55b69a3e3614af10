#ifndef KNIT_UTIL_LAZY_H
#define KNIT_UTIL_LAZY_H

#include "util/dynlib.h"

/*
 * libcurl, libarchive and libdeflate, loaded the first time knit downloads or reads a
 * tarball (util/lazy_curl.c, util/lazy_archive.c). An install with
 * nothing to fetch or extract never loads either.
 */
extern struct knit_dynlib knit_libcurl;
extern struct knit_dynlib knit_libarchive;
extern struct knit_dynlib knit_libgit2; /* for git dependencies only */
extern struct knit_dynlib knit_libdeflate; /* whole tarballs inflated in one call (util/gunzip.h) */

#endif
