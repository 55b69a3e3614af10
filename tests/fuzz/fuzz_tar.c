/*
 * libFuzzer target for the store's extraction (store/store.c): tar
 * entries whose names, link targets, types, modes and sizes come from the
 * input go through knit_store_put() into a cache deep inside a sandbox
 * folder, and nothing outside the cache may change: the sandbox must hold
 * exactly its sentinel file, with its mode and content, and the cache's
 * folders. A refusal is fine; a crash, a sanitizer report or a write
 * outside is not.
 *
 * Input: a first byte of 0 feeds the rest as a raw tar (or tgz). Else
 * entries: a type byte (file, folder, symbolic link, hard link by its
 * value mod 4), a mode byte, a name length byte, the name, a target length
 * byte and the target (links), a size byte (KiB of file data: the bytes
 * that follow, repeated). Names get "package/" in front when they do not
 * start with '!'.
 */
#include "util/integrity.h"
#include "store/store.h"
#include "util/strbuf.h"
#include "util/tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char sandbox[64];
static struct strbuf cache = STRBUF_INIT;

static void cleanup(void)
{
	knit_remove_tree(sandbox);
}

static void setup(void)
{
	if (sandbox[0])
		return;
	strcpy(sandbox, "/tmp/knit-fuzz-tar-XXXXXX");
	if (!mkdtemp(sandbox))
		abort();
	strbuf_addf(&cache, "%s/a/b/c/d", sandbox);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/a/b/c/d && echo secret > %s/sentinel && chmod 0644 %s/sentinel",
		 sandbox, sandbox, sandbox);
	if (system(cmd))
		abort();
	atexit(cleanup);
}

/* Whether the folder at path holds exactly the one entry only (and is mode 0755 unless top). */
static bool holds_only(const char *path, const char *only)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	bool ok = d != NULL;
	while (ok && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		ok = !strcmp(e->d_name, only) || (!strcmp(path, sandbox) && !strcmp(e->d_name, "sentinel"));
	}
	if (d)
		closedir(d);
	return ok && n == (strcmp(path, sandbox) ? 1 : 2);
}

/* The sandbox holds the cache's parents a/b/c, the cache d, and sentinel as made: nothing else. */
static void check_sandbox(void)
{
	char path[128], text[16] = "";
	struct stat st;
	snprintf(path, sizeof(path), "%s/sentinel", sandbox);
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	bool ok = fd >= 0 && !fstat(fd, &st) && (st.st_mode & 07777) == 0644 && st.st_nlink == 1 &&
		  read(fd, text, sizeof(text)) == 7 && !memcmp(text, "secret\n", 7);
	if (fd >= 0)
		close(fd);
	static const char *const chain[] = { "", "/a", "/a/b", "/a/b/c" }, *const next[] = { "a", "b", "c", "d" };
	for (int i = 0; ok && i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", sandbox, chain[i]);
		ok = holds_only(path, next[i]) && (!i || (!lstat(path, &st) && (st.st_mode & 07777) == 0755));
	}
	if (!ok) {
		fprintf(stderr, "fuzz_tar: something was written outside the cache in %s\n", sandbox);
		abort();
	}
}

static la_ssize_t to_buf(struct archive *a, void *ctx, const void *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return (la_ssize_t)n;
}

static int take(const uint8_t **p, const uint8_t *end, size_t n, const uint8_t **out)
{
	if ((size_t)(end - *p) < n)
		return -1;
	*out = *p;
	*p += n;
	return 0;
}

/* The entries described by data as a tar (uncompressed: the store reads either). */
static void build(const uint8_t *data, size_t size, struct strbuf *tar)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_open(a, tar, NULL, to_buf, NULL);
	const uint8_t *p = data, *end = data + size, *b;
	struct strbuf name = STRBUF_INIT, target = STRBUF_INIT;
	static char block[1024];
	for (int n = 0; n < 64 && !take(&p, end, 3, &b); n++) {
		unsigned type = b[0] % 4, mode = b[1], len = b[2];
		const uint8_t *s;
		if (take(&p, end, len, &s))
			break;
		strbuf_reset(&name);
		if (!len || s[0] != '!')
			strbuf_addstr(&name, "package/");
		strbuf_add(&name, len && s[0] == '!' ? s + 1 : s, len && s[0] == '!' ? len - 1 : len);
		strbuf_reset(&target);
		if (type >= 2) {
			if (take(&p, end, 1, &b) || take(&p, end, b[0], &s))
				break;
			if (type == 3)
				strbuf_addstr(&target, "package/");
			strbuf_add(&target, s, b[0]);
		}
		size_t kib = 0;
		if (type == 0 && !take(&p, end, 1, &b))
			kib = b[0] % 8;
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, name.buf);
		archive_entry_set_perm(e, mode * 7u);
		archive_entry_set_mtime(e, 0, 0);
		archive_entry_set_filetype(e, type == 1 ? AE_IFDIR : type == 2 ? AE_IFLNK : AE_IFREG);
		if (type == 2)
			archive_entry_set_symlink(e, target.buf);
		if (type == 3)
			archive_entry_set_hardlink(e, target.buf);
		if (type == 0)
			archive_entry_set_size(e, (la_int64_t)kib * 1024);
		if (archive_write_header(a, e) == ARCHIVE_OK && type == 0) {
			size_t have = (size_t)(end - p) < sizeof(block) ? (size_t)(end - p) : sizeof(block);
			for (size_t i = 0; i < sizeof(block); i++)
				block[i] = have ? (char)p[i % have] : 0;
			for (size_t i = 0; i < kib; i++)
				archive_write_data(a, block, sizeof(block));
		}
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	strbuf_release(&name);
	strbuf_release(&target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	setup();
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;
	if (data[0] == 0)
		strbuf_add(&tar, data + 1, size - 1);
	else
		build(data + 1, size - 1, &tar);
	struct knit_integrity id = { .algo = KNIT_HASH_SHA512, .len = 64 };
	memset(id.digest, 0xab, sizeof(id.digest));
	/* a small cap, so that the limit is reached often */
	knit_store_put(cache.buf, &id, tar.buf, tar.len, "fuzz", 64 * 1024, &err);
	check_sandbox();
	knit_remove_tree(cache.buf);
	mkdir(cache.buf, 0755);
	strbuf_release(&tar);
	strbuf_release(&err);
	return 0;
}
