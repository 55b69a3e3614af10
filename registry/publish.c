/*
 * The write side's operations: the arguments checked here, then the
 * registry's backend (registry/backend.h) does the work.
 */
#include "publish.h"
#include "backend.h"
#include "document.h"
#include "resolver/semver.h"
#include "util/error.h"

#include <cjson/cJSON.h>
#include <string.h>

/* A tag to set or remove: not a version range, nothing a URL would need escaped. */
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

/* ---- the operations ---- */

int knit_publish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		 const struct knit_publish_req *req, struct strbuf *tarball_url, struct strbuf *err)
{
	int rc = req->tag ? check_tag(req->name, req->tag, req->version, err) : 0;
	if (rc)
		return rc;
	struct knit_registry_at at = { cfg, f, registry };
	return knit_registry_backend_for(registry)->publish(&at, req, tarball_url, err);
}

int knit_registry_document(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			   const char *name, bool write, cJSON **doc, struct strbuf *err)
{
	*doc = NULL;
	struct knit_registry_at at = { cfg, f, registry };
	return knit_registry_backend_for(registry)->read_document(&at, name, write, doc, err);
}

int knit_dist_tag_set(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		      const char *name, const char *tag, const char *version, struct strbuf *err)
{
	int rc = check_tag(name, tag, version, err);
	if (rc)
		return rc;
	struct knit_registry_at at = { cfg, f, registry };
	return knit_registry_backend_for(registry)->set_tag(&at, name, tag, version, err);
}

struct deprecation {
	const char *name, *range, *message;
	size_t *count;
};

static int deprecate_change(cJSON *doc, const char *where, void *arg, struct strbuf *err)
{
	struct deprecation *d = arg;
	return knit_document_deprecate(doc, d->name, d->range, d->message, d->count, where, err);
}

int knit_deprecate(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		   const char *name, const char *range, const char *message, size_t *count,
		   struct strbuf *err)
{
	*count = 0;
	struct deprecation d = { name, range, message, count };
	struct knit_registry_at at = { cfg, f, registry };
	return knit_registry_backend_for(registry)->change_document(&at, name, deprecate_change, &d, err);
}

int knit_unpublish(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
		   const char *name, const char *version, struct strbuf *err)
{
	struct knit_registry_at at = { cfg, f, registry };
	return knit_registry_backend_for(registry)->unpublish(&at, name, version, err);
}
