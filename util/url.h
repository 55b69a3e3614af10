/* Percent-encoding (RFC 3986) for the pieces of URLs knit builds. */
#ifndef KNIT_UTIL_URL_H
#define KNIT_UTIL_URL_H

#include "util/strbuf.h"

#include <stdbool.h>

/*
 * Appends s to out with every byte percent-encoded except ASCII letters,
 * digits, the unreserved "-._~" and the bytes in keep (e.g. "/" for a path).
 */
void knit_url_encode(const char *s, const char *keep, struct strbuf *out);

/*
 * A registry as the user gave it, as a URL into *url: http://, https:// and
 * file:// URLs as they are; a folder's path (/srv/registry, ./registry,
 * ../registry) as the file:// URL of that folder, relative paths from the
 * current folder. Else KNIT_EINVALID_ARG with "<what> '<value>' is not an
 * http://, https:// or file:// URL, or a folder's path" added to err (what:
 * "registry", "--registry"; the value shown as knit_pkgname_quote shows a
 * name, so a long one stays a short line).
 */
int knit_url_registry(const char *value, const char *what, struct strbuf *url, struct strbuf *err);
/* Whether value is written as a folder's path: it starts with '/', "./" or "../", or is "." or "..". */
bool knit_url_is_path(const char *value);

#endif
