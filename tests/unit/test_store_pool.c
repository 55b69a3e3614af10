/*
 * registry/store_pool: extractions on worker threads land in the store
 * exactly as knit_store_put() would put them, a refused package reports its
 * own message, the same package queued twice is stored once, and the pool
 * releases the tarball bytes it was given.
 */
#include "conformance.h"
#include "util/integrity.h"
#include "store/store.h"
#include "store/store_pool.h"
#include "util/fs.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/knit-store-pool-XXXXXX";

/* A gzip'd tarball made by tar(1) from `script` run in a fresh folder. */
static void make_tgz(const char *name, const char *script, struct strbuf *out)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && rm -rf src && mkdir src && cd src && %s && tar czf ../%s.tgz --owner=0 --group=0 *",
		 tmp, script, name);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/%s.tgz", tmp, name);
	strbuf_init(out, 0);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_read_file(cmd, out, &err), 0);
	strbuf_release(&err);
}

static void digest(const struct strbuf *tgz, struct knit_integrity *id)
{
	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA512);
	knit_hasher_update(h, tgz->buf, tgz->len);
	knit_hasher_finish(h, id);
}

static void run_pool(unsigned threads)
{
	char cache[256];
	snprintf(cache, sizeof(cache), "%s/cache-%u", tmp, threads);
	const char *scripts[] = {
		"mkdir -p package/src && echo 'int a;' > package/src/a.c && echo '{}' > package/knit.json",
		"mkdir -p package/include && echo '#define B 1' > package/include/b.h",
		"mkdir package && echo x > package/ok && ln -s ../../../etc/passwd package/evil",
	};
	const char *names[] = { "liba", "libb", "evil" };
	enum { N = 6 }; /* each tarball twice */
	struct knit_store_job jobs[N];
	struct knit_store_pool *pool = knit_store_pool_new(cache, threads);
	for (int i = 0; i < N; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		make_tgz(names[i % 3], scripts[i % 3], &jobs[i].tgz);
		digest(&jobs[i].tgz, &jobs[i].id);
		jobs[i].pkg = names[i % 3];
		knit_store_pool_put(pool, &jobs[i]);
		assert_int_equal(jobs[i].tgz.len, 0); /* taken by the pool */
	}
	knit_store_pool_finish(pool);
	for (int i = 0; i < N; i++) {
		struct strbuf dir = STRBUF_INIT;
		knit_store_path(cache, &jobs[i].id, &dir);
		struct stat st;
		if (i % 3 == 2) {
			assert_int_not_equal(jobs[i].rc, 0);
			assert_string_equal(jobs[i].err.buf,
					    "package 'evil' is refused: 'package/evil' is a link to '../../../etc/passwd', outside it");
			assert_false(knit_store_has(cache, &jobs[i].id));
		} else {
			assert_int_equal(jobs[i].rc, 0);
			assert_int_equal(jobs[i].err.len, 0);
			assert_true(knit_store_has(cache, &jobs[i].id));
			strbuf_addstr(&dir, i % 3 ? "/include/b.h" : "/src/a.c");
			assert_int_equal(stat(dir.buf, &st), 0);
		}
		strbuf_release(&dir);
		strbuf_release(&jobs[i].err);
	}
	/* nothing left half-written in the store's temporary folder */
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s/store/tmp)\"", cache);
	assert_int_equal(system(cmd), 0);
}

static void one_thread(void **state) { run_pool(1); }
static void several_threads(void **state) { run_pool(4); }
static void threads_per_processor(void **state) { run_pool(0); }

static int setup(void **state)
{
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	return knit_remove_tree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_thread),
		cmocka_unit_test(several_threads),
		cmocka_unit_test(threads_per_processor),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
