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

struct knit_script {
	char *name, *command;
};

struct knit_manifest {
	char *name;    /* NULL when absent */
	char *version; /* NULL when absent */
	struct knit_deps deps, dev_deps, overrides;
	struct knit_script *scripts; /* "scripts", in knit.json's order */
	size_t nscripts;
};

/* The script called name, or NULL. */
const char *knit_manifest_script(const struct knit_manifest *m, const char *name);

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
