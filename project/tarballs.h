/*
 * Tarball downloads by URL, each started at most once: the solver's
 * decisions start them while it still works (a decision may be undone, and
 * then its download is simply never used), and the install takes them
 * afterwards, starting whatever is still missing. Requests carry the
 * registry's bearer token when .knitrc has one for the URL. Bodies are
 * spooled (util/fetch.h): a large tarball waits in a temporary file,
 * not in memory.
 *
 * Ownership: transfers belong to the fetch; the table only indexes them.
 */
#ifndef KNIT_PROJECT_TARBALLS_H
#define KNIT_PROJECT_TARBALLS_H

#include "util/config.h"
#include "util/fetch.h"
#include "util/integrity.h"

struct knit_tarballs;

/* The largest tarball accepted, announced or received: far above any real package. */
#define KNIT_TARBALL_MAX ((size_t)1 << 30)

struct knit_tarballs *knit_tarballs_new(struct knit_fetch *fetch, const struct knit_config *cfg);
void knit_tarballs_free(struct knit_tarballs *t);
/* The download of url, hashed with algo, started now unless it already was. */
struct knit_transfer *knit_tarballs_get(struct knit_tarballs *t, const char *url, enum knit_hash algo);
/* How many downloads were started. */
size_t knit_tarballs_started(const struct knit_tarballs *t);

#endif
