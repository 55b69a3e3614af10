/*
 * The libdeflate functions knit calls, forwarded to libdeflate loaded on
 * first use (see util/dynlib.h).
 */
#include "lazy.h"
#include "util/dynlib.h"

#include <libdeflate.h>

struct knit_dynlib knit_libdeflate = KNIT_DYNLIB_INIT(KNIT_LIBDEFLATE_SONAME, "to inflate package tarballs");

#define REAL(fn) KNIT_DYNLIB_FN(knit_libdeflate, fn)

struct libdeflate_decompressor *libdeflate_alloc_decompressor(void)
{
	return REAL(libdeflate_alloc_decompressor)();
}

enum libdeflate_result libdeflate_gzip_decompress_ex(struct libdeflate_decompressor *d, const void *in,
						     size_t in_nbytes, void *out, size_t out_nbytes_avail,
						     size_t *actual_in_nbytes_ret, size_t *actual_out_nbytes_ret)
{
	return REAL(libdeflate_gzip_decompress_ex)(d, in, in_nbytes, out, out_nbytes_avail, actual_in_nbytes_ret,
						  actual_out_nbytes_ret);
}

void libdeflate_free_decompressor(struct libdeflate_decompressor *d)
{
	REAL(libdeflate_free_decompressor)(d);
}
