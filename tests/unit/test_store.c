/*
 * registry/store: hostile tarballs, crafted here with libarchive's writer,
 * are refused whole and leave nothing in the store or outside it: the
 * 14/15-deep link chain of issue 11 (and a hard link through it), links to
 * '/' or dangling out, deep nesting, long paths, and a gzip bomb against a
 * small max-unpacked-size. A package with links that stay inside is kept.
 */
#include "conformance.h"
#include "util/integrity.h"
#include "store/store.h"
#include "store/store_index.h"
#include "util/strbuf.h"
#include "util/tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/knit-store-XXXXXX";

struct tar {
	struct archive *a;
	struct strbuf out;
};

static la_ssize_t to_buf(struct archive *a, void *ctx, const void *buf, size_t n)
{
	strbuf_add(&((struct tar *)ctx)->out, buf, n);
	return (la_ssize_t)n;
}

static void tar_open(struct tar *t)
{
	strbuf_init(&t->out, 0);
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	archive_write_add_filter_gzip(t->a);
	assert_int_equal(archive_write_open(t->a, t, NULL, to_buf, NULL), ARCHIVE_OK);
}

/* type 'f' file (data: body, size bytes of it repeated), 'd' folder, 'l' symlink, 'h' hard link */
static void tar_add(struct tar *t, char type, const char *path, const char *data, size_t size)
{
	struct archive_entry *e = archive_entry_new();
	struct strbuf name = STRBUF_INIT;
	strbuf_addf(&name, "package/%s", path);
	archive_entry_set_pathname(e, name.buf);
	archive_entry_set_perm(e, type == 'd' ? 0755 : 0644);
	archive_entry_set_mtime(e, 0, 0);
	if (type == 'f') {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)size);
	} else if (type == 'd') {
		archive_entry_set_filetype(e, AE_IFDIR);
	} else if (type == 'l') {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, data);
	} else {
		struct strbuf to = STRBUF_INIT;
		strbuf_addf(&to, "package/%s", data);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, to.buf);
		strbuf_release(&to);
	}
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (type == 'f') {
		static char zeros[65536];
		size_t len = strlen(data);
		for (size_t done = 0; done < size;) {
			size_t n = size - done < sizeof(zeros) ? size - done : sizeof(zeros);
			const char *buf = len ? data : zeros;
			if (len && n > len)
				n = len;
			assert_int_equal(archive_write_data(t->a, buf, n), (la_ssize_t)n);
			done += n;
		}
	}
	archive_entry_free(e);
	strbuf_release(&name);
}

static void tar_close(struct tar *t)
{
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
}

/* t's tarball into the store (t->out released); *index, when not NULL, gets the entry's index as sealed. */
static int put_keep(const char *label, struct tar *t, unsigned long long cap, struct strbuf *err,
		    struct knit_integrity *id, struct knit_store_index *index)
{
	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA512);
	knit_hasher_update(h, t->out.buf, t->out.len);
	knit_hasher_finish(h, id);
	struct strbuf cache = STRBUF_INIT;
	strbuf_addf(&cache, "%s/cache", tmp);
	int rc = index ? knit_store_put_keep(cache.buf, id, t->out.buf, t->out.len, -1, label, cap, index, err)
		       : knit_store_put(cache.buf, id, t->out.buf, t->out.len, label, cap, err);
	strbuf_release(&cache);
	strbuf_release(&t->out);
	return rc;
}

static int put(const char *label, struct tar *t, unsigned long long cap, struct strbuf *err,
	       struct knit_integrity *id)
{
	return put_keep(label, t, cap, err, id, NULL);
}

/* The package is refused with a message holding want, and neither the store nor its tmp keeps a trace. */
static void expect_refused(const char *label, struct tar *t, unsigned long long cap, const char *want)
{
	struct strbuf err = STRBUF_INIT, cache = STRBUF_INIT, cmd = STRBUF_INIT;
	struct knit_integrity id;
	int rc = put(label, t, cap, &err, &id);
	if (getenv("KNIT_TEST_VERBOSE"))
		print_message("%s\n", err.buf);
	if (!rc || !strstr(err.buf, want) || !strstr(err.buf, label))
		fail_msg("%s: rc %d, message '%s', wanted '%s'", label, rc, err.buf, want);
	strbuf_addf(&cache, "%s/cache", tmp);
	assert_false(knit_store_has(cache.buf, &id));
	strbuf_addf(&cmd, "test -z \"$(ls -A %s/store/tmp)\"", cache.buf);
	assert_int_equal(system(cmd.buf), 0);
	strbuf_release(&err);
	strbuf_release(&cache);
	strbuf_release(&cmd);
}

static void chain_path(struct strbuf *p)
{
	for (int i = 0; i < 14; i++)
		strbuf_addf(p, "a%d/", i);
}

/* a0/.../a13/L -> 14 x '..' (the package root), x -> a0/.../a13/L/ + 15 x '..' (outside) */
static void add_chain(struct tar *t)
{
	struct strbuf p = STRBUF_INIT, up = STRBUF_INIT, x = STRBUF_INIT;
	chain_path(&p);
	tar_add(t, 'd', p.buf, "", 0);
	for (int i = 0; i < 14; i++)
		strbuf_addstr(&up, i ? "/.." : "..");
	strbuf_addf(&p, "L");
	tar_add(t, 'l', p.buf, up.buf, 0);
	strbuf_addf(&x, "%s/%s/..", p.buf, up.buf);
	tar_add(t, 'l', "x", x.buf, 0);
	strbuf_release(&p);
	strbuf_release(&up);
	strbuf_release(&x);
}

static void link_chain(void **state)
{
	struct tar t;
	tar_open(&t);
	tar_add(&t, 'f', "knit.json", "{}", 2);
	add_chain(&t);
	tar_close(&t);
	expect_refused("chain", &t, 0, "outside");
}

/* a hard link through the chain would take a file from outside into the package */
static void hard_link_through_chain(void **state)
{
	struct strbuf outside = STRBUF_INIT, target = STRBUF_INIT;
	strbuf_addf(&outside, "%s/outside", tmp);
	FILE *f = fopen(outside.buf, "w");
	fputs("secret\n", f);
	fclose(f);
	struct tar t;
	tar_open(&t);
	add_chain(&t);
	strbuf_addf(&target, "x%s", outside.buf);
	tar_add(&t, 'h', "stolen", target.buf, 0);
	tar_close(&t);
	expect_refused("hardchain", &t, 0, "stolen");
	struct stat st;
	assert_int_equal(stat(outside.buf, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	strbuf_release(&outside);
	strbuf_release(&target);
}

static void link_to_root(void **state)
{
	struct tar t;
	tar_open(&t);
	tar_add(&t, 'l', "root", "/", 0);
	tar_close(&t);
	expect_refused("rootlink", &t, 0, "outside");
}

static void dangling_out(void **state)
{
	struct tar t;
	tar_open(&t);
	tar_add(&t, 'd', "d", "", 0);
	tar_add(&t, 'l', "d/up", "..", 0);
	tar_add(&t, 'l', "out", "d/up/d/up/../no-such-file", 0);
	tar_close(&t);
	expect_refused("danglingout", &t, 0, "outside");
}

static void deep_nesting(void **state)
{
	struct strbuf p = STRBUF_INIT;
	struct tar t;
	tar_open(&t);
	for (int i = 0; i < 2000; i++)
		strbuf_addstr(&p, "d/");
	strbuf_addstr(&p, "f");
	tar_add(&t, 'f', p.buf, "x", 1);
	tar_close(&t);
	expect_refused("deep", &t, 0, "folders deep");
	strbuf_release(&p);
}

static void long_path(void **state)
{
	struct strbuf p = STRBUF_INIT;
	struct tar t;
	tar_open(&t);
	for (int i = 0; i < 10; i++) {
		for (int j = 0; j < 120; j++)
			strbuf_addch(&p, 'a' + i);
		strbuf_addch(&p, '/');
	}
	strbuf_addstr(&p, "f");
	tar_add(&t, 'f', p.buf, "x", 1);
	tar_close(&t);
	expect_refused("longpath", &t, 0, "bytes long");
	strbuf_release(&p);
}

/* 64 MiB of zeros gzip to about 64 KiB: refused under a 1 MiB cap, kept under the default */
static void bomb(void **state)
{
	struct tar t;
	tar_open(&t);
	tar_add(&t, 'f', "a", "", 512 * 1024);
	tar_add(&t, 'f', "zeros", "", 64u << 20);
	tar_close(&t);
	assert_true(t.out.len < (1u << 20));
	expect_refused("bomb", &t, 1u << 20, "max-unpacked-size");

	/* hard links count too: each would be a full copy for a package installed by copying */
	tar_open(&t);
	tar_add(&t, 'f', "a", "", 300 * 1024);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "h%d", i);
		tar_add(&t, 'h', name, "a", 0);
	}
	tar_close(&t);
	expect_refused("hardbomb", &t, 1u << 20, "max-unpacked-size");
}

static void links_inside_kept(void **state)
{
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	struct knit_integrity id;
	struct tar t;
	tar_open(&t);
	tar_add(&t, 'f', "a", "hello", 5);
	tar_add(&t, 'd', "d", "", 0);
	tar_add(&t, 'l', "d/l", "../a", 0);
	tar_add(&t, 'l', "d/self", ".", 0);
	tar_add(&t, 'l', "later", "d/l", 0);
	tar_add(&t, 'l', "missing", "no-such-file", 0); /* dangling, but inside */
	tar_add(&t, 'h', "d/h", "a", 0);
	tar_close(&t);
	int rc = put("inside", &t, 0, &err, &id);
	if (rc)
		fail_msg("%s", err.buf);
	strbuf_addf(&dir, "%s/cache", tmp);
	assert_true(knit_store_has(dir.buf, &id));
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/cache", tmp);
	struct strbuf path = STRBUF_INIT;
	knit_store_path(dir.buf, &id, &path);
	strbuf_addstr(&path, "/later");
	char buf[16] = "";
	FILE *f = fopen(path.buf, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "hello");
	strbuf_release(&err);
	strbuf_release(&dir);
	strbuf_release(&path);
}

/*
 * The index a put hands back is the entry's own, and the digests taken as
 * the files were extracted are their contents' (a full check hashes every
 * file again): a path written twice, a hard link, an executable, a big file.
 */
static void kept_index_is_the_entry(void **state)
{
	(void)state;
	struct strbuf err = STRBUF_INIT, cache = STRBUF_INIT, pkg = STRBUF_INIT, kept = STRBUF_INIT, read = STRBUF_INIT;
	struct tar t;
	tar_open(&t);
	tar_add(&t, 'd', "src", "", 0);
	tar_add(&t, 'f', "src/a.c", "int a;\n", 7);
	tar_add(&t, 'f', "dup", "first", 5);
	tar_add(&t, 'f', "dup", "second!", 7);
	tar_add(&t, 'h', "src/same.c", "src/a.c", 0);
	tar_add(&t, 'f', "big", "0123456789abcdef", 300000);
	tar_add(&t, 'f', "implicit/dir/x.h", "#define X\n", 10);
	tar_close(&t);
	struct knit_integrity id;
	struct knit_store_index idx, back;
	if (put_keep("kept", &t, 0, &err, &id, &idx))
		fail_msg("%s", err.buf);
	strbuf_addf(&cache, "%s/cache", tmp);
	knit_store_path(cache.buf, &id, &pkg);
	struct strbuf why = STRBUF_INIT;
	if (knit_store_check_keep(pkg.buf, true, &back, &why))
		fail_msg("full check: %s", why.buf);
	knit_store_index_format(&idx, &kept);
	knit_store_index_format(&back, &read);
	assert_string_equal(kept.buf, read.buf);
	assert_non_null(strstr(kept.buf, " 7 ")); /* dup: its second write */
	knit_store_index_release(&idx);
	knit_store_index_release(&back);
	strbuf_release(&why);
	strbuf_release(&err);
	strbuf_release(&cache);
	strbuf_release(&pkg);
	strbuf_release(&kept);
	strbuf_release(&read);
}

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
		cmocka_unit_test(link_chain),
		cmocka_unit_test(hard_link_through_chain),
		cmocka_unit_test(link_to_root),
		cmocka_unit_test(dangling_out),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(long_path),
		cmocka_unit_test(bomb),
		cmocka_unit_test(links_inside_kept),
		cmocka_unit_test(kept_index_is_the_entry),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
