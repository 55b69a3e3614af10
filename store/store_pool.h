/*
 * Extractions into the store on worker threads, so that writing one
 * package's files overlaps downloading and writing the others. On a cold
 * install most of the time goes to creating files (the kernel's work), which
 * threads spread over the machine's cores.
 *
 * Ownership: the caller owns each job and keeps it alive until
 * knit_store_pool_finish() returns; the pool takes the job's tarball bytes
 * (or its file) and releases them once the package is extracted.
 */
#ifndef KNIT_STORE_STORE_POOL_H
#define KNIT_STORE_STORE_POOL_H

#include <stdbool.h>

#include "store/store_index.h"
#include "util/integrity.h"
#include "util/strbuf.h"

struct knit_fetch;

struct knit_store_job {
	/* set by the caller */
	struct knit_integrity id;
	const char *pkg;      /* for messages; must outlive the job */
	struct strbuf tgz;    /* verified tarball bytes, taken by the pool */
	unsigned long long max_unpacked; /* max-unpacked-size; 0 for the default */
	bool has_fd;          /* the tarball is in fd instead (at the offset to read from), */
	int fd;               /* taken by the pool and closed once extracted */
	struct knit_fetch *fetch; /* when set, tgz's bytes are given back to it once released
				     (knit_transfer_take_body); it must outlive the pool */
	bool keep_index;      /* fill index with the entry's, as sealed */
	/* set by the pool: valid once knit_store_pool_finish() returns; the
	 * caller releases err, and index when has_index */
	int rc;               /* knit_store_put()'s answer */
	struct strbuf err;    /* its message when rc != 0 */
	struct knit_store_index index;
	bool has_index;
};

struct knit_store_pool;

/* threads = 0: one per online processor, at most 8. */
struct knit_store_pool *knit_store_pool_new(const char *cache_dir, unsigned threads);
/* Queues job; job->tgz is moved out (left empty) and freed after extraction. */
void knit_store_pool_put(struct knit_store_pool *pool, struct knit_store_job *job);
/* Waits for every queued job, stops the threads and frees the pool. */
void knit_store_pool_finish(struct knit_store_pool *pool);

#endif
