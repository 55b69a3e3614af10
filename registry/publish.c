#include "publish.h"
#include "document.h"
#include "folder.h"
#include "http.h"
#include "resolver/semver.h"
#include "util/base64.h"
#include "util/error.h"
#include "util/redact.h"
#include "util/fs.h"
#include "util/tree.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the tag a change names ---- */

static int check_tag(const char *name, const char *tag, const char *version, struct strbuf *err)
{
	struct knit_range r;
	if (!*tag || strpbrk(tag, "/ \t\n%")) {
		strbuf_addf(err, "'%s' is not a valid tag name", tag);
		return KNIT_EINVALID_ARG;
	}
	if (!knit_range_parse(&r, tag, strlen(tag), 0)) {
		knit_range_release(&r);
		strbuf_addf(err, "'%s' cannot be a tag: it reads as a version range", tag);
		return KNIT_EINVALID_ARG;
	}
	if (!version && !strcmp(tag, "latest")) {
		strbuf_addf(err, "%s: the 'latest' tag cannot be removed, only moved", name);
		return KNIT_EINVALID_ARG;
	}
	return 0;
}

/* ---- folder registries ---- */

struct folder_ctx {
	const struct knit_publish_req *req;
	const char *root, *name, *version, *tag, *range, *message;
	size_t count;
	struct strbuf *tarball_url;
};

static int folder_publish_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_ctx *c = arg;
	const struct knit_publish_req *req = c->req;
	struct strbuf file = STRBUF_INIT;
	bool changed;
	strbuf_addf(&file, "%s/-/", pkg_dir);
	knit_document_tarball_file(req->name, req->version, &file);
	strbuf_reset(c->tarball_url);
	knit_folder_url(file.buf, c->tarball_url);
	/* the document is written only after this returns: the tarball is in place by then */
	int rc = knit_document_add_version(doc, req, c->tarball_url->buf, c->root, err);
	if (!rc && knit_make_parents(file.buf)) {
		strbuf_addf(err, "cannot make the folder for '%s': %s", file.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc)
		rc = knit_write_file_atomic(file.buf, req->tgz, req->tgz_len, &changed, err);
	strbuf_release(&file);
	return rc;
}

static int folder_unpublish_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_ctx *c = arg;
	int rc = knit_document_remove_version(*doc, c->name, c->version, c->root, err);
	if (!rc && !cJSON_GetObjectItemCaseSensitive(*doc, "versions")->child) {
		cJSON_Delete(*doc); /* the last version: the package's document goes */
		*doc = NULL;
	}
	return rc;
}

/* Once the document no longer names it, the tarball goes. */
static void folder_unpublish_after(const char *pkg_dir, void *arg)
{
	struct folder_ctx *c = arg;
	struct strbuf file = STRBUF_INIT;
	strbuf_addf(&file, "%s/-/", pkg_dir);
	knit_document_tarball_file(c->name, c->version, &file);
	unlink(file.buf);
	strbuf_release(&file);
}

static int folder_deprecate_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_ctx *c = arg;
	return knit_document_deprecate(*doc, c->name, c->range, c->message, &c->count, c->root, err);
}

static int folder_tag_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_ctx *c = arg;
	return knit_document_set_tag(*doc, c->name, c->tag, c->version, c->root, err);
}

/* ---- HTTP registries ---- */

/* <registry>/<name with its first / as %2f><suffix> */
static void doc_url(const char *registry, const char *name, const char *suffix, struct strbuf *out)
{
	strbuf_addf(out, "%s/", registry);
	const char *slash = strchr(name, '/');
	if (slash) {
		strbuf_add(out, name, (size_t)(slash - name));
		strbuf_addf(out, "%%2f%s", slash + 1);
	} else {
		strbuf_addstr(out, name);
	}
	strbuf_addstr(out, suffix);
}

/* One request with the Authorization the settings give for the registry (registry/http.h). */
static int http_call(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		     const char *method, const char *url, const char *json, size_t len,
		     const char *what, struct strbuf *body, struct strbuf *err)
{
	struct strbuf auth = STRBUF_INIT;
	const char *auth_line = knit_config_auth_header(cfg, registry, &auth);
	struct knit_http_req req = { .method = method, .url = url, .auth = auth_line, .json = json,
				     .len = len, .registry = registry, .what = what };
	int rc = knit_http_call(f, &req, body, err);
	strbuf_release(&auth);
	return rc;
}

static int http_document(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			 const char *name, bool write, cJSON **doc, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	*doc = NULL; /* callers free it whatever the answer */
	doc_url(registry, name, write ? "?write=true" : "", &url);
	int rc = http_call(cfg, f, registry, NULL, url.buf, NULL, 0, name, &body, err);
	if (!rc) {
		*doc = cJSON_ParseWithLength(body.buf, body.len);
		if (!cJSON_IsObject(*doc)) {
			cJSON_Delete(*doc);
			*doc = NULL;
			strbuf_addf(err, "%s: %s answered with something that is not a package document", name, registry);
			rc = KNIT_EPARSE;
		}
	}
	strbuf_release(&url);
	strbuf_release(&body);
	return knit_redacted(err, rc);
}

/* PUT the whole document back, as npm deprecate and unpublish do. */
static int http_put_document(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			     const char *name, const cJSON *doc, bool with_rev, const char *what,
			     struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, suffix = STRBUF_INIT;
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "_rev");
	if (with_rev && cJSON_IsString(rev))
		strbuf_addf(&suffix, "/-rev/%s", rev->valuestring);
	doc_url(registry, name, suffix.buf, &url);
	char *json = cJSON_PrintUnformatted(doc);
	int rc = http_call(cfg, f, registry, "PUT", url.buf, json, strlen(json), what, NULL, err);
	free(json);
	strbuf_release(&url);
	strbuf_release(&suffix);
	return rc;
}

static int http_publish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			const struct knit_publish_req *req, struct strbuf *tarball_url, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, file = STRBUF_INIT, key = STRBUF_INIT, data = STRBUF_INIT,
		      what = STRBUF_INIT;
	cJSON *doc = NULL;
	/* the conventional address; registries rewrite it to their own */
	knit_document_tarball_file(req->name, req->version, &file);
	strbuf_addf(tarball_url, "%s/%s/-/%s", registry, req->name, file.buf);
	int rc = knit_document_add_version(&doc, req, tarball_url->buf, registry, err);
	if (!rc) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "time");
		cJSON_AddNullToObject(doc, "access");
		strbuf_addf(&key, "%s-%s.tgz", req->name, req->version);
		knit_base64_encode(req->tgz, req->tgz_len, &data);
		cJSON *att = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "_attachments"), key.buf);
		cJSON_AddStringToObject(att, "content_type", "application/octet-stream");
		cJSON_AddStringToObject(att, "data", data.buf);
		cJSON_AddNumberToObject(att, "length", (double)req->tgz_len);
		doc_url(registry, req->name, "", &url);
		strbuf_addf(&what, "%s@%s", req->name, req->version);
		char *json = cJSON_PrintUnformatted(doc);
		rc = http_call(cfg, f, registry, "PUT", url.buf, json, strlen(json), what.buf, NULL, err);
		free(json);
	}
	cJSON_Delete(doc);
	strbuf_release(&url);
	strbuf_release(&file);
	strbuf_release(&key);
	strbuf_release(&data);
	strbuf_release(&what);
	return knit_redacted(err, rc); /* the registry's URL is in its messages */
}

/* ---- the operations ---- */

int knit_publish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		 const struct knit_publish_req *req, struct strbuf *tarball_url, struct strbuf *err)
{
	int rc = req->tag ? check_tag(req->name, req->tag, req->version, err) : 0;
	if (rc)
		return rc;
	if (!knit_folder_is(registry))
		return http_publish(cfg, f, registry, req, tarball_url, err);
	struct strbuf root = STRBUF_INIT;
	rc = knit_folder_root(registry, &root, err);
	struct folder_ctx c = { .req = req, .root = root.buf, .tarball_url = tarball_url };
	if (!rc)
		rc = knit_folder_edit(root.buf, req->name, true, folder_publish_edit, NULL, &c, err);
	strbuf_release(&root);
	return rc;
}

int knit_registry_document(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			   const char *name, bool write, cJSON **doc, struct strbuf *err)
{
	*doc = NULL;
	if (!knit_folder_is(registry))
		return http_document(cfg, f, registry, name, write, doc, err);
	struct strbuf root = STRBUF_INIT;
	int rc = knit_folder_root(registry, &root, err);
	if (!rc)
		rc = knit_folder_read(root.buf, name, doc, err);
	if (rc == KNIT_ENOTFOUND)
		strbuf_addf(err, "%s is not in the registry %s", name, root.buf);
	strbuf_release(&root);
	return rc;
}

/* Runs a folder edit on the package. */
static int folder_change(const char *registry, struct folder_ctx *c, knit_packument_edit_fn edit,
			 knit_packument_after_fn after, struct strbuf *err)
{
	struct strbuf root = STRBUF_INIT;
	int rc = knit_folder_root(registry, &root, err);
	c->root = root.buf;
	if (!rc)
		rc = knit_folder_edit(root.buf, c->name, false, edit, after, c, err);
	strbuf_release(&root);
	return rc;
}

int knit_dist_tag_set(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		      const char *name, const char *tag, const char *version, struct strbuf *err)
{
	int rc = check_tag(name, tag, version, err);
	if (rc)
		return rc;
	if (knit_folder_is(registry)) {
		struct folder_ctx c = { .name = name, .tag = tag, .version = version };
		return folder_change(registry, &c, folder_tag_edit, NULL, err);
	}
	struct strbuf url = STRBUF_INIT, path = STRBUF_INIT, body = STRBUF_INIT, what = STRBUF_INIT;
	strbuf_addf(&path, "%s/-/package", registry);
	doc_url(path.buf, name, "/dist-tags/", &url);
	strbuf_addstr(&url, tag); /* check_tag allows nothing that needs escaping */
	strbuf_addf(&what, "%s tag '%s'", name, tag);
	if (version) {
		knit_json_string(&body, version);
		rc = http_call(cfg, f, registry, "PUT", url.buf, body.buf, body.len, what.buf, NULL, err);
	} else {
		rc = http_call(cfg, f, registry, "DELETE", url.buf, NULL, 0, what.buf, NULL, err);
	}
	strbuf_release(&url);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&what);
	return rc;
}

int knit_deprecate(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		   const char *name, const char *range, const char *message, size_t *count,
		   struct strbuf *err)
{
	*count = 0;
	if (knit_folder_is(registry)) {
		struct folder_ctx c = { .name = name, .range = range, .message = message };
		int rc = folder_change(registry, &c, folder_deprecate_edit, NULL, err);
		*count = c.count;
		return rc;
	}
	cJSON *doc;
	int rc = http_document(cfg, f, registry, name, true, &doc, err);
	if (!rc)
		rc = knit_document_deprecate(doc, name, range, message, count, registry, err);
	if (!rc)
		rc = http_put_document(cfg, f, registry, name, doc, false, name, err);
	cJSON_Delete(doc);
	return knit_redacted(err, rc);
}

int knit_unpublish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		   const char *name, const char *version, struct strbuf *err)
{
	if (knit_folder_is(registry)) {
		struct folder_ctx c = { .name = name, .version = version };
		return folder_change(registry, &c, folder_unpublish_edit, folder_unpublish_after, err);
	}
	/* npm's way: the document without the version, then the tarball */
	cJSON *doc;
	struct strbuf what = STRBUF_INIT, url = STRBUF_INIT, tarball = STRBUF_INIT;
	strbuf_addf(&what, "%s@%s", name, version);
	int rc = http_document(cfg, f, registry, name, true, &doc, err);
	if (!rc) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "versions"), version);
		const cJSON *tb = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(v, "dist"), "tarball");
		if (cJSON_IsString(tb))
			strbuf_addstr(&tarball, tb->valuestring);
		rc = knit_document_remove_version(doc, name, version, registry, err);
	}
	if (!rc && !cJSON_GetObjectItemCaseSensitive(doc, "versions")->child) {
		/* the last version: the whole package goes */
		const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "_rev");
		struct strbuf suffix = STRBUF_INIT;
		strbuf_addf(&suffix, "/-rev/%s", cJSON_IsString(rev) ? rev->valuestring : "undefined");
		doc_url(registry, name, suffix.buf, &url);
		rc = http_call(cfg, f, registry, "DELETE", url.buf, NULL, 0, what.buf, NULL, err);
		strbuf_release(&suffix);
		goto done;
	}
	if (!rc)
		rc = http_put_document(cfg, f, registry, name, doc, true, what.buf, err);
	if (!rc && tarball.len) {
		cJSON_Delete(doc);
		doc = NULL;
		rc = http_document(cfg, f, registry, name, true, &doc, err);
		const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "_rev");
		if (!rc) {
			strbuf_addf(&url, "%s/-rev/%s", tarball.buf, cJSON_IsString(rev) ? rev->valuestring : "undefined");
			rc = http_call(cfg, f, registry, "DELETE", url.buf, NULL, 0, what.buf, NULL, err);
			if (rc == KNIT_ENOTFOUND) { /* the registry dropped it with the version */
				strbuf_reset(err);
				rc = 0;
			}
		}
	}
done:
	cJSON_Delete(doc);
	strbuf_release(&what);
	strbuf_release(&url);
	strbuf_release(&tarball);
	return knit_redacted(err, rc);
}
