/*
 * knit.json, the project's manifest (package.json's fields, plus a `c`
 * section for build facts). Packages that carry only a package.json read
 * the same way.
 *
 * Ownership: a manifest owns its strings; knit_manifest_release frees them.
 */
#ifndef KNIT_PROJECT_MANIFEST_H
#define KNIT_PROJECT_MANIFEST_H

#include "resolver/lockfile.h"
#include "util/strbuf.h"

struct knit_manifest {
	char *name;    /* NULL when absent */
	char *version; /* NULL when absent */
	struct knit_deps deps, dev_deps, overrides;
};

/*
 * Parses text read from path (named in messages). 0, or KNIT_EPARSE with one
 * line in *err: "knit.json:3:7: malformed JSON", or the field at fault.
 */
int knit_manifest_parse(struct knit_manifest *m, const char *text, size_t len, const char *path,
			struct strbuf *err);
/* Reads and parses path: also KNIT_ENOTFOUND when it does not exist. */
int knit_manifest_read(struct knit_manifest *m, const char *path, struct strbuf *err);
void knit_manifest_release(struct knit_manifest *m);

#endif
