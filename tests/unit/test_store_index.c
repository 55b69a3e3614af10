/*
 * registry/store_index and the store's use of it: sealing makes files and
 * folders read-only and records them; the quick check finds appended,
 * truncated (mtime restored), deleted and replaced files; the full check
 * finds a same-size same-mtime edit and an added file; the text round-trips
 * and refuses damage; a failed seal leaves nothing in the store; a deep
 * tree is walked without recursion.
 */
#include "conformance.h"
#include "util/integrity.h"
#include "store/store.h"
#include "store/store_index.h"
#include "util/error.h"
#include "util/tree.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/knit-store-index-XXXXXX";
static char pkg[512];

static void sh(const char *fmt, const char *arg)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg);
	assert_int_equal(system(cmd), 0);
}

/* A fresh package folder: src/a.c, include/a.h, a link, an executable. */
static void make_pkg(void)
{
	snprintf(pkg, sizeof(pkg), "%s/pkg", tmp);
	/* the last one is sealed: read-only folders, which knit_remove_tree copes with */
	assert_int_equal(knit_remove_tree(pkg), 0);
	sh("mkdir -p %s/src %s/include", pkg);
	sh("cd %s && printf 'int a;\\n' >src/a.c && printf '#define A 1\\n' >include/a.h && "
	   "ln -s include/a.h a.h && printf '#!/bin/sh\\n' >run && chmod 755 run && echo '{}' >knit.json", pkg);
}

static void seal(struct knit_store_index *idx)
{
	struct strbuf err = STRBUF_INIT;
	int rc = knit_store_index_seal(pkg, "liba", idx, &err);
	if (rc)
		fail_msg("seal: %s", err.buf);
	strbuf_release(&err);
}

/* The check's answer, and *why in a static buffer. */
static const char *check(const struct knit_store_index *idx, bool full)
{
	static char why[512];
	struct strbuf w = STRBUF_INIT;
	int rc = knit_store_index_check(pkg, idx, full, &w);
	snprintf(why, sizeof(why), "%s", rc ? w.buf : "");
	assert_true(rc == 0 || rc == KNIT_EPARSE);
	assert_int_equal(rc != 0, w.len != 0);
	strbuf_release(&w);
	return why;
}

static mode_t mode_of(const char *rel)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", pkg, rel);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_seal(void **state)
{
	(void)state;
	make_pkg();
	struct knit_store_index idx;
	seal(&idx);
	assert_int_equal(idx.n, 8); /* . src include, src/a.c include/a.h a.h run knit.json */
	for (size_t i = 1; i < idx.n; i++)
		assert_true(strcmp(idx.items[i - 1].path, idx.items[i].path) < 0);
	assert_int_equal(mode_of("src/a.c"), 0444);
	assert_int_equal(mode_of("run"), 0555);
	assert_int_equal(mode_of("src"), 0555);
	assert_int_equal(mode_of("."), 0555);
	assert_string_equal(check(&idx, false), "");
	assert_string_equal(check(&idx, true), "");
	knit_store_index_release(&idx);
}

static const struct knit_store_item *item(const struct knit_store_index *idx, const char *path)
{
	for (size_t i = 0; i < idx->n; i++)
		if (!strcmp(idx->items[i].path, path))
			return &idx->items[i];
	fail_msg("no '%s' in the index", path);
	return NULL;
}

/* Digests the writer gave are taken only for files sealed as written, of that size; a path's last write counts. */
static void test_seal_written(void **state)
{
	(void)state;
	make_pkg();
	sh("cd %s && chmod 444 src/a.c knit.json && chmod 555 run", pkg);
	unsigned char fake1[32], fake2[32], fake3[32];
	memset(fake1, 0xab, sizeof(fake1));
	memset(fake2, 0xcd, sizeof(fake2));
	memset(fake3, 0xef, sizeof(fake3));
	struct knit_store_written_set w = { 0 };
	knit_store_written_add(&w, "src/a.c", 7, fake1);     /* sealed mode, right size: taken */
	knit_store_written_add(&w, "include/a.h", 11, fake1); /* still 0644: read */
	knit_store_written_add(&w, "knit.json", 3, fake1);
	knit_store_written_add(&w, "knit.json", 3, fake2);    /* written twice: the last counts */
	knit_store_written_add(&w, "run", 99, fake3);         /* another size: read */
	struct knit_store_index idx;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_store_index_seal_written(pkg, "liba", &w, &idx, &err), 0);
	assert_memory_equal(item(&idx, "src/a.c")->digest, fake1, 32);
	assert_memory_not_equal(item(&idx, "include/a.h")->digest, fake1, 32);
	assert_memory_equal(item(&idx, "knit.json")->digest, fake2, 32);
	assert_memory_not_equal(item(&idx, "run")->digest, fake3, 32);
	assert_int_equal(mode_of("include/a.h"), 0444);
	/* what was read is what a full check finds; what was taken is not (the fakes) */
	assert_string_equal(check(&idx, false), "");
	assert_string_not_equal(check(&idx, true), "");
	knit_store_index_release(&idx);
	knit_store_written_release(&w);
	strbuf_release(&err);
}

/* Each damage, on a fresh sealed package: what the quick and the full check say. */
static void expect_damage(const char *script, const char *quick, const char *full)
{
	char cmd[4096];
	make_pkg();
	struct knit_store_index idx;
	seal(&idx);
	snprintf(cmd, sizeof(cmd), "cd %s && chmod -R u+w . && %s", pkg, script);
	assert_int_equal(system(cmd), 0);
	assert_string_equal(check(&idx, false), quick);
	assert_string_equal(check(&idx, true), full);
	knit_store_index_release(&idx);
}

static void test_damage(void **state)
{
	(void)state;
	expect_damage("echo x >>src/a.c", "src/a.c: size", "src/a.c: size");
	expect_damage("touch -r src/a.c ../ref && truncate -s 2 src/a.c && touch -r ../ref src/a.c", "src/a.c: size",
		      "src/a.c: size");
	expect_damage("rm src/a.c", "src/a.c: missing", "src/a.c: missing");
	/* cp over a file as root: same inode, new content and mtime */
	expect_damage("printf 'int b;\\n' >../new && cp ../new src/a.c && touch -d '2001-01-01' src/a.c",
		      "src/a.c: mtime", "src/a.c: content");
	/* same size, same mtime: only the digests tell */
	expect_damage("touch -r src/a.c ../ref && printf 'int b;\\n' >src/a.c && touch -r ../ref src/a.c", "",
		      "src/a.c: content");
	/* an added file changes its folder's mtime; restored, only the full walk sees it */
	expect_damage("echo x >src/new.c", "src: mtime", "src/new.c: added");
	expect_damage("touch -r src ../ref && echo x >src/new.c && touch -r ../ref src", "", "src/new.c: added");
	/* replaced by a link */
	expect_damage("touch -r src ../ref && rm src/a.c && ln -s ../include/a.h src/a.c && touch -r ../ref src",
		      "src/a.c: type", "src/a.c: type");
	/* a folder replaced by a link to a copy of it */
	expect_damage("cp -a include ../inc && rm -r include && ln -s ../inc include", "include: type",
		      "include/a.h: missing");
	expect_damage("rm a.h && ln -s src/a.c a.h && touch -h -d 2001-01-01 a.h", "a.h: mtime", "a.h: link target");
	/* deps/.bin makes a command executable in the store: not damage */
	expect_damage("chmod 555 knit.json", "", "");
}

static void test_format(void **state)
{
	(void)state;
	make_pkg();
	sh("cd %s && printf x >'sp ace%%0a' && printf y >\"$(printf 'new\\nline')\"", pkg);
	struct knit_store_index idx, back;
	seal(&idx);
	struct strbuf text = STRBUF_INIT, again = STRBUF_INIT;
	knit_store_index_format(&idx, &text);
	assert_non_null(strstr(text.buf, "sp%20ace%250a\n"));
	assert_non_null(strstr(text.buf, "new%0aline\n"));
	assert_int_equal(knit_store_index_parse(&back, text.buf, text.len), 0);
	knit_store_index_format(&back, &again);
	assert_string_equal(text.buf, again.buf);
	assert_string_equal(check(&back, true), "");
	/* damage to the text */
	const char *bad[] = { "", "knit store index 2\n", "knit store index 1\nd 1.5 .\n",
			      "knit store index 1\nd 1.000000000 b\nd 1.000000000 a\n",
			      "knit store index 1\nd 1.000000000 a\nd 1.000000000 a\n",
			      "knit store index 1\nf 1.000000000 3 abc a\n", "knit store index 1\nq 1.000000000 a\n",
			      "knit store index 1\nd 1.000000000 a%00b\n", "knit store index 1\nd 1.000000000 a",
			      "knit store index 1\nd 1.000000000 a b\n", "knit store index 1\nl 1.000000000 a\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct knit_store_index x;
		if (knit_store_index_parse(&x, bad[i], strlen(bad[i])) != KNIT_EPARSE)
			fail_msg("parsed: %s", bad[i]);
	}
	strbuf_release(&text);
	strbuf_release(&again);
	knit_store_index_release(&idx);
	knit_store_index_release(&back);
}

/* A fifo cannot be sealed: the publish fails and leaves neither the entry nor its temporary folder. */
static void test_failed_seal(void **state)
{
	(void)state;
	char cache[600], path[700];
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	struct strbuf t = STRBUF_INIT, err = STRBUF_INIT, final = STRBUF_INIT;
	int owner;
	assert_int_equal(knit_store_begin(cache, &t, &owner, &err), 0);
	snprintf(path, sizeof(path), "%s/package", t.buf);
	sh("mkdir -p %s/src && echo x >%s/src/a.c && mkfifo %s/src/fifo", path);
	knit_store_git_path(cache, "0123456789012345678901234567890123456789", &final);
	assert_int_equal(knit_store_publish(t.buf, owner, final.buf, "libfifo", &err), KNIT_EIO);
	assert_non_null(strstr(err.buf, "package 'libfifo': cannot seal 'src/fifo' in the store"));
	assert_int_equal(access(t.buf, F_OK), -1);
	strbuf_reset(&err);
	assert_int_equal(knit_store_check(final.buf, false, &err), KNIT_ENOTFOUND);
	snprintf(path, sizeof(path), "test -z \"$(ls -A %s/store/tmp)\"", cache);
	assert_int_equal(system(path), 0);
	strbuf_release(&t);
	strbuf_release(&err);
	strbuf_release(&final);
}

/* Published: the check finds it whole; damaged, evicted, it is gone; a missing index is damage. */
static void test_publish_evict(void **state)
{
	(void)state;
	char cache[600], path[700];
	snprintf(cache, sizeof(cache), "%s/cache2", tmp);
	struct strbuf t = STRBUF_INIT, err = STRBUF_INIT, final = STRBUF_INIT;
	int owner;
	knit_store_git_path(cache, "1123456789012345678901234567890123456789", &final);
	assert_int_equal(knit_store_check(final.buf, true, &err), KNIT_ENOTFOUND);
	assert_int_equal(knit_store_begin(cache, &t, &owner, &err), 0);
	snprintf(path, sizeof(path), "%s/package", t.buf);
	sh("mkdir -p %s/src && echo x >%s/src/a.c", path);
	assert_int_equal(knit_store_publish(t.buf, owner, final.buf, "liba", &err), 0);
	assert_int_equal(knit_store_check(final.buf, true, &err), 0);
	snprintf(path, sizeof(path), "%s/src/a.c", final.buf);
	assert_int_equal(chmod(path, 0644), 0);
	sh("echo y >>%s", path);
	assert_int_equal(knit_store_check(final.buf, false, &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "src/a.c: size");
	strbuf_reset(&err);
	assert_int_equal(knit_store_evict(cache, final.buf, &err), 0);
	assert_int_equal(knit_store_check(final.buf, false, &err), KNIT_ENOTFOUND);
	assert_int_equal(access(final.buf, F_OK), -1);
	/* an entry whose index went missing */
	strbuf_reset(&t);
	assert_int_equal(knit_store_begin(cache, &t, &owner, &err), 0);
	snprintf(path, sizeof(path), "%s/package", t.buf);
	sh("mkdir -p %s", path);
	assert_int_equal(knit_store_publish(t.buf, owner, final.buf, "liba", &err), 0);
	snprintf(path, sizeof(path), "%s", final.buf);
	strcpy(path + strlen(path) - strlen("package"), "index");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(knit_store_check(final.buf, false, &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "its index: missing");
	strbuf_release(&t);
	strbuf_release(&err);
	strbuf_release(&final);
}

/* 1500 folders deep: sealed and checked without recursion (the stack would not hold it). */
static void test_deep(void **state)
{
	(void)state;
	snprintf(pkg, sizeof(pkg), "%s/deep", tmp);
	sh("rm -rf %s && mkdir %s", pkg);
	int fd = open(pkg, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < 1500; i++) { /* paths stay under PATH_MAX: 1500 * 2 bytes */
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	int f = openat(fd, "leaf", O_WRONLY | O_CREAT, 0644);
	assert_true(f >= 0 && write(f, "x", 1) == 1);
	close(f);
	close(fd);
	struct knit_store_index idx;
	seal(&idx);
	assert_int_equal(idx.n, 1502);
	assert_string_equal(check(&idx, false), "");
	assert_string_equal(check(&idx, true), "");
	knit_store_index_release(&idx);
	sh("chmod -R u+w %s", pkg);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", tmp, tmp);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	if (!mkdtemp(tmp))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_seal_written),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_failed_seal),
		cmocka_unit_test(test_publish_evict),
		cmocka_unit_test(test_deep),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
