/*
 * project/build_cache: an entry is staged, its text files' mentions of the
 * stage rewritten to its final path (binary files left alone), sealed with
 * a files list and renamed into place; a check finds it whole, finds none
 * where there is none, and removes one whose file, mode or link changed.
 * A project's hold keeps an entry through knit_build_cache_remove, and a
 * tree's usage tells its own hard links from links outside it.
 */
#include "conformance.h"
#include "project/build_cache.h"
#include "util/fs.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static void put(const char *dir, const char *rel, const char *data, size_t len)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	bool changed;
	strbuf_addf(&path, "%s/%s", dir, rel);
	if (knit_make_parents(path.buf) || knit_write_file_atomic(path.buf, data, len, &changed, &err))
		fail_msg("cannot write %s: %s", path.buf, err.buf);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void read_back(const char *dir, const char *rel, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s", dir, rel);
	strbuf_reset(out);
	if (knit_read_file(path.buf, out, &err))
		fail_msg("cannot read %s: %s", path.buf, err.buf);
	strbuf_release(&path);
	strbuf_release(&err);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/knit-test-build-cache-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	knit_remove_tree(root);
	return 0;
}

/* A staged entry for key with a .pc naming the stage, a binary naming it too, and a link. */
static void make_entry(struct knit_build_cache *bc, const char *key, struct strbuf *stage)
{
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_reset(stage);
	assert_int_equal(knit_build_cache_stage(bc, key, "entry", stage, &err), 0);
	strbuf_addf(&text, "prefix=%s/prefix\nLibs: -L%s/prefix/lib -lz\n", stage->buf, stage->buf);
	put(stage->buf, "prefix/lib/pkgconfig/z.pc", text.buf, text.len);
	strbuf_reset(&text);
	strbuf_add(&text, "\0ELF", 4);
	strbuf_addstr(&text, stage->buf);
	put(stage->buf, "prefix/lib/libz.a", text.buf, text.len);
	struct strbuf link = STRBUF_INIT;
	strbuf_addf(&link, "%s/prefix/lib/libz.so", stage->buf);
	assert_int_equal(symlink("libz.a", link.buf), 0);
	strbuf_release(&link);
	strbuf_release(&err);
	strbuf_release(&text);
}

static void seal_and_check(void **state)
{
	(void)state;
	struct knit_build_cache bc;
	struct strbuf err = STRBUF_INIT, stage = STRBUF_INIT, entry = STRBUF_INIT, text = STRBUF_INIT,
		      want = STRBUF_INIT;
	assert_int_equal(knit_build_cache_open(&bc, root, &err), 0);
	const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_int_equal(knit_build_cache_check(&bc, key, &err), 0); /* none yet */
	int lock = knit_build_cache_lock(&bc, key, &err);
	assert_true(lock >= 0);
	make_entry(&bc, key, &stage);
	assert_int_equal(knit_build_cache_seal(&bc, key, stage.buf, &err), 0);
	knit_build_cache_unlock(lock);
	knit_build_cache_entry(&bc, key, &entry);
	assert_int_equal(access(stage.buf, F_OK), -1);
	/* the text file names the entry now; the binary one is as it was */
	read_back(entry.buf, "prefix/lib/pkgconfig/z.pc", &text);
	strbuf_addf(&want, "prefix=%s/prefix\nLibs: -L%s/prefix/lib -lz\n", entry.buf, entry.buf);
	assert_string_equal(text.buf, want.buf);
	read_back(entry.buf, "prefix/lib/libz.a", &text);
	assert_memory_equal(text.buf + 4, stage.buf, stage.len);
	read_back(entry.buf, "files", &text);
	assert_non_null(strstr(text.buf, "l libz.a prefix/lib/libz.so\n"));
	assert_non_null(strstr(text.buf, "f 444 ")); /* sealed read-only */
	assert_int_equal(knit_build_cache_check(&bc, key, &err), 1);
	struct stat st;
	assert_int_equal(stat(entry.buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0555);
	strbuf_reset(&text);
	strbuf_addf(&text, "%s/prefix/lib", entry.buf);
	assert_int_equal(stat(text.buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0555);

	/* a changed file, a changed mode, a changed link: each found, the entry removed */
	static const char *const damage[] = { "echo x >>'%s/prefix/lib/pkgconfig/z.pc'",
					      "chmod 755 '%s/prefix/lib/libz.a'",
					      "ln -sfn /etc/passwd '%s/prefix/lib/libz.so'", "rm '%s/files'" };
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		knit_remove_tree(entry.buf); /* the first round's whole entry */
		make_entry(&bc, key, &stage);
		if (knit_build_cache_seal(&bc, key, stage.buf, &err))
			fail_msg("seal %zu: %s", i, err.buf);
		char cmd[1024];
		snprintf(cmd, sizeof(cmd), damage[i], entry.buf);
		assert_int_equal(system(cmd), 0);
		strbuf_reset(&err);
		assert_int_equal(knit_build_cache_check(&bc, key, &err), -1);
		assert_non_null(strstr(err.buf, "does not match its files list"));
		assert_int_equal(access(entry.buf, F_OK), -1);
	}
	knit_build_cache_close(&bc);
	strbuf_release(&err);
	strbuf_release(&stage);
	strbuf_release(&entry);
	strbuf_release(&text);
	strbuf_release(&want);
}

static int count_entry(void *ctx, const struct knit_build_entry_info *e, struct strbuf *err)
{
	(void)err;
	size_t *held = ctx;
	held[e->in_use]++;
	return 0;
}

static void hold_and_remove(void **state)
{
	(void)state;
	struct knit_build_cache bc;
	struct strbuf err = STRBUF_INIT, stage = STRBUF_INIT, hold = STRBUF_INIT, entry = STRBUF_INIT;
	assert_int_equal(knit_build_cache_open(&bc, root, &err), 0);
	const char *key = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	make_entry(&bc, key, &stage);
	put(stage.buf, "key", "name z\nversion 1\n", 17);
	assert_int_equal(knit_build_cache_seal(&bc, key, stage.buf, &err), 0);
	knit_build_cache_entry(&bc, key, &entry);
	strbuf_addf(&hold, "%s/project/deps/.build/hold/z", root);
	knit_build_cache_mark_used(&bc, key, hold.buf);
	size_t held[2] = { 0, 0 };
	assert_int_equal(knit_build_cache_list(root, count_entry, held, &err), 0);
	assert_int_equal(held[1], 1);
	bool removed = true;
	assert_int_equal(knit_build_cache_remove(root, key, &removed, &err), 0);
	assert_false(removed);
	assert_int_equal(access(entry.buf, F_OK), 0);
	/* marking again keeps the one hold; the project gone, the entry goes */
	knit_build_cache_mark_used(&bc, key, hold.buf);
	assert_int_equal(unlink(hold.buf), 0);
	assert_int_equal(knit_build_cache_remove(root, key, &removed, &err), 0);
	assert_true(removed);
	assert_int_equal(access(entry.buf, F_OK), -1);
	knit_build_cache_close(&bc);
	strbuf_release(&err);
	strbuf_release(&stage);
	strbuf_release(&hold);
	strbuf_release(&entry);
}

static void tree_usage(void **state)
{
	(void)state;
	struct strbuf dir = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT, out = STRBUF_INIT;
	strbuf_addf(&dir, "%s/usage/tree", root);
	put(dir.buf, "sub/a", "0123456789", 10);
	strbuf_addf(&a, "%s/sub/a", dir.buf);
	strbuf_addf(&b, "%s/b", dir.buf);
	assert_int_equal(link(a.buf, b.buf), 0); /* a hard link inside the tree */
	struct knit_tree_usage use;
	assert_int_equal(knit_tree_usage(dir.buf, &use), 0);
	assert_int_equal(use.files, 2);
	assert_false(use.linked_outside);
	unsigned long long one = use.bytes;
	strbuf_addf(&out, "%s/usage/outside", root);
	assert_int_equal(link(a.buf, out.buf), 0);
	assert_int_equal(knit_tree_usage(dir.buf, &use), 0);
	assert_true(use.linked_outside);
	assert_int_equal(use.bytes, one); /* the inode's blocks once */
	assert_int_equal(knit_tree_usage("/nonexistent/knit", &use), -1);
	strbuf_release(&dir);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seal_and_check),
		cmocka_unit_test(hold_and_remove),
		cmocka_unit_test(tree_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
