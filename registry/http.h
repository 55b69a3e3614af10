/*
 * One request to an npm registry, waited for, with the registry's answer
 * turned into knit's errors: 2xx is 0; 401 and 403 KNIT_EAUTH (telling
 * whether credentials were sent, never what they were); 404 and 410
 * KNIT_ENOTFOUND; 409 KNIT_EEXIST; anything else KNIT_EIO. Messages quote
 * the registry's own {"error": "..."} when it gives one.
 *
 * http.c also holds the npm backend (registry/backend.h), which makes
 * these requests the way npm does for publish, dist-tag, deprecate and
 * unpublish.
 */
#ifndef KNIT_REGISTRY_HTTP_H
#define KNIT_REGISTRY_HTTP_H

#include "util/fetch.h"

struct knit_http_req {
	const char *method;   /* NULL for GET */
	const char *url;
	const char *auth;     /* an "Authorization: ..." header line, or NULL */
	const char *json;     /* a JSON body, or NULL */
	size_t len;
	const char *registry; /* for messages, and the 'knit login' hint */
	const char *what;     /* what the request is about, leading the message: "libfoo@1.0.0" */
};

/* *body gets the response body whatever the status, when not NULL. */
int knit_http_call(struct knit_fetch *f, const struct knit_http_req *req, struct strbuf *body,
		   struct strbuf *err);

#endif
