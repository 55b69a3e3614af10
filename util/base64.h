/* Base64 (RFC 4648, with padding), for tarball attachments and Basic auth. */
#ifndef KNIT_UTIL_BASE64_H
#define KNIT_UTIL_BASE64_H

#include <stddef.h>

#include "util/strbuf.h"

/* Appends the base64 of len bytes at data to out. */
void knit_base64_encode(const void *data, size_t len, struct strbuf *out);

#endif
