/* Whole-buffer gzip inflation through libdeflate (util/gunzip.h). */
#include "gunzip.h"
#include "util/xalloc.h"

#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>

void *knit_gunzip_whole(const void *gz, size_t len, size_t max_out, size_t *out_len)
{
	const unsigned char *p = gz;
	/* header (10) + trailer (8) at least, and the gzip magic with method deflate */
	if (len < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8)
		return NULL;
	/* ISIZE: the input's size modulo 2^32, as its writer claims it */
	uint32_t isize = (uint32_t)p[len - 4] | (uint32_t)p[len - 3] << 8 | (uint32_t)p[len - 2] << 16 |
			 (uint32_t)p[len - 1] << 24;
	if (isize > max_out)
		return NULL;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (!d)
		return NULL;
	/* one byte more than claimed: an output that fills it is longer than its trailer says */
	unsigned char *out = knit_xmalloc((size_t)isize + 1);
	size_t in_used = 0, got = 0;
	enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, gz, len, out, (size_t)isize + 1, &in_used, &got);
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || in_used != len || got != isize) {
		free(out);
		return NULL;
	}
	*out_len = got;
	return out;
}
