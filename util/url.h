/* Percent-encoding (RFC 3986) for the pieces of URLs knit builds. */
#ifndef KNIT_UTIL_URL_H
#define KNIT_UTIL_URL_H

#include "util/strbuf.h"

/*
 * Appends s to out with every byte percent-encoded except ASCII letters,
 * digits, the unreserved "-._~" and the bytes in keep (e.g. "/" for a path).
 */
void knit_url_encode(const char *s, const char *keep, struct strbuf *out);

#endif
