/* Percent-encoding (RFC 3986) for the pieces of URLs knit builds. */
#ifndef KNIT_UTIL_URL_H
#define KNIT_UTIL_URL_H

#include "util/strbuf.h"

/*
 * Appends s to out with every byte percent-encoded except ASCII letters,
 * digits, the unreserved "-._~" and the bytes in keep (e.g. "/" for a path).
 */
void knit_url_encode(const char *s, const char *keep, struct strbuf *out);

/*
 * 0 when url can be a registry's: http://, https:// or file://. Else
 * KNIT_EINVALID_ARG with "<what> '<url>' is not an http://, https:// or
 * file:// URL" added to err (what: "registry", "--registry"; the URL shown
 * as knit_pkgname_quote shows a name, so a long one stays a short line).
 */
int knit_url_check_registry(const char *url, const char *what, struct strbuf *err);

#endif
