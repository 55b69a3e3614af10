#include "integrity.h"
#include "util/error.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *prefix;
	enum knit_hash algo;
	size_t len;
} algos[] = {
	{ "sha512-", KNIT_HASH_SHA512, 64 },
	{ "sha384-", KNIT_HASH_SHA384, 48 },
	{ "sha256-", KNIT_HASH_SHA256, 32 },
	{ "sha1-", KNIT_HASH_SHA1, 20 },
};

static const EVP_MD *md_of(enum knit_hash algo)
{
	switch (algo) {
	case KNIT_HASH_SHA512: return EVP_sha512();
	case KNIT_HASH_SHA384: return EVP_sha384();
	case KNIT_HASH_SHA256: return EVP_sha256();
	case KNIT_HASH_SHA1: return EVP_sha1();
	case KNIT_HASH_NONE: break;
	}
	return NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int knit_integrity_parse(struct knit_integrity *out, const char *sri, const char *shasum)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = sri; p && *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = p + strcspn(p, " \t");
		for (size_t a = 0; a < sizeof(algos) / sizeof(*algos); a++) {
			size_t pl = strlen(algos[a].prefix);
			if ((size_t)(end - p) <= pl || strncmp(p, algos[a].prefix, pl))
				continue;
			if (algos[a].algo <= out->algo)
				break; /* a stronger one is already chosen */
			/* base64 up to an optional "?options" suffix */
			const char *b64 = p + pl, *b64end = memchr(b64, '?', (size_t)(end - b64));
			if (!b64end)
				b64end = end;
			unsigned char buf[80];
			size_t n = (size_t)(b64end - b64);
			if (n > 100)
				break;
			int got = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)n);
			if (got < 0)
				break;
			size_t pad = 0;
			while (n > pad && b64[n - 1 - pad] == '=')
				pad++;
			if ((size_t)got - pad != algos[a].len)
				break;
			out->algo = algos[a].algo;
			out->len = algos[a].len;
			memcpy(out->digest, buf, out->len);
			break;
		}
		p = end;
	}
	if (out->algo)
		return 0;
	if (shasum && strlen(shasum) == 40) {
		for (size_t i = 0; i < 20; i++) {
			int hi = hexval(shasum[2 * i]), lo = hexval(shasum[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return KNIT_EINVALID_ARG;
			out->digest[i] = (unsigned char)(hi << 4 | lo);
		}
		out->algo = KNIT_HASH_SHA1;
		out->len = 20;
		return 0;
	}
	return KNIT_EINVALID_ARG;
}

void knit_integrity_format(const struct knit_integrity *in, struct strbuf *out)
{
	unsigned char b64[100];
	for (size_t a = 0; a < sizeof(algos) / sizeof(*algos); a++)
		if (algos[a].algo == in->algo)
			strbuf_addstr(out, algos[a].prefix);
	int n = EVP_EncodeBlock(b64, in->digest, (int)in->len);
	strbuf_add(out, b64, (size_t)n);
}

void knit_integrity_hex(const struct knit_integrity *in, struct strbuf *out)
{
	static const char digits[] = "0123456789abcdef";
	strbuf_grow(out, 2 * in->len);
	char *p = out->buf + out->len;
	for (size_t i = 0; i < in->len; i++) {
		*p++ = digits[in->digest[i] >> 4];
		*p++ = digits[in->digest[i] & 15];
	}
	strbuf_setlen(out, out->len + 2 * in->len);
}

bool knit_integrity_equal(const struct knit_integrity *a, const struct knit_integrity *b)
{
	return a->algo == b->algo && a->len == b->len && !memcmp(a->digest, b->digest, a->len);
}

struct knit_hasher {
	EVP_MD_CTX *ctx;
	enum knit_hash algo;
};

struct knit_hasher *knit_hasher_new(enum knit_hash algo)
{
	struct knit_hasher *h = calloc(1, sizeof(*h));
	if (!h || !(h->ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(h->ctx, md_of(algo), NULL))
		abort(); /* out of memory, or no SHA in libcrypto */
	h->algo = algo;
	return h;
}

void knit_hasher_update(struct knit_hasher *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void knit_hasher_finish(struct knit_hasher *h, struct knit_integrity *out)
{
	unsigned int n = 0;
	memset(out, 0, sizeof(*out));
	EVP_DigestFinal_ex(h->ctx, out->digest, &n);
	out->algo = h->algo;
	out->len = n;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}
