/*
 * The registry layer's own: the two kinds of registry behind one table of
 * functions, as git keeps its ref storage behind struct ref_storage_be and
 * Cargo its registries behind RegistryData. The write side (publish.h),
 * install's documents (registry.h) and accounts (account.h) ask
 * knit_registry_backend_for() which kind a URL is, once per operation, and
 * call through the table; apart from `knit registry`, which works on folder
 * registries only, no other code asks whether a registry is a folder.
 *
 *   folder (registry/folder.c)  file:// URLs: the folder edited in place,
 *                               under a lock per package (folder.h)
 *   npm    (registry/http.c)    http:// and https://: npm's requests, with
 *                               the Authorization the settings give
 *
 * Errors are as publish.h describes; where an operation names the registry
 * in a message, a folder's is its path and an HTTP registry's its URL.
 */
#ifndef KNIT_REGISTRY_BACKEND_H
#define KNIT_REGISTRY_BACKEND_H

#include "util/config.h"
#include "util/fetch.h"

#include <stdbool.h>

struct cJSON;
struct knit_publish_req;

/* One registry, as every function of the table gets it. */
struct knit_registry_at {
	const struct knit_config *cfg; /* the settings: the token for the URL (npm) */
	struct knit_fetch *fetch;      /* npm: the requests' fetch; folders may have NULL */
	const char *url;               /* the base URL, without a trailing slash */
};

/* Changes a package's document in place; where names the registry. 0 keeps the change. */
typedef int knit_document_change_fn(struct cJSON *doc, const char *where, void *ctx, struct strbuf *err);

struct knit_registry_backend {
	const char *name;      /* "folder", "npm": for messages ("... is a folder registry") */
	bool caches_documents; /* install keeps its documents under <cache>/packuments, revalidated */
	bool has_accounts;     /* users and tokens: login, whoami */
	/* Where install fetches name's document: <url>/<name>/index.json, <url>/@scope%2fname. */
	void (*document_url)(const char *url, const char *name, struct strbuf *out);
	/* The whole document (write: as npm asks before changing it). Caller frees *doc. */
	int (*read_document)(const struct knit_registry_at *at, const char *name, bool write,
			     struct cJSON **doc, struct strbuf *err);
	/* Reads the document, runs change on it and keeps the result. KNIT_ENOTFOUND if there is none. */
	int (*change_document)(const struct knit_registry_at *at, const char *name,
			       knit_document_change_fn *change, void *ctx, struct strbuf *err);
	/* Adds req's version and its tarball; *tarball_url gets where it is served. */
	int (*publish)(const struct knit_registry_at *at, const struct knit_publish_req *req,
		       struct strbuf *tarball_url, struct strbuf *err);
	/* Points tag at version, or removes tag when version is NULL (the tag already checked). */
	int (*set_tag)(const struct knit_registry_at *at, const char *name, const char *tag,
		       const char *version, struct strbuf *err);
	/* Removes version and its tarball; the last version takes the package with it. */
	int (*unpublish)(const struct knit_registry_at *at, const char *name, const char *version,
			 struct strbuf *err);
};

extern const struct knit_registry_backend knit_folder_backend; /* folder.c */
extern const struct knit_registry_backend knit_http_backend;   /* http.c */

/* The backend for a registry URL: file:// is a folder, anything else npm over HTTP. */
const struct knit_registry_backend *knit_registry_backend_for(const char *url);

#endif
