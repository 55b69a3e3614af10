/*
 * Tarball downloads by URL, each started at most once: the solver's
 * decisions start them while it still works (a decision may be undone, and
 * then its download is simply never used), and the install takes them
 * afterwards, starting whatever is still missing. Requests carry the
 * registry's bearer token when .knitrc has one for the URL. Bodies are
 * spooled (util/fetch.h): a large tarball waits in a temporary file,
 * not in memory.
 *
 * When the table extracts early (knit_tarballs_extract_early), a decision's
 * download that finishes while the solver still works, and whose digest is
 * the one the registry gave, goes at once to store workers: extraction
 * overlaps resolution instead of waiting for it. What fails there is simply
 * not in the store afterwards, and the install fetches and extracts it
 * again the ordinary way, which reports the failure.
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

/* From now on, downloads started with knit_tarballs_get_entry are extracted into cache_dir's store as they finish. */
void knit_tarballs_extract_early(struct knit_tarballs *t, const char *cache_dir);
/* knit_tarballs_get, and when extracting early, url's body extracted as pkg's entry id once it arrives whole. */
struct knit_transfer *knit_tarballs_get_entry(struct knit_tarballs *t, const char *url, const struct knit_integrity *id,
					      const char *pkg);
/* Hands every finished download to the store workers (call it while waiting on the fetch). */
void knit_tarballs_poll(struct knit_tarballs *t);
/*
 * Ends early extraction: what finished is handed over, the workers are
 * waited for, and the number of entries they put in the store is returned.
 * A download handed over is the store's now: knit_tarballs_get of its URL
 * starts it anew.
 */
size_t knit_tarballs_settle(struct knit_tarballs *t);
/*
 * After knit_tarballs_settle: the index of the entry url's early extraction
 * sealed, moved into *out (the caller releases it), so that the entry, made
 * by this process a moment ago, is linked without a check; false when there
 * is none.
 */
struct knit_store_index;
bool knit_tarballs_take_index(struct knit_tarballs *t, const char *url, struct knit_store_index *out);

#endif
