/*
 * The floor of an install on this machine: the work no installer can skip,
 * each part timed alone on one thread with the libraries knit uses. Given
 * the installed closure's tarballs and packuments, it inflates every
 * tarball (libdeflate), hashes it (SHA-512, the integrity check) and its
 * files (SHA-256, the store index), parses every packument (cJSON), creates
 * every file and folder (a store entry), hard-links them into a second tree
 * (deps/), and stats each file once (an entry check). It prints each part's
 * time and the sums for a cold install and a warm `ci`, so that knit's
 * figures (`knit install --timing`) can be set against them.
 *
 *   floor WORKDIR --tarballs T1.tgz T2.tgz ... --packuments P1.json ...
 *
 * WORKDIR should be on the file system the installs use (a tmpfs for
 * compare.sh); it is emptied first.
 */

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct blob {
	unsigned char *data;
	size_t len;
};

struct entry {
	char *path; /* relative to a package root: "<i>/<path in tar>" */
	char type;  /* 'd' or 'f' */
	const unsigned char *data;
	size_t len;
};

static struct entry *entries;
static size_t nentries, entries_cap;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct blob slurp(const char *path)
{
	struct blob b = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "floor: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	b.len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	b.data = malloc(b.len + 1);
	if (!b.data || fread(b.data, 1, b.len, f) != b.len) {
		fprintf(stderr, "floor: cannot read %s\n", path);
		exit(1);
	}
	b.data[b.len] = 0;
	fclose(f);
	return b;
}

static void add_entry(const char *path, char type, const unsigned char *data, size_t len)
{
	if (nentries == entries_cap) {
		entries_cap = entries_cap ? entries_cap * 2 : 1024;
		entries = realloc(entries, entries_cap * sizeof(*entries));
	}
	entries[nentries++] = (struct entry){ strdup(path), type, data, len };
}

/* The tar's entries (package/ stripped) under "<i>/", with every folder they need. */
static void list_tar(size_t i, const struct blob *tar, struct blob *keep)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, tar->data, tar->len) != ARCHIVE_OK) {
		fprintf(stderr, "floor: tarball %zu: %s\n", i, archive_error_string(a));
		exit(1);
	}
	char root[32], path[4096];
	snprintf(root, sizeof(root), "%zu", i);
	add_entry(root, 'd', NULL, 0);
	struct archive_entry *e;
	size_t at = 0;
	keep->data = malloc(tar->len);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e), *slash = strchr(name, '/');
		if (!slash || !slash[1] || archive_entry_filetype(e) != AE_IFREG)
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, slash + 1);
		/* the folders above it, once each (entries come folder by folder in these tarballs) */
		for (char *p = strchr(path + strlen(root) + 1, '/'); p; p = strchr(p + 1, '/')) {
			*p = 0;
			bool seen = false;
			for (size_t k = nentries; k-- > 0 && !seen && entries[k].path[0] == path[0];)
				seen = entries[k].type == 'd' && !strcmp(entries[k].path, path);
			if (!seen)
				add_entry(path, 'd', NULL, 0);
			*p = '/';
		}
		la_ssize_t n = archive_read_data(a, keep->data + at, tar->len - at);
		if (n < 0)
			n = 0;
		add_entry(path, 'f', keep->data + at, (size_t)n);
		at += (size_t)n;
	}
	archive_read_free(a);
}

static void in_dir(const char *dir, const char *rel, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", dir, rel);
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--tarballs")) {
		fprintf(stderr, "usage: floor WORKDIR --tarballs T.tgz ... --packuments P.json ...\n");
		return 2;
	}
	const char *work = argv[1];
	struct blob *tgz = calloc((size_t)argc, sizeof(*tgz)), *pk = calloc((size_t)argc, sizeof(*pk));
	size_t ntgz = 0, npk = 0;
	int i = 3;
	for (; i < argc && strcmp(argv[i], "--packuments"); i++)
		tgz[ntgz++] = slurp(argv[i]);
	for (i++; i < argc; i++)
		pk[npk++] = slurp(argv[i]);

	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s/store' '%s/deps'", work, work, work);
	if (system(cmd))
		return 1;

	/* inflate */
	struct blob *tar = calloc(ntgz ? ntgz : 1, sizeof(*tar));
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t tar_bytes = 0, tgz_bytes = 0;
	double t0 = now_ms();
	for (size_t k = 0; k < ntgz; k++) {
		const unsigned char *p = tgz[k].data + tgz[k].len - 4;
		size_t isize = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
		tar[k].data = malloc(isize + 1);
		if (libdeflate_gzip_decompress(d, tgz[k].data, tgz[k].len, tar[k].data, isize, &tar[k].len)) {
			fprintf(stderr, "floor: tarball %zu does not inflate\n", k);
			return 1;
		}
		tar_bytes += tar[k].len;
		tgz_bytes += tgz[k].len;
	}
	double t_inflate = now_ms() - t0;

	/* integrity: SHA-512 of each tarball */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	t0 = now_ms();
	for (size_t k = 0; k < ntgz; k++)
		EVP_Digest(tgz[k].data, tgz[k].len, md, &mdlen, EVP_sha512(), NULL);
	double t_sha512 = now_ms() - t0;

	/* packuments */
	size_t pk_bytes = 0;
	t0 = now_ms();
	for (size_t k = 0; k < npk; k++) {
		cJSON *j = cJSON_ParseWithLength((const char *)pk[k].data, pk[k].len);
		if (!j) {
			fprintf(stderr, "floor: packument %zu does not parse\n", k);
			return 1;
		}
		cJSON_Delete(j);
		pk_bytes += pk[k].len;
	}
	double t_parse = now_ms() - t0;

	/* the tar headers read (not timed: knit reads them as it writes) */
	struct blob *keep = calloc(ntgz ? ntgz : 1, sizeof(*keep));
	t0 = now_ms();
	for (size_t k = 0; k < ntgz; k++)
		list_tar(k, &tar[k], &keep[k]);
	double t_tar = now_ms() - t0;
	size_t files = 0, folders = 0;

	/* SHA-256 of each file (the store index) */
	t0 = now_ms();
	for (size_t k = 0; k < nentries; k++)
		if (entries[k].type == 'f')
			EVP_Digest(entries[k].data, entries[k].len, md, &mdlen, EVP_sha256(), NULL);
	double t_sha256 = now_ms() - t0;

	/* a store entry per package: folders made, files created read-only and written */
	char a[8192], b[8192];
	t0 = now_ms();
	for (size_t k = 0; k < nentries; k++) {
		in_dir(work, "store", b, sizeof(b));
		in_dir(b, entries[k].path, a, sizeof(a));
		if (entries[k].type == 'd') {
			folders++;
			if (mkdir(a, 0755) && errno != EEXIST)
				return perror(a), 1;
			continue;
		}
		files++;
		int fd = open(a, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0 || write(fd, entries[k].data, entries[k].len) != (ssize_t)entries[k].len || close(fd))
			return perror(a), 1;
	}
	double t_create = now_ms() - t0;

	/* deps/: the same tree, folders made and files hard-linked */
	int sfd = open(work, O_PATH | O_DIRECTORY), store = openat(sfd, "store", O_PATH | O_DIRECTORY),
	    deps = openat(sfd, "deps", O_PATH | O_DIRECTORY);
	t0 = now_ms();
	for (size_t k = 0; k < nentries; k++) {
		int rc = entries[k].type == 'd' ? mkdirat(deps, entries[k].path, 0755)
						 : linkat(store, entries[k].path, deps, entries[k].path, 0);
		if (rc)
			return perror(entries[k].path), 1;
	}
	double t_link = now_ms() - t0;

	/* an entry check: one stat per file and folder */
	struct stat st;
	t0 = now_ms();
	for (size_t k = 0; k < nentries; k++)
		if (fstatat(store, entries[k].path, &st, AT_SYMLINK_NOFOLLOW))
			return perror(entries[k].path), 1;
	double t_stat = now_ms() - t0;

	/* a symbolic link per package instead (pnpm's global virtual store's shape) */
	t0 = now_ms();
	char target[8192], name[64];
	for (size_t k = 0; k < ntgz; k++) {
		snprintf(name, sizeof(name), "sym-%zu", k);
		snprintf(target, sizeof(target), "%s/store/%zu", work, k);
		if (symlinkat(target, deps, name))
			return perror(name), 1;
	}
	double t_symlink = now_ms() - t0;

	printf("closure: %zu packages, %zu packuments (%.1f MB), %zu tarballs (%.2f MB, %.1f MB inflated), "
	       "%zu files, %zu folders\n",
	       ntgz, npk, pk_bytes / 1e6, ntgz, tgz_bytes / 1e6, tar_bytes / 1e6, files, folders);
	printf("part                 ms (one thread)\n");
	printf("inflate (libdeflate) %6.1f\n", t_inflate);
	printf("sha512 tarballs      %6.1f\n", t_sha512);
	printf("parse packuments     %6.1f\n", t_parse);
	printf("read tar headers     %6.1f\n", t_tar);
	printf("sha256 files         %6.1f\n", t_sha256);
	printf("create store files   %6.1f\n", t_create);
	printf("link deps/ files     %6.1f\n", t_link);
	printf("stat each entry      %6.1f\n", t_stat);
	printf("symlink per package  %6.1f\n", t_symlink);
	double cold = t_inflate + t_sha512 + t_parse + t_tar + t_sha256 + t_create + t_link;
	double warm = t_stat + t_link;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("cold install floor   %6.1f ms of work, %.1f ms on %ld cores\n", cold, cold / (double)cpus, cpus);
	printf("ci-warm floor        %6.1f ms of work (check + link), %.1f ms on %ld cores; "
	       "%.1f ms with a symlink per package\n",
	       warm, warm / (double)cpus, cpus, (t_stat + t_symlink) / (double)cpus);
	libdeflate_free_decompressor(d);
	return 0;
}
