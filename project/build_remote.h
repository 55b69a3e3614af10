/*
 * A remote build cache, shared by machines (CI runners, a team): the
 * binary-cache setting names a folder (file:///path) or an HTTP object
 * store (http:// or https://). A build is <url>/<key id>.tar.zst (.tgz where libarchive lacks zstd;
 * both are read): an entry of
 * the local build cache (build_cache.h) as one archive. Reads are a GET
 * (or a file read); writes, when binary-cache-push=true or knit build
 * --push, a PUT with the Authorization the settings give that URL (as for a
 * registry: //host/path/:_authToken) or a file written atomically. A
 * missing archive is a miss; anything else that goes wrong is a warning and
 * a local build, never a failed build. An archive read is checked as a
 * local entry is (its files list) before it becomes one.
 */
#ifndef KNIT_PROJECT_BUILD_REMOTE_H
#define KNIT_PROJECT_BUILD_REMOTE_H

#include <stdbool.h>

#include "project/build_cache.h"
#include "util/config.h"
#include "util/fetch.h"
#include "util/strbuf.h"

struct knit_build_remote {
	char *url;          /* without a trailing '/'; NULL: no remote cache */
	struct strbuf dir;  /* a file:// remote's folder */
	bool push;
	const struct knit_config *cfg;
	struct knit_fetch *fetch;
};

/*
 * From the settings (binary-cache, binary-cache-push) and --push. 0 (with
 * r->url NULL when none is set), or KNIT_EPARSE naming the setting.
 */
int knit_build_remote_open(struct knit_build_remote *r, const struct knit_config *cfg, struct knit_fetch *fetch,
			   bool push, struct strbuf *err);
void knit_build_remote_close(struct knit_build_remote *r);

/* The key's archive made a local entry (under its lock): 1, 0 for a miss, -1 with a warning in *why. */
int knit_build_remote_get(const struct knit_build_remote *r, const struct knit_build_cache *bc, const char *key_id,
			  struct strbuf *why);
/* The key's local entry sent to the remote cache: 0, or -1 with a warning in *why. */
int knit_build_remote_put(const struct knit_build_remote *r, const struct knit_build_cache *bc, const char *key_id,
			  struct strbuf *why);

#endif
