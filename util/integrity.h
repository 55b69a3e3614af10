/*
 * Subresource Integrity as npm uses it: "sha512-<base64>" (several may be
 * listed, space-separated; the strongest is checked), or a bare hex SHA-1
 * from dist.shasum when nothing better exists. Digests are computed while
 * bytes stream in, so nothing is used before it is verified.
 */
#ifndef KNIT_UTIL_INTEGRITY_H
#define KNIT_UTIL_INTEGRITY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

enum knit_hash { KNIT_HASH_NONE = 0, KNIT_HASH_SHA1, KNIT_HASH_SHA256, KNIT_HASH_SHA384, KNIT_HASH_SHA512 };

struct knit_integrity {
	enum knit_hash algo;
	unsigned char digest[64];
	size_t len;
};

/*
 * Picks the strongest digest of an SRI string, or of a hex shasum when sri
 * is NULL or has nothing usable. 0, or KNIT_EINVALID_ARG when neither gives one.
 */
int knit_integrity_parse(struct knit_integrity *out, const char *sri, const char *shasum);
/* "sha512-<base64>" for the digest (the form knit.lock records). */
void knit_integrity_format(const struct knit_integrity *in, struct strbuf *out);

/* A running digest. */
struct knit_hasher;
struct knit_hasher *knit_hasher_new(enum knit_hash algo);
void knit_hasher_update(struct knit_hasher *h, const void *data, size_t len);
/* Finishes into *out (same algorithm) and frees the hasher. */
void knit_hasher_finish(struct knit_hasher *h, struct knit_integrity *out);

bool knit_integrity_equal(const struct knit_integrity *a, const struct knit_integrity *b);
/* Hex of the digest: the store's content address. */
void knit_integrity_hex(const struct knit_integrity *in, struct strbuf *out);

#endif
