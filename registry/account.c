#include "account.h"
#include "backend.h"
#include "http.h"
#include "util/base64.h"
#include "util/error.h"
#include "util/redact.h"
#include "util/url.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *login_body(const char *user, const char *password)
{
	char date[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	struct strbuf id = STRBUF_INIT;
	strbuf_addf(&id, "org.couchdb.user:%s", user);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "_id", id.buf);
	cJSON_AddStringToObject(doc, "name", user);
	cJSON_AddStringToObject(doc, "password", password);
	cJSON_AddStringToObject(doc, "type", "user");
	cJSON_AddArrayToObject(doc, "roles");
	cJSON_AddStringToObject(doc, "date", date);
	char *json = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	strbuf_release(&id);
	return json;
}

/* the "token" of a login answer */
static int take_token(const struct strbuf *body, const char *registry, struct strbuf *token,
		      struct strbuf *err)
{
	cJSON *answer = cJSON_ParseWithLength(body->buf, body->len);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(answer, "token");
	int rc = 0;
	if (cJSON_IsString(t) && *t->valuestring && !strpbrk(t->valuestring, "\r\n"))
		strbuf_addstr(token, t->valuestring);
	else {
		strbuf_addf(err, "%s accepted the login but gave no token", registry);
		rc = KNIT_EIO;
	}
	cJSON_Delete(answer);
	return rc;
}

int knit_account_supported(const char *registry, struct strbuf *err)
{
	const struct knit_registry_backend *be = knit_registry_backend_for(registry);
	if (be->has_accounts)
		return 0;
	strbuf_addf(err, "%s is a %s registry: it has no users", registry, be->name);
	return KNIT_EINVALID_ARG;
}

int knit_account_login(struct knit_fetch *f, const char *registry, const char *user,
		       const char *password, struct strbuf *token, struct strbuf *err)
{
	if (knit_account_supported(registry, err))
		return KNIT_EINVALID_ARG;
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT, what = STRBUF_INIT, basic = STRBUF_INIT,
		      pair = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&url, "%s/-/user/org.couchdb.user:", registry);
	knit_url_encode(user, "", &url);
	strbuf_addf(&what, "login as '%s'", user);
	char *json = login_body(user, password);
	struct knit_http_req req = { .method = "PUT", .url = url.buf, .json = json, .len = strlen(json),
				     .registry = registry, .what = what.buf };
	/* a new user signs up; an existing one answers 409 and is asked again with credentials */
	int rc = knit_http_call(f, &req, &body, &scratch);
	if (rc == KNIT_EEXIST) {
		strbuf_addf(&pair, "%s:%s", user, password);
		strbuf_addstr(&basic, "Authorization: Basic ");
		knit_base64_encode(pair.buf, pair.len, &basic);
		req.auth = basic.buf;
		strbuf_reset(&body);
		strbuf_reset(&scratch);
		rc = knit_http_call(f, &req, &body, &scratch);
	}
	if (rc == KNIT_EAUTH)
		strbuf_addf(err, "%s: %s refused the user name or password", what.buf, registry);
	else if (rc)
		strbuf_addstr(err, scratch.buf);
	else
		rc = take_token(&body, registry, token, err);
	/* the password was in these buffers: clear them before they go */
	explicit_bzero(json, strlen(json));
	free(json);
	explicit_bzero(pair.buf, pair.len);
	explicit_bzero(basic.buf, basic.len);
	strbuf_release(&url);
	strbuf_release(&body);
	strbuf_release(&what);
	strbuf_release(&basic);
	strbuf_release(&pair);
	strbuf_release(&scratch);
	return knit_redacted(err, rc);
}

int knit_account_whoami(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			struct strbuf *user, struct strbuf *err)
{
	if (knit_account_supported(registry, err))
		return KNIT_EINVALID_ARG;
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT, auth = STRBUF_INIT;
	const char *auth_line = knit_config_auth_header(cfg, registry, &auth);
	if (!auth_line) {
		strbuf_addf(err, "not logged in to %s; run 'knit login --registry %s'", registry, registry);
		strbuf_release(&auth);
		return knit_redacted(err, KNIT_EAUTH);
	}
	strbuf_addf(&url, "%s/-/whoami", registry);
	struct knit_http_req req = { .url = url.buf, .auth = auth_line, .registry = registry, .what = "whoami" };
	int rc = knit_http_call(f, &req, &body, err);
	if (!rc) {
		cJSON *answer = cJSON_ParseWithLength(body.buf, body.len);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(answer, "username");
		/* Verdaccio answers an unknown token with 200 {} */
		if (cJSON_IsString(name) && *name->valuestring) {
			strbuf_addstr(user, name->valuestring);
		} else {
			strbuf_addf(err, "%s does not accept the token configured for it; run 'knit login --registry %s'",
				    registry, registry);
			rc = KNIT_EAUTH;
		}
		cJSON_Delete(answer);
	}
	strbuf_release(&url);
	strbuf_release(&body);
	strbuf_release(&auth);
	return knit_redacted(err, rc);
}

int knit_account_logout(struct knit_fetch *f, const char *registry, const char *token, struct strbuf *err)
{
	if (knit_account_supported(registry, err))
		return KNIT_EINVALID_ARG;
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&url, "%s/-/user/token/", registry);
	knit_url_encode(token, "", &url);
	strbuf_addf(&auth, "Authorization: Bearer %s", token);
	struct knit_http_req req = { .method = "DELETE", .url = url.buf, .auth = auth.buf,
				     .registry = registry, .what = "logout" };
	int rc = knit_http_call(f, &req, NULL, &scratch);
	/* a registry without the route (404, 405) or that already forgot the token (401) is fine */
	if (rc == KNIT_ENOTFOUND || rc == KNIT_EAUTH || (rc == KNIT_EIO && strstr(scratch.buf, "HTTP 405")))
		rc = 0;
	else if (rc) /* not scratch: the URL it may name holds the token */
		strbuf_addf(err, "%s did not confirm that it forgot the token", registry);
	strbuf_release(&url);
	strbuf_release(&auth);
	strbuf_release(&scratch);
	return knit_redacted(err, rc);
}
