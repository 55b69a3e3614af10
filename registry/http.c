#include "http.h"
#include "util/error.h"
#include "util/redact.h"

#include <cjson/cJSON.h>
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
