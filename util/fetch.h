/*
 * Concurrent downloads through one libcurl multi handle: connections are
 * reused and HTTP/2 multiplexed where offered, and file:// URLs go the same
 * way. Failed attempts (connection errors, timeouts, stalls, 5xx, 429) are
 * retried with backoff, honouring Retry-After; a 404 or a missing file is
 * KNIT_ENOTFOUND at once. Bodies are capped (an announced Content-Length
 * past the cap fails before any byte is kept), can be hashed as they
 * arrive, and spooled ones go to an unlinked temporary file instead of
 * memory when large, so that the bytes a fetch holds in memory stay bounded.
 * Messages name URLs with their userinfo hidden (util/redact.h).
 *
 * A silent server costs at most (retries + 1) * stall_ms plus the waits
 * between attempts: 3 * 15 s + 0.2 s + 0.4 s with the defaults.
 *
 * Ownership: transfers belong to the fetch and go with knit_fetch_free.
 */
#ifndef KNIT_UTIL_FETCH_H
#define KNIT_UTIL_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/integrity.h"
#include "util/strbuf.h"

struct knit_fetch_opts {
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* the longest one attempt may take (npm's fetch-timeout); 0: 5 min; negative: none */
	long stall_ms;           /* an attempt that receives no byte for this long fails (whole seconds,
				    rounded up, 1 s at least); 0: 15 s, or half timeout_ms when shorter */
	int retries;             /* attempts after the first; negative: none; 0: 2 (npm's fetch-retries) */
	long backoff_ms;         /* first wait before a retry, doubled each time; 0: 200 ms */
	long backoff_max_ms;     /* the longest wait, a Retry-After included; 0: 10 s */
	size_t spool_bytes;      /* a spooled transfer's body past this goes to a file; 0: 8 MiB */
	size_t memory_bytes;     /* ... as does any once the fetch holds this much in memory; 0: 64 MiB */
	const char *spool_dir;   /* where those files are made (unlinked at once); NULL: $TMPDIR, else /tmp */
	const char *cafile;      /* extra CA bundle, or NULL */
	bool insecure;           /* strict-ssl=false */
	const char *proxy;       /* for http:// URLs (and https:// without https_proxy), or NULL */
	const char *https_proxy; /* for https:// URLs, or NULL */
	const char *noproxy;     /* hosts reached directly: "localhost,.example.com", or NULL */
	/* with no proxy set, libcurl's own http_proxy, https_proxy and no_proxy variables apply */
	void (*tick)(void *ctx); /* called every round (at most 200 ms apart) while waiting */
	void *tick_ctx;
	long max_host_connections; /* open at once to one host (npm's maxsockets); 0: 64. Over
				      HTTP/2 the transfers share one connection instead */
};

/* For progress displays: bytes counts every body byte received, retries included. */
struct knit_fetch_counts {
	size_t started, finished;
	unsigned long long bytes;
};

struct knit_transfer {
	/* results, valid once done */
	bool done;
	int rc;                  /* 0, KNIT_ENOTFOUND, or KNIT_EIO */
	long status;             /* the HTTP status, 0 for file://; 304 counts as success */
	struct strbuf body;      /* empty when the body went to fd */
	int fd;                  /* a spooled body's file (offset 0 once done), else -1; the transfer's */
	size_t size;             /* body bytes of the latest attempt, in body or in fd */
	struct strbuf message;   /* one line when rc != 0 */
	struct knit_integrity digest; /* when a hash was asked for */
	struct strbuf etag;           /* response headers for revalidation, when sent */
	struct strbuf last_modified;
	int attempts;
	void *user;
	size_t *done_count;      /* when set, incremented once the transfer is done: a caller's own tally */
	struct knit_transfer_private *priv;
};

struct knit_fetch;

/* A fetch with opts (may be NULL), its defaults filled in. Freed with knit_fetch_free. */
struct knit_fetch *knit_fetch_new(const struct knit_fetch_opts *opts);
/* Fills in the defaults of every option left 0 (what knit_fetch_new uses). */
void knit_fetch_opts_resolve(struct knit_fetch_opts *opts);
void knit_fetch_free(struct knit_fetch *f);
/* Sets (or with NULL clears) the tick of opts after the fetch is made: the caller of the moment watches it. */
void knit_fetch_set_tick(struct knit_fetch *f, void (*tick)(void *ctx), void *ctx);

/*
 * Starts a GET of url with the extra header lines given (NULL-terminated,
 * may be NULL). max_bytes caps the body (0: 512 MiB); hash, when not
 * KNIT_HASH_NONE, digests the body as it streams. Never blocks.
 */
struct knit_transfer *knit_fetch_start(struct knit_fetch *f, const char *url,
				       const char *const *headers, size_t max_bytes,
				       enum knit_hash hash);
/*
 * As knit_fetch_start, for a body that need not stay in memory (a
 * tarball): past opts.spool_bytes, or when the fetch holds
 * opts.memory_bytes in memory, it goes to t->fd instead of t->body.
 */
struct knit_transfer *knit_fetch_start_spooled(struct knit_fetch *f, const char *url,
					       const char *const *headers, size_t max_bytes,
					       enum knit_hash hash);
/*
 * Moves a done transfer's body out: *fd gets t->fd (at offset 0; the
 * caller closes it) or -1, and then *body gets the bytes (moved; *body must
 * be empty). Bytes in memory stay counted against the fetch's memory_bytes
 * until knit_fetch_give_back() says how many were released.
 */
void knit_transfer_take_body(struct knit_transfer *t, struct strbuf *body, int *fd);
/* Releases t's body, in memory or in its file, and gives its bytes back to the fetch. */
void knit_transfer_release_body(struct knit_transfer *t);
/* Bytes taken with knit_transfer_take_body are released; callable from any thread. */
void knit_fetch_give_back(struct knit_fetch *f, size_t bytes);
/* Bytes of bodies the fetch holds (or lent) in memory now; for tests. */
size_t knit_fetch_held(const struct knit_fetch *f);
/*
 * Starts a request with another method ("PUT", "DELETE", "POST") and a body
 * (copied; may be NULL). Only attempts that never reached the server are
 * retried, redirects are not followed, and the response body is kept
 * whatever the status: rc is 0 for 2xx, KNIT_ENOTFOUND for 404 and 410,
 * else KNIT_EIO, with t->status for the caller to explain.
 */
struct knit_transfer *knit_fetch_send(struct knit_fetch *f, const char *method, const char *url,
				      const char *const *headers, const void *body, size_t len);
/* Drives every transfer until t is done. */
void knit_fetch_wait(struct knit_fetch *f, struct knit_transfer *t);
/*
 * One round of work: due retries started, curl run, what finished
 * collected; then, when nothing finished, a wait for activity (at most
 * 200 ms). For a caller that does its own work between rounds.
 */
void knit_fetch_step(struct knit_fetch *f);
/* Drives until every transfer is done. */
void knit_fetch_wait_all(struct knit_fetch *f);
void knit_fetch_get_counts(const struct knit_fetch *f, struct knit_fetch_counts *out);

#endif
