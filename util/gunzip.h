#ifndef KNIT_UTIL_GUNZIP_H
#define KNIT_UTIL_GUNZIP_H

#include <stddef.h>

/*
 * A whole gzip file inflated in one call by libdeflate (loaded on first use,
 * util/lazy.h), three to four times as fast as zlib's stream: the common
 * path for a package tarball held in memory. The output size comes from the
 * gzip trailer, which is not trusted: libdeflate checks it and the CRC.
 *
 * Returns a malloc'd buffer of *out_len bytes, or NULL when the one-call
 * path does not apply: not gzip, a trailer claiming more than max_out
 * bytes, more than one gzip member, trailing bytes, or damage of any
 * kind. The caller then reads gz through its streaming path, which says
 * what is wrong with it; NULL is never an error by itself.
 */
void *knit_gunzip_whole(const void *gz, size_t len, size_t max_out, size_t *out_len);

#endif
