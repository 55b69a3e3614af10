/*
 * The write side of a registry: publishing a version, and the changes npm
 * makes to a published package (dist-tags, deprecation, unpublishing), for
 * folder registries (registry/folder.h: edited in place, under a lock) and
 * HTTP npm registries alike (npm's requests, with the Authorization the
 * settings give for the registry's URL): each function checks its
 * arguments, then calls the registry's backend (registry/backend.h).
 *
 * registry is a base URL without a trailing slash. Errors are one line that
 * names the package and the registry: KNIT_EEXIST (the version is already
 * there), KNIT_EAUTH (no token, or one the registry refuses; the token
 * itself never appears), KNIT_ENOTFOUND, KNIT_EINVALID_ARG, KNIT_EIO.
 */
#ifndef KNIT_REGISTRY_PUBLISH_H
#define KNIT_REGISTRY_PUBLISH_H

#include "util/config.h"
#include "util/fetch.h"

struct cJSON;

struct knit_publish_req {
	const char *name, *version;
	const char *tag;            /* the dist-tag to point at it; NULL: "latest" */
	const char *manifest_json;  /* the package.json that is in the tarball */
	const void *tgz;
	size_t tgz_len;
	const char *integrity;      /* "sha512-..." of tgz */
	const char *shasum;         /* hex SHA-1 of tgz */
	const char *readme;         /* the README's text, or NULL */
	const char *readme_filename;
};

/* Publishes one version. *tarball_url gets where the registry will serve it. */
int knit_publish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		 const struct knit_publish_req *req, struct strbuf *tarball_url, struct strbuf *err);

/*
 * The package's full document, as the registry holds it (write: as npm asks
 * before changing it, bypassing caches, with the Authorization). Caller
 * frees *doc with cJSON_Delete.
 */
int knit_registry_document(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			   const char *name, bool write, struct cJSON **doc, struct strbuf *err);

/*
 * The newest version key of a package document that satisfies range (loose),
 * or with range NULL the newest of all, pre-releases included; NULL if none.
 * Points into doc.
 */
const char *knit_document_newest(const struct cJSON *doc, const char *range);

/* Points tag at version, or removes tag when version is NULL ("latest" cannot be removed). */
int knit_dist_tag_set(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		      const char *name, const char *tag, const char *version, struct strbuf *err);
/*
 * Marks every version satisfying range deprecated with message ("" takes
 * the mark away). *count: how many versions changed.
 */
int knit_deprecate(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		   const char *name, const char *range, const char *message, size_t *count,
		   struct strbuf *err);
/*
 * Removes one version and its tarball; tags that pointed at it go, and
 * "latest" moves to the highest version left. The last version takes the
 * package with it.
 */
int knit_unpublish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		   const char *name, const char *version, struct strbuf *err);

#endif
