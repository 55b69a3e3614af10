/*
 * A package's document (its "packument") as the write side changes it:
 * the same edits whoever keeps the document, a folder or an HTTP registry
 * (registry/backend.h). where names the registry in messages: a folder's
 * path, an HTTP registry's URL. The registry layer's own; commands use
 * registry/publish.h.
 */
#ifndef KNIT_REGISTRY_DOCUMENT_H
#define KNIT_REGISTRY_DOCUMENT_H

#include "util/strbuf.h"

#include <stddef.h>

struct cJSON;
struct knit_publish_req;

/* "<base>-<version>.tgz", base being the name without its scope: a registry's tarball file name. */
void knit_document_tarball_file(const char *name, const char *version, struct strbuf *out);
/*
 * Adds req's version to *doc (made when NULL) with its tarball at
 * tarball_url, points its tag at it and stamps the time: KNIT_EEXIST if
 * the version is there already, KNIT_EINVALID_ARG if the packed
 * package.json is not a JSON object.
 */
int knit_document_add_version(struct cJSON **doc, const struct knit_publish_req *req, const char *tarball_url,
			      const char *where, struct strbuf *err);
/*
 * Takes version out of doc: its entry, its time, the tags on it; "latest"
 * moves to the highest version left. KNIT_ENOTFOUND if absent.
 */
int knit_document_remove_version(struct cJSON *doc, const char *name, const char *version, const char *where,
				 struct strbuf *err);
/*
 * Marks every version satisfying range (pre-releases too) deprecated with
 * message, "" taking the mark away. *count: how many; KNIT_ENOMATCH if none.
 */
int knit_document_deprecate(struct cJSON *doc, const char *name, const char *range, const char *message,
			    size_t *count, const char *where, struct strbuf *err);
/* Points tag at version, or with version NULL removes it. KNIT_ENOTFOUND for a missing version or tag. */
int knit_document_set_tag(struct cJSON *doc, const char *name, const char *tag, const char *version,
			  const char *where, struct strbuf *err);

#endif
