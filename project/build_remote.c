#include "build_remote.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define REMOTE_ARCHIVE_MAX (1u << 30)

int knit_build_remote_open(struct knit_build_remote *r, const struct knit_config *cfg, struct knit_fetch *fetch,
			   bool push, struct strbuf *err)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->dir, 0);
	r->cfg = cfg;
	r->fetch = fetch;
	const char *url = knit_config_get(cfg, "binary-cache"), *p = knit_config_get(cfg, "binary-cache-push");
	if (!url || !*url)
		return 0;
	if (!strncmp(url, "file://", 7) && url[7] == '/') {
		strbuf_addstr(&r->dir, url + 7);
	} else if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		strbuf_addstr(err, "the setting 'binary-cache' must be a file:///folder or an http(s):// URL, not '");
		strbuf_add_visible(err, url);
		strbuf_addch(err, '\'');
		return KNIT_EPARSE;
	}
	if (p && strcmp(p, "true") && strcmp(p, "false")) {
		strbuf_addstr(err, "the setting 'binary-cache-push' must be true or false, not '");
		strbuf_add_visible(err, p);
		strbuf_addch(err, '\'');
		return KNIT_EPARSE;
	}
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	r->url = knit_xmemdupz(url, n);
	while (r->dir.len > 1 && r->dir.buf[r->dir.len - 1] == '/')
		strbuf_setlen(&r->dir, r->dir.len - 1);
	r->push = push || (p && !strcmp(p, "true"));
	return 0;
}

void knit_build_remote_close(struct knit_build_remote *r)
{
	free(r->url);
	strbuf_release(&r->dir);
	memset(r, 0, sizeof(*r));
}

/* "<url>/<key><ext>", and its form with any password hidden, for messages. */
static void archive_url(const struct knit_build_remote *r, const char *key_id, const char *ext, struct strbuf *out,
			struct strbuf *shown)
{
	strbuf_addf(out, "%s/%s%s", r->url, key_id, ext);
	knit_redact_url(out->buf, shown);
}

/* The key's archive with the name ending ext into *body: 1, 0 for a miss, -1 with a warning in *why. */
static int fetch_archive(const struct knit_build_remote *r, const char *key_id, const char *ext, struct strbuf *body,
			 struct strbuf *shown, struct strbuf *why)
{
	struct strbuf url = STRBUF_INIT, err = STRBUF_INIT;
	archive_url(r, key_id, ext, &url, shown);
	int result = 0;
	if (r->dir.len) {
		struct strbuf path = STRBUF_INIT;
		strbuf_addf(&path, "%s/%s%s", r->dir.buf, key_id, ext);
		int rc = knit_read_regular_file(path.buf, body, &err);
		if (rc && rc != KNIT_ENOTFOUND) {
			strbuf_addf(why, "the remote build cache: %s", err.buf);
			result = -1;
		}
		result = rc ? result : 1;
		strbuf_release(&path);
	} else {
		struct strbuf auth = STRBUF_INIT;
		const char *line = knit_config_auth_header(r->cfg, r->url, &auth);
		const char *headers[] = { line, NULL };
		struct knit_transfer *t = knit_fetch_start(r->fetch, url.buf, line ? headers : NULL, REMOTE_ARCHIVE_MAX,
							   KNIT_HASH_NONE);
		knit_fetch_wait(r->fetch, t);
		if (!t->rc) {
			strbuf_add(body, t->body.buf, t->body.len);
			result = 1;
		} else if (t->rc != KNIT_ENOTFOUND) {
			if (t->status)
				strbuf_addf(why, "the remote build cache answered HTTP %ld for %s", t->status, shown->buf);
			else
				strbuf_addf(why, "the remote build cache: %s", t->message.buf);
			result = -1;
		}
		knit_transfer_release_body(t);
		strbuf_release(&auth);
	}
	strbuf_release(&url);
	strbuf_release(&err);
	return result;
}

int knit_build_remote_get(const struct knit_build_remote *r, const struct knit_build_cache *bc, const char *key_id,
			  struct strbuf *why)
{
	struct strbuf shown = STRBUF_INIT, body = STRBUF_INIT, err = STRBUF_INIT;
	/* .tar.zst as knit sends them; .tgz as an older knit, or one whose libarchive lacks zstd, did */
	int result = fetch_archive(r, key_id, ".tar.zst", &body, &shown, why);
	if (!result) {
		strbuf_reset(&shown);
		result = fetch_archive(r, key_id, ".tgz", &body, &shown, why);
	}
	if (result == 1 && knit_build_cache_unpack(bc, key_id, body.buf, body.len, &err)) {
		strbuf_addf(why, "the remote build cache's %s: %s", shown.buf, err.buf);
		result = -1;
	}
	strbuf_release(&shown);
	strbuf_release(&body);
	strbuf_release(&err);
	return result;
}

int knit_build_remote_put(const struct knit_build_remote *r, const struct knit_build_cache *bc, const char *key_id,
			  struct strbuf *why)
{
	struct strbuf url = STRBUF_INIT, shown = STRBUF_INIT, tgz = STRBUF_INIT, err = STRBUF_INIT;
	bool zstd = true;
	int rc = knit_build_cache_pack(bc, key_id, &zstd, &tgz, &err);
	const char *ext = zstd ? ".tar.zst" : ".tgz";
	archive_url(r, key_id, ext, &url, &shown);
	if (rc) {
		strbuf_addf(why, "cannot send a build to the remote build cache: %s", err.buf);
	} else if (r->dir.len) {
		struct strbuf path = STRBUF_INIT;
		bool changed;
		strbuf_addf(&path, "%s/%s%s", r->dir.buf, key_id, ext);
		if (knit_make_dirs(r->dir.buf) ||
		    (rc = knit_write_file_atomic(path.buf, tgz.buf, tgz.len, &changed, &err))) {
			strbuf_addf(why, "cannot write to the remote build cache '%s': %s", r->dir.buf,
				    err.len ? err.buf : "cannot make the folder");
			rc = KNIT_EIO;
		}
		strbuf_release(&path);
	} else {
		struct strbuf auth = STRBUF_INIT;
		const char *line = knit_config_auth_header(r->cfg, r->url, &auth);
		const char *headers[] = { zstd ? "Content-Type: application/zstd" : "Content-Type: application/gzip",
					  line, NULL };
		struct knit_transfer *t = knit_fetch_send(r->fetch, "PUT", url.buf, headers, tgz.buf, tgz.len);
		knit_fetch_wait(r->fetch, t);
		if ((rc = t->rc)) {
			if (t->status)
				strbuf_addf(why, "the remote build cache answered HTTP %ld to the PUT of %s", t->status,
					    shown.buf);
			else
				strbuf_addf(why, "the remote build cache: %s", t->message.buf);
		}
		knit_transfer_release_body(t);
		strbuf_release(&auth);
	}
	strbuf_release(&url);
	strbuf_release(&shown);
	strbuf_release(&tgz);
	strbuf_release(&err);
	return rc ? -1 : 0;
}
