#include "http.h"
#include "backend.h"
#include "document.h"
#include "publish.h"
#include "util/base64.h"
#include "util/error.h"
#include "util/json.h"
#include "util/redact.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static int call(struct knit_fetch *f, const struct knit_http_req *req, struct strbuf *body, struct strbuf *err)
{
	const char *headers[4];
	size_t nh = 0;
	if (req->auth)
		headers[nh++] = req->auth;
	headers[nh++] = "Accept: application/json";
	if (req->json)
		headers[nh++] = "Content-Type: application/json";
	headers[nh] = NULL;
	struct knit_transfer *t = req->method ? knit_fetch_send(f, req->method, req->url, headers, req->json, req->len)
					      : knit_fetch_start(f, req->url, headers, 0, KNIT_HASH_NONE);
	knit_fetch_wait(f, t);
	if (body)
		strbuf_add(body, t->body.buf, t->body.len);
	if (!t->rc)
		return 0;
	const char *what = req->what, *registry = req->registry;
	if (!t->status) { /* never answered: the transfer says why */
		strbuf_addf(err, "%s: %s", what, t->message.buf);
		return KNIT_EIO;
	}
	/* the registry's reason, from {"error": "..."} when it gives one */
	struct strbuf reason = STRBUF_INIT;
	cJSON *answer = cJSON_ParseWithLength(t->body.buf, t->body.len);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(answer, "error");
	if (!cJSON_IsString(msg))
		msg = cJSON_GetObjectItemCaseSensitive(answer, "message");
	if (cJSON_IsString(msg) && *msg->valuestring && !strchr(msg->valuestring, '\n'))
		strbuf_addf(&reason, ": %s", msg->valuestring);
	cJSON_Delete(answer);
	int rc;
	if (t->status == 401 || t->status == 403) {
		rc = KNIT_EAUTH;
		if (req->auth)
			strbuf_addf(err, "%s: %s refused the credentials sent (HTTP %ld%s); log in again with 'knit login --registry %s'",
				    what, registry, t->status, reason.buf, registry);
		else
			strbuf_addf(err, "%s: %s needs you to log in (HTTP %ld%s); run 'knit login --registry %s'",
				    what, registry, t->status, reason.buf, registry);
	} else if (t->status == 409) {
		rc = KNIT_EEXIST;
		strbuf_addf(err, "%s: already in %s (HTTP 409%s)", what, registry, reason.buf);
	} else if (t->status == 404 || t->status == 410) {
		rc = KNIT_ENOTFOUND;
		strbuf_addf(err, "%s: not found in %s (HTTP %ld%s)", what, registry, t->status, reason.buf);
	} else if (t->status == 413) {
		rc = KNIT_EIO;
		strbuf_addf(err, "%s: %s refused it as too large (HTTP 413%s)", what, registry, reason.buf);
	} else {
		rc = KNIT_EIO;
		strbuf_addf(err, "%s: %s answered HTTP %ld%s", what, registry, t->status, reason.buf);
	}
	strbuf_release(&reason);
	return rc;
}

int knit_http_call(struct knit_fetch *f, const struct knit_http_req *req, struct strbuf *body,
		   struct strbuf *err)
{
	/* registry URLs may carry a password */
	return knit_redacted(err, call(f, req, body, err));
}

/* ---- the npm backend (registry/backend.h) ---- */

static void http_document_url(const char *url, const char *name, struct strbuf *out)
{
	strbuf_addf(out, "%s/", url);
	/* scoped names travel as @scope%2fname */
	for (const char *p = name; *p; p++) {
		if (*p == '/')
			strbuf_addstr(out, "%2f");
		else
			strbuf_addch(out, *p);
	}
}

/* <registry>/<name as its document's URL><suffix> */
static void doc_url(const char *registry, const char *name, const char *suffix, struct strbuf *out)
{
	http_document_url(registry, name, out);
	strbuf_addstr(out, suffix);
}

/* One request with the Authorization the settings give for the registry. */
static int http_call(const struct knit_registry_at *at, const char *method, const char *url, const char *json,
		     size_t len, const char *what, struct strbuf *body, struct strbuf *err)
{
	struct strbuf auth = STRBUF_INIT;
	const char *auth_line = knit_config_auth_header(at->cfg, at->url, &auth);
	struct knit_http_req req = { .method = method, .url = url, .auth = auth_line, .json = json,
				     .len = len, .registry = at->url, .what = what };
	int rc = knit_http_call(at->fetch, &req, body, err);
	strbuf_release(&auth);
	return rc;
}

static int http_read_document(const struct knit_registry_at *at, const char *name, bool write,
			      cJSON **doc, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	*doc = NULL; /* callers free it whatever the answer */
	doc_url(at->url, name, write ? "?write=true" : "", &url);
	int rc = http_call(at, NULL, url.buf, NULL, 0, name, &body, err);
	if (!rc) {
		*doc = cJSON_ParseWithLength(body.buf, body.len);
		if (!cJSON_IsObject(*doc)) {
			cJSON_Delete(*doc);
			*doc = NULL;
			strbuf_addf(err, "%s: %s answered with something that is not a package document", name, at->url);
			rc = KNIT_EPARSE;
		}
	}
	strbuf_release(&url);
	strbuf_release(&body);
	return knit_redacted(err, rc);
}

/* PUT the whole document back, as npm deprecate and unpublish do. */
static int http_put_document(const struct knit_registry_at *at, const char *name, const cJSON *doc,
			     bool with_rev, const char *what, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, suffix = STRBUF_INIT;
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "_rev");
	if (with_rev && cJSON_IsString(rev))
		strbuf_addf(&suffix, "/-rev/%s", rev->valuestring);
	doc_url(at->url, name, suffix.buf, &url);
	char *json = cJSON_PrintUnformatted(doc);
	int rc = http_call(at, "PUT", url.buf, json, strlen(json), what, NULL, err);
	free(json);
	strbuf_release(&url);
	strbuf_release(&suffix);
	return rc;
}

/* npm deprecate's way: the document as it is for writing, changed, PUT back whole. */
static int http_change_document(const struct knit_registry_at *at, const char *name,
				knit_document_change_fn *change, void *ctx, struct strbuf *err)
{
	cJSON *doc;
	int rc = http_read_document(at, name, true, &doc, err);
	if (!rc)
		rc = change(doc, at->url, ctx, err);
	if (!rc)
		rc = http_put_document(at, name, doc, false, name, err);
	cJSON_Delete(doc);
	return knit_redacted(err, rc);
}

static int http_publish(const struct knit_registry_at *at, const struct knit_publish_req *req,
			struct strbuf *tarball_url, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, file = STRBUF_INIT, key = STRBUF_INIT, data = STRBUF_INIT,
		      what = STRBUF_INIT;
	cJSON *doc = NULL;
	/* the conventional address; registries rewrite it to their own */
	knit_document_tarball_file(req->name, req->version, &file);
	strbuf_addf(tarball_url, "%s/%s/-/%s", at->url, req->name, file.buf);
	int rc = knit_document_add_version(&doc, req, tarball_url->buf, at->url, err);
	if (!rc) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "time");
		cJSON_AddNullToObject(doc, "access");
		strbuf_addf(&key, "%s-%s.tgz", req->name, req->version);
		knit_base64_encode(req->tgz, req->tgz_len, &data);
		cJSON *att = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "_attachments"), key.buf);
		cJSON_AddStringToObject(att, "content_type", "application/octet-stream");
		cJSON_AddStringToObject(att, "data", data.buf);
		cJSON_AddNumberToObject(att, "length", (double)req->tgz_len);
		doc_url(at->url, req->name, "", &url);
		strbuf_addf(&what, "%s@%s", req->name, req->version);
		char *json = cJSON_PrintUnformatted(doc);
		rc = http_call(at, "PUT", url.buf, json, strlen(json), what.buf, NULL, err);
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

/* npm dist-tag's route: PUT or DELETE <registry>/-/package/<name>/dist-tags/<tag>. */
static int http_set_tag(const struct knit_registry_at *at, const char *name, const char *tag,
			const char *version, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, path = STRBUF_INIT, body = STRBUF_INIT, what = STRBUF_INIT;
	int rc;
	strbuf_addf(&path, "%s/-/package", at->url);
	doc_url(path.buf, name, "/dist-tags/", &url);
	strbuf_addstr(&url, tag); /* tags are checked: nothing in one needs escaping */
	strbuf_addf(&what, "%s tag '%s'", name, tag);
	if (version) {
		knit_json_string(&body, version);
		rc = http_call(at, "PUT", url.buf, body.buf, body.len, what.buf, NULL, err);
	} else {
		rc = http_call(at, "DELETE", url.buf, NULL, 0, what.buf, NULL, err);
	}
	strbuf_release(&url);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&what);
	return rc;
}

/* npm's way: the document without the version, then the tarball. */
static int http_unpublish(const struct knit_registry_at *at, const char *name, const char *version,
			  struct strbuf *err)
{
	cJSON *doc;
	struct strbuf what = STRBUF_INIT, url = STRBUF_INIT, tarball = STRBUF_INIT;
	strbuf_addf(&what, "%s@%s", name, version);
	int rc = http_read_document(at, name, true, &doc, err);
	if (!rc) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "versions"), version);
		const cJSON *tb = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(v, "dist"), "tarball");
		if (cJSON_IsString(tb))
			strbuf_addstr(&tarball, tb->valuestring);
		rc = knit_document_remove_version(doc, name, version, at->url, err);
	}
	if (!rc && !cJSON_GetObjectItemCaseSensitive(doc, "versions")->child) {
		/* the last version: the whole package goes */
		const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "_rev");
		struct strbuf suffix = STRBUF_INIT;
		strbuf_addf(&suffix, "/-rev/%s", cJSON_IsString(rev) ? rev->valuestring : "undefined");
		doc_url(at->url, name, suffix.buf, &url);
		rc = http_call(at, "DELETE", url.buf, NULL, 0, what.buf, NULL, err);
		strbuf_release(&suffix);
		goto done;
	}
	if (!rc)
		rc = http_put_document(at, name, doc, true, what.buf, err);
	if (!rc && tarball.len) {
		cJSON_Delete(doc);
		doc = NULL;
		rc = http_read_document(at, name, true, &doc, err);
		const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "_rev");
		if (!rc) {
			strbuf_addf(&url, "%s/-rev/%s", tarball.buf, cJSON_IsString(rev) ? rev->valuestring : "undefined");
			rc = http_call(at, "DELETE", url.buf, NULL, 0, what.buf, NULL, err);
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

const struct knit_registry_backend knit_http_backend = {
	.name = "npm",
	.caches_documents = true, /* with their ETag and Last-Modified (registry.h) */
	.has_accounts = true,
	.document_url = http_document_url,
	.read_document = http_read_document,
	.change_document = http_change_document,
	.publish = http_publish,
	.set_tag = http_set_tag,
	.unpublish = http_unpublish,
};
