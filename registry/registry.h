/*
 * Registries that speak the npm protocol, over HTTP(S) or as a folder read
 * through file:// (<root>/<name>/index.json, tarballs at
 * <root>/<name>/-/<base>-<version>.tgz), as a knit_source for the solver:
 * prefetch() starts a packument download on the shared libcurl multi
 * handle, load() waits for it and parses it.
 *
 * Ownership: packages returned by the source live until knit_registry_free.
 */
#ifndef KNIT_REGISTRY_REGISTRY_H
#define KNIT_REGISTRY_REGISTRY_H

#include "util/config.h"
#include "util/fetch.h"
#include "resolver/solver.h"

struct knit_registry;

/*
 * Packuments from HTTP(S) registries are cached under <cache>/packuments
 * with their ETag and Last-Modified and revalidated (a 304 reuses the
 * cached body). file:// registries are read directly.
 */
enum knit_cache_mode {
	KNIT_CACHE_REVALIDATE = 0, /* ask the registry, sending what the cache knows */
	KNIT_CACHE_PREFER,         /* --prefer-offline: the cache when it has the answer */
	KNIT_CACHE_ONLY,           /* --offline: never the network */
};

/* cfg and fetch must outlive the registry. */
struct knit_registry *knit_registry_new(const struct knit_config *cfg, struct knit_fetch *fetch);
void knit_registry_set_cache_mode(struct knit_registry *r, enum knit_cache_mode mode);
void knit_registry_free(struct knit_registry *r);
/* The solver's view: versions and dependencies of names, fetched concurrently. */
const struct knit_source *knit_registry_source(struct knit_registry *r);
/* How many packument requests have finished (answered or failed): progress's answered count. */
size_t knit_registry_answered(const struct knit_registry *r);
/* The packument URL of name in the registry configured for it. Malloc'd. */
char *knit_registry_packument_url(const struct knit_config *cfg, const char *name);
/*
 * The fetch options the settings ask for (cafile, strict-ssl, proxy,
 * https-proxy, noproxy, fetch-timeout, fetch-retries,
 * fetch-retry-mintimeout, fetch-retry-maxtimeout); the rest default.
 */
void knit_registry_fetch_opts(const struct knit_config *cfg, struct knit_fetch_opts *out);
/*
 * Parses a packument into *out, pointing into doc (which the caller keeps).
 * Versions that are not valid semver are left out. 0 or KNIT_EPARSE with a
 * line in *err naming the package.
 */
struct cJSON;
int knit_packument_parse(struct knit_pkg *out, struct cJSON *doc, const char *name,
			 struct strbuf *err);
void knit_packument_release(struct knit_pkg *p);

#endif
