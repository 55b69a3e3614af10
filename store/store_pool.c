#include "store_pool.h"

#include "util/fetch.h"
#include "store/store.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct queued {
	struct knit_store_job *job;
	struct strbuf tgz;
	int fd;
};

struct knit_store_pool {
	char *cache_dir;
	pthread_mutex_t lock;
	pthread_cond_t wake;     /* a job was queued, or the pool is finishing */
	struct queued *queue;    /* jobs not yet taken, oldest first */
	size_t head, n, alloc;
	bool finishing;
	pthread_t *threads;
	unsigned nthreads;
};

static void run_job(struct knit_store_pool *pool, struct queued *q)
{
	struct knit_store_job *job = q->job;
	struct knit_store_index *keep = job->keep_index ? &job->index : NULL;
	job->rc = knit_store_put_keep(pool->cache_dir, &job->id, q->tgz.buf, q->tgz.len, q->fd, job->pkg,
				      job->max_unpacked, keep, &job->err);
	job->has_index = keep && !job->rc;
	if (q->fd >= 0)
		close(q->fd);
	size_t held = q->tgz.len;
	strbuf_release(&q->tgz);
	if (job->fetch)
		knit_fetch_give_back(job->fetch, held);
}

static void *worker(void *arg)
{
	struct knit_store_pool *pool = arg;
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (pool->head == pool->n && !pool->finishing)
			pthread_cond_wait(&pool->wake, &pool->lock);
		if (pool->head == pool->n)
			break; /* finishing, nothing left */
		struct queued q = pool->queue[pool->head++];
		pthread_mutex_unlock(&pool->lock);
		run_job(pool, &q);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

struct knit_store_pool *knit_store_pool_new(const char *cache_dir, unsigned threads)
{
	struct knit_store_pool *pool = knit_xcalloc(1, sizeof(*pool));
	pool->cache_dir = knit_xstrdup(cache_dir);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	if (!threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
	}
	pool->threads = knit_xcalloc(threads, sizeof(*pool->threads));
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&pool->threads[pool->nthreads], NULL, worker, pool))
			break; /* fewer threads; with none, finish() runs the jobs itself */
		pool->nthreads++;
	}
	return pool;
}

void knit_store_pool_put(struct knit_store_pool *pool, struct knit_store_job *job)
{
	struct queued q = { job, job->tgz, job->has_fd ? job->fd : -1 };
	strbuf_init(&job->tgz, 0);
	job->has_fd = false;
	strbuf_init(&job->err, 0);
	job->rc = 0;
	pthread_mutex_lock(&pool->lock);
	KNIT_ALLOC_GROW(pool->queue, pool->n + 1, pool->alloc);
	pool->queue[pool->n++] = q;
	pthread_cond_signal(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
}

void knit_store_pool_finish(struct knit_store_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->finishing = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	while (pool->head < pool->n) /* only when no thread could be started */
		run_job(pool, &pool->queue[pool->head++]);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool->queue);
	free(pool->threads);
	free(pool->cache_dir);
	free(pool);
}
