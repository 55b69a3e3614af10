/* FNV-1a, 64-bit: for the open-addressing tables keyed by names, URLs and range texts. */
#ifndef KNIT_UTIL_HASH_H
#define KNIT_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define KNIT_HASH_SEED UINT64_C(1469598103934665603)

/* Continues hash h over n bytes (start with KNIT_HASH_SEED). */
static inline uint64_t knit_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(1099511628211);
	return h;
}

static inline uint64_t knit_hash_str(const char *s)
{
	uint64_t h = KNIT_HASH_SEED;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

#endif
