#include "base64.h"

#include <openssl/evp.h>

void knit_base64_encode(const void *data, size_t len, struct strbuf *out)
{
	const unsigned char *in = data;
	/* in chunks, so that no int in OpenSSL's interface can overflow */
	while (len) {
		size_t chunk = len > 3u << 20 ? 3u << 20 : len;
		size_t need = 4 * ((chunk + 2) / 3);
		strbuf_grow(out, need + 1);
		int n = EVP_EncodeBlock((unsigned char *)out->buf + out->len, in, (int)chunk);
		strbuf_setlen(out, out->len + (size_t)n);
		in += chunk;
		len -= chunk;
	}
}
