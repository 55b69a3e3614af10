#include "tarballs.h"
#include "store/store.h"
#include "store/store_pool.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char *url;
	struct knit_transfer *transfer;
	bool handed_over; /* its body went to the store workers: a new get downloads again */
	struct knit_store_job *job; /* that extraction, once handed over */
};

/* A download to extract once it finishes (early extraction). */
struct pending {
	char *url;
	struct knit_transfer *transfer;
	struct knit_store_job *job; /* id and pkg set; the rest once handed over */
};

struct knit_tarballs {
	struct knit_fetch *fetch;
	const struct knit_config *cfg;
	struct slot *slots; /* open addressing by URL, size a power of two */
	size_t size, n;
	/* early extraction: on while pool is set */
	struct knit_store_pool *pool;
	unsigned long long max_unpacked;
	struct pending *pending;
	size_t npending, pending_alloc;
	struct knit_store_job **jobs; /* handed over; kept for their indexes until knit_tarballs_free */
	size_t njobs, jobs_alloc;
};

struct knit_tarballs *knit_tarballs_new(struct knit_fetch *fetch, const struct knit_config *cfg)
{
	struct knit_tarballs *t = knit_xcalloc(1, sizeof(*t));
	t->fetch = fetch;
	t->cfg = cfg;
	t->size = 64;
	t->slots = knit_xcalloc(t->size, sizeof(*t->slots));
	return t;
}

static void free_job(struct knit_store_job *job)
{
	if (job->has_index)
		knit_store_index_release(&job->index);
	strbuf_release(&job->err);
	strbuf_release(&job->tgz);
	free((char *)job->pkg);
	free(job);
}

/* A pending download the early path leaves to the ordinary one. */
static void drop_pending(struct pending *p)
{
	free(p->url);
	free_job(p->job);
}

void knit_tarballs_free(struct knit_tarballs *t)
{
	if (!t)
		return;
	knit_tarballs_settle(t);
	for (size_t i = 0; i < t->njobs; i++)
		free_job(t->jobs[i]);
	free(t->jobs);
	free(t->pending);
	for (size_t i = 0; i < t->size; i++)
		free(t->slots[i].url);
	free(t->slots);
	free(t);
}

static struct slot *find(struct slot *slots, size_t size, const char *url)
{
	size_t i = knit_hash_str(url) & (size - 1);
	while (slots[i].url && strcmp(slots[i].url, url))
		i = (i + 1) & (size - 1);
	return &slots[i];
}

static void grow(struct knit_tarballs *t)
{
	size_t size = t->size * 2;
	struct slot *slots = knit_xcalloc(size, sizeof(*slots));
	for (size_t i = 0; i < t->size; i++)
		if (t->slots[i].url)
			*find(slots, size, t->slots[i].url) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->size = size;
}

static struct knit_transfer *get(struct knit_tarballs *t, const char *url, enum knit_hash algo, bool *started)
{
	struct slot *s = find(t->slots, t->size, url);
	*started = false;
	if (s->url && !s->handed_over)
		return s->transfer;
	if (!s->url && (t->n + 1) * 2 > t->size) {
		grow(t);
		s = find(t->slots, t->size, url);
	}
	struct strbuf auth = STRBUF_INIT;
	const char *headers[2] = { knit_config_auth_header(t->cfg, url, &auth), NULL };
	if (!s->url)
		s->url = knit_xstrdup(url);
	s->handed_over = false;
	s->transfer = knit_fetch_start_spooled(t->fetch, url, headers, KNIT_TARBALL_MAX, algo);
	t->n++;
	*started = true;
	strbuf_release(&auth);
	return s->transfer;
}

struct knit_transfer *knit_tarballs_get(struct knit_tarballs *t, const char *url, enum knit_hash algo)
{
	bool started;
	return get(t, url, algo, &started);
}

size_t knit_tarballs_started(const struct knit_tarballs *t)
{
	return t->n;
}

void knit_tarballs_extract_early(struct knit_tarballs *t, const char *cache_dir)
{
	struct strbuf err = STRBUF_INIT;
	/* a bad setting is the ordinary path's to report: then nothing is extracted early */
	if (!t->pool && !knit_config_size(t->cfg, "max-unpacked-size", KNIT_STORE_DEFAULT_MAX_UNPACKED,
					  &t->max_unpacked, &err))
		t->pool = knit_store_pool_new(cache_dir, 0);
	strbuf_release(&err);
}

struct knit_transfer *knit_tarballs_get_entry(struct knit_tarballs *t, const char *url, const struct knit_integrity *id,
					      const char *pkg)
{
	bool started;
	struct knit_transfer *tr = get(t, url, id->algo, &started);
	if (!started || !t->pool)
		return tr;
	KNIT_ALLOC_GROW(t->pending, t->npending + 1, t->pending_alloc);
	struct knit_store_job *job = knit_xcalloc(1, sizeof(*job));
	job->id = *id;
	job->pkg = knit_xstrdup(pkg);
	job->fd = -1;
	strbuf_init(&job->tgz, 0);
	strbuf_init(&job->err, 0);
	t->pending[t->npending++] = (struct pending){ knit_xstrdup(url), tr, job };
	return tr;
}

/* p's download, whole and with the digest it should have, to the store workers. */
static void hand_over(struct knit_tarballs *t, struct pending *p)
{
	struct knit_store_job *job = p->job;
	KNIT_ALLOC_GROW(t->jobs, t->njobs + 1, t->jobs_alloc);
	struct slot *s = find(t->slots, t->size, p->url);
	s->handed_over = true;
	s->job = job;
	job->max_unpacked = t->max_unpacked;
	job->keep_index = true; /* the install links from it without checking the entry again */
	knit_transfer_take_body(p->transfer, &job->tgz, &job->fd);
	job->has_fd = job->fd >= 0;
	job->fetch = t->fetch;
	t->jobs[t->njobs++] = job;
	knit_store_pool_put(t->pool, job);
	free(p->url);
}

void knit_tarballs_poll(struct knit_tarballs *t)
{
	if (!t->pool)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < t->npending; i++) {
		struct pending *p = &t->pending[i];
		if (!p->transfer->done) {
			t->pending[kept++] = *p;
		} else if (!p->transfer->rc && knit_integrity_equal(&p->job->id, &p->transfer->digest)) {
			hand_over(t, p);
		} else { /* left to the ordinary path, which says what is wrong */
			drop_pending(p);
		}
	}
	t->npending = kept;
}

size_t knit_tarballs_settle(struct knit_tarballs *t)
{
	if (!t->pool)
		return 0;
	knit_tarballs_poll(t);
	knit_store_pool_finish(t->pool);
	t->pool = NULL;
	size_t stored = 0;
	for (size_t i = 0; i < t->njobs; i++)
		stored += !t->jobs[i]->rc;
	/* the downloads still under way are the ordinary path's */
	for (size_t i = 0; i < t->npending; i++)
		drop_pending(&t->pending[i]);
	t->npending = 0;
	return stored;
}

bool knit_tarballs_take_index(struct knit_tarballs *t, const char *url, struct knit_store_index *out)
{
	struct slot *s = find(t->slots, t->size, url);
	if (t->pool || !s->url || !s->job || s->job->rc || !s->job->has_index)
		return false;
	*out = s->job->index;
	s->job->has_index = false;
	return true;
}
