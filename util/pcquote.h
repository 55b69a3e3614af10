/*
 * Values in a pkg-config (.pc) file, as pkgconf reads them back: one
 * argument each, whatever bytes they hold. Shared by knit's own .pc files
 * (builder/ for a sources-kind prefix, project/ for deps/.pkgconfig).
 */
#ifndef KNIT_UTIL_PCQUOTE_H
#define KNIT_UTIL_PCQUOTE_H

#include <stdbool.h>

#include "util/strbuf.h"

/* Letters, digits and "_@%+=:,./-": bytes no shell, Make, CMake or pkgconf treats specially. */
bool knit_plain_byte(unsigned char c);
/*
 * s into out with a backslash before every byte that is not plain, which
 * pkgconf's splitter takes as part of the same argument; control bytes
 * become (escaped) spaces, so that a value cannot end its line.
 */
void knit_pc_quote(struct strbuf *out, const char *s);

#endif
