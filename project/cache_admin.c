#include "cache_admin.h"
#include "build_cache.h"
#include "manifest.h"
#include "store/git.h"
#include "store/store.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *knit_cache_kind_name(enum knit_cache_kind kind)
{
	static const char *const names[] = { "source", "mirror", "build", "metadata" };
	return names[kind];
}

static struct knit_cache_item *add_item(struct knit_cache_items *items, enum knit_cache_kind kind, const char *label,
					const char *id, unsigned long long bytes, long long used, bool in_use)
{
	KNIT_ALLOC_GROW(items->v, items->n + 1, items->alloc);
	struct knit_cache_item *it = &items->v[items->n++];
	*it = (struct knit_cache_item){ kind, knit_xstrdup(label), knit_xstrdup(id), bytes, 1, used, in_use };
	return it;
}

void knit_cache_items_release(struct knit_cache_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].label);
		free(items->v[i].id);
	}
	free(items->v);
	memset(items, 0, sizeof(*items));
}

/* "name@version" from a store entry's own manifest, or its folder name when it names nothing. */
static int on_source(void *ctx, const struct knit_store_entry_info *e, struct strbuf *err)
{
	(void)err;
	struct knit_manifest m;
	struct strbuf label = STRBUF_INIT, scratch = STRBUF_INIT;
	if (!knit_manifest_read_package(&m, e->pkg_dir, "a store entry", &scratch)) {
		if (m.name && m.version)
			strbuf_addf(&label, "%s@%s", m.name, m.version);
		knit_manifest_release(&m);
	}
	if (!label.len)
		strbuf_addch(&label, '?');
	add_item(ctx, KNIT_CACHE_SOURCE, label.buf, e->name, e->bytes, e->last_used, e->in_use);
	strbuf_release(&label);
	strbuf_release(&scratch);
	return 0;
}

static int on_mirror(void *ctx, const struct knit_git_mirror_info *m, struct strbuf *err)
{
	(void)err;
	add_item(ctx, KNIT_CACHE_MIRROR, m->url, m->name, m->bytes, m->last_used, false);
	return 0;
}

static int on_build(void *ctx, const struct knit_build_entry_info *e, struct strbuf *err)
{
	(void)err;
	add_item(ctx, KNIT_CACHE_BUILD, e->label, e->key_id, e->bytes, e->last_used, e->in_use);
	return 0;
}

/* A packument cache file's name: 64 hex digits, then nothing or ".meta". */
static bool metadata_name(const char *name, bool *meta)
{
	size_t n = strspn(name, "0123456789abcdef");
	*meta = !strcmp(name + n, ".meta");
	return n == 64 && (!name[n] || *meta);
}

/*
 * The packument cache's files: each body (with its .meta) as one item in
 * *each when asked for, and all of them as one item in *all.
 */
static int list_metadata(const char *cache_dir, struct knit_cache_items *each, struct knit_cache_items *all,
			 struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, meta = STRBUF_INIT;
	strbuf_addf(&dir, "%s/packuments", cache_dir);
	DIR *d = opendir(dir.buf);
	int rc = 0;
	if (!d && errno != ENOENT) {
		strbuf_addf(err, "cannot read the package metadata cache '%s': %s", dir.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	unsigned long long bytes = 0, files = 0;
	long long newest = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		bool is_meta;
		struct stat st;
		if (!metadata_name(e->d_name, &is_meta) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		unsigned long long size = (unsigned long long)st.st_blocks * 512;
		bytes += size;
		files++;
		if ((long long)st.st_mtime > newest)
			newest = (long long)st.st_mtime;
		if (each && !is_meta)
			add_item(each, KNIT_CACHE_METADATA, "package metadata", e->d_name, size, st.st_mtime, false);
	}
	if (d)
		closedir(d);
	if (all && files)
		add_item(all, KNIT_CACHE_METADATA, "package metadata", "packuments", bytes, newest, false)->files = files;
	strbuf_release(&dir);
	strbuf_release(&meta);
	return rc;
}

static int by_kind_label(const void *a, const void *b)
{
	const struct knit_cache_item *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	int c = strcmp(x->label, y->label);
	return c ? c : strcmp(x->id, y->id);
}

int knit_cache_list(const char *cache_dir, unsigned kinds, struct knit_cache_items *out, struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	int rc = 0;
	if (kinds & (1u << KNIT_CACHE_SOURCE))
		rc = knit_store_list(cache_dir, on_source, out, err);
	if (!rc && kinds & (1u << KNIT_CACHE_MIRROR))
		rc = knit_git_mirrors_list(cache_dir, on_mirror, out, err);
	if (!rc && kinds & KNIT_CACHE_BUILDS)
		rc = knit_build_cache_list(cache_dir, on_build, out, err);
	if (!rc && kinds & (1u << KNIT_CACHE_METADATA))
		rc = list_metadata(cache_dir, NULL, out, err);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_kind_label);
	return rc;
}

/* A packument cache body, then its .meta: a body without validators is only fetched again. */
static int remove_metadata(const char *cache_dir, const char *name, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/packuments/%s", cache_dir, name);
	int rc = 0;
	if (unlink(path.buf) && errno != ENOENT) {
		strbuf_addf(err, "cannot remove '%s': %s", path.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	strbuf_addstr(&path, ".meta");
	if (!rc && unlink(path.buf) && errno != ENOENT) {
		strbuf_addf(err, "cannot remove '%s': %s", path.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	strbuf_release(&path);
	return rc;
}

/* Removes one entry, unless it is in use by now; *removed says whether it went. */
static int remove_item(const char *cache_dir, const struct knit_cache_item *it, bool *removed, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;
	*removed = true;
	switch (it->kind) {
	case KNIT_CACHE_SOURCE:
		strbuf_addf(&path, "%s/store/v2/%s/package", cache_dir, it->id);
		rc = knit_store_evict(cache_dir, path.buf, err);
		break;
	case KNIT_CACHE_MIRROR:
		rc = knit_git_mirror_remove(cache_dir, it->id, err);
		break;
	case KNIT_CACHE_BUILD:
		rc = knit_build_cache_remove(cache_dir, it->id, removed, err);
		break;
	case KNIT_CACHE_METADATA:
		rc = remove_metadata(cache_dir, it->id, err);
		break;
	}
	if (rc)
		*removed = false;
	strbuf_release(&path);
	return rc;
}

int knit_cache_clean(const char *cache_dir, const struct knit_cache_clean_opts *o, knit_cache_removed_fn removed,
		     void *ctx, struct knit_cache_clean_result *res, struct strbuf *err)
{
	memset(res, 0, sizeof(*res));
	struct knit_cache_items items, metadata = { 0 };
	int rc = knit_cache_list(cache_dir, o->kinds & ~(1u << KNIT_CACHE_METADATA), &items, err);
	if (!rc && o->kinds & (1u << KNIT_CACHE_METADATA))
		rc = list_metadata(cache_dir, &metadata, NULL, err);
	long long now = (long long)time(NULL);
	struct knit_cache_item meta_all = { KNIT_CACHE_METADATA, "package metadata", "packuments", 0, 0, 0, false };
	for (size_t pass = 0; pass < 2 && !rc; pass++) {
		struct knit_cache_items *list = pass ? &metadata : &items;
		for (size_t i = 0; i < list->n && !rc; i++) {
			const struct knit_cache_item *it = &list->v[i];
			if (it->in_use) {
				res->kept_in_use++;
				continue;
			}
			if (o->older_than >= 0 && it->last_used > now - o->older_than) {
				res->kept_recent++;
				continue;
			}
			bool gone = true;
			if (!o->dry_run && (rc = remove_item(cache_dir, it, &gone, err)))
				break;
			if (!gone) {
				res->kept_in_use++;
				continue;
			}
			res->bytes_removed += it->bytes;
			if (!pass)
				res->removed++;
			if (pass) {
				meta_all.bytes += it->bytes;
				meta_all.files++;
			} else if (removed) {
				removed(ctx, it);
			}
		}
	}
	if (meta_all.files) {
		res->removed++; /* the metadata counts as one entry, as knit cache ls shows it */
		if (removed)
			removed(ctx, &meta_all);
	}
	knit_cache_items_release(&items);
	knit_cache_items_release(&metadata);
	return rc;
}
