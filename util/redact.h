/*
 * Keeping credentials out of messages: the password (or a lone user name,
 * which is often a token) in a URL's userinfo, the values of _authToken=,
 * _auth=, _password= and Authorization: / Bearer / Basic, and any secret
 * registered by the settings loader, wherever they appear.
 */
#ifndef KNIT_UTIL_REDACT_H
#define KNIT_UTIL_REDACT_H

#include "util/strbuf.h"

/*
 * Appends url to out with its userinfo hidden: the password of
 * "http://alice:secret@host/" and the lone user name of
 * "https://TOKEN@host/" become three stars (ssh's "ssh://git@host/" keeps
 * its user name). A URL without userinfo is appended as it is.
 */
void knit_redact_url(const char *url, struct strbuf *out);
/*
 * Rewrites msg in place with every URL's userinfo, every credential value
 * after the keys above and every registered secret replaced by "***".
 */
void knit_redact(struct strbuf *msg);
/*
 * Registers a secret for knit_redact to hide (copied; ones shorter than 4
 * characters are not, they would hide ordinary words). Safe from any
 * thread; the list lives until knit_redact_forget().
 */
void knit_redact_add_secret(const char *secret);
/* knit_redact(err) when rc is not 0; returns rc, for "return knit_redacted(err, rc);". */
int knit_redacted(struct strbuf *err, int rc);
/* Forgets every registered secret (for tests, and at exit). */
void knit_redact_forget(void);

#endif
