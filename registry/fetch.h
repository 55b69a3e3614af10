/*
 * Concurrent downloads through one libcurl multi handle: connections are
 * reused and HTTP/2 multiplexed where offered, and file:// URLs go the same
 * way. Failed attempts (connection errors, timeouts, 5xx, 429) are retried
 * with backoff; a 404 or a missing file is KNIT_ENOTFOUND at once. Bodies
 * are capped, and can be hashed as they arrive.
 *
 * Ownership: transfers belong to the fetch and go with knit_fetch_free.
 */
#ifndef KNIT_REGISTRY_FETCH_H
#define KNIT_REGISTRY_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "registry/integrity.h"
#include "util/strbuf.h"

struct knit_fetch_opts {
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* 0: 5 min for the whole transfer */
	int retries;             /* attempts after the first; negative: none; 0: 3 */
	long backoff_ms;         /* first wait before a retry, doubled each time; 0: 200 ms */
	const char *cafile;      /* extra CA bundle, or NULL */
	bool insecure;           /* strict-ssl=false */
	const char *proxy;       /* for http:// URLs (and https:// without https_proxy), or NULL */
	const char *https_proxy; /* for https:// URLs, or NULL */
	const char *noproxy;     /* hosts reached directly: "localhost,.example.com", or NULL */
	/* with no proxy set, libcurl's own http_proxy, https_proxy and no_proxy variables apply */
	void (*tick)(void *ctx); /* called every round (at most 200 ms apart) while waiting */
	void *tick_ctx;
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
	struct strbuf body;
	struct strbuf message;   /* one line when rc != 0 */
	struct knit_integrity digest; /* when a hash was asked for */
	struct strbuf etag;           /* response headers for revalidation, when sent */
	struct strbuf last_modified;
	int attempts;
	void *user;
	struct knit_transfer_private *priv;
};

struct knit_fetch;

struct knit_fetch *knit_fetch_new(const struct knit_fetch_opts *opts);
void knit_fetch_free(struct knit_fetch *f);

/*
 * Starts a GET of url with the extra header lines given (NULL-terminated,
 * may be NULL). max_bytes caps the body (0: 512 MiB); hash, when not
 * KNIT_HASH_NONE, digests the body as it streams. Never blocks.
 */
struct knit_transfer *knit_fetch_start(struct knit_fetch *f, const char *url,
				       const char *const *headers, size_t max_bytes,
				       enum knit_hash hash);
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
/* Drives until every transfer is done. */
void knit_fetch_wait_all(struct knit_fetch *f);
void knit_fetch_get_counts(const struct knit_fetch *f, struct knit_fetch_counts *out);

#endif
