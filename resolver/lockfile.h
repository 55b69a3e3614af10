/*
 * knit.lock: what a resolution chose, so that the next install and knit ci
 * restore exactly that.
 *
 *   {
 *     "lockfileVersion": 1,
 *     "packages": {
 *       "<name>": {
 *         "dependencies": { "<dep>": "<range>" },
 *         "integrity": "sha512-...",
 *         "resolved": "<tarball URL | git+URL#commit | file:path>",
 *         "version": "1.2.3"
 *       }
 *     },
 *     "root": { "dependencies": {}, "devDependencies": {}, "overrides": {} }
 *   }
 *
 * JSON with two-space indent, every object's keys sorted, a newline at the
 * end: the same resolution always writes the same bytes, and two branches
 * that change different packages merge line by line. `packages` holds every
 * installed package and nothing else; the root is not in it. Unknown fields
 * are ignored when reading.
 *
 * Ownership: a lockfile owns all its strings; knit_lockfile_release frees them.
 */
#ifndef KNIT_RESOLVER_LOCKFILE_H
#define KNIT_RESOLVER_LOCKFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "resolver/solver.h"
#include "util/strbuf.h"

#define KNIT_LOCKFILE_VERSION 1

struct knit_deps {
	struct knit_dep *items; /* name and range strings are owned */
	size_t n, alloc;
};

struct knit_lock_pkg {
	char *name, *version, *resolved, *integrity; /* resolved, integrity may be NULL */
	struct knit_deps deps;
};

struct knit_lockfile {
	struct knit_deps root_deps, root_dev_deps, root_overrides;
	struct knit_lock_pkg *pkgs; /* sorted by name once formatted or parsed */
	size_t n, alloc;
};

void knit_deps_add(struct knit_deps *d, const char *name, const char *range);
void knit_deps_release(struct knit_deps *d);

/* Adds a package (copies the strings) and returns it, for its dependencies. */
struct knit_lock_pkg *knit_lockfile_add(struct knit_lockfile *lf, const char *name,
					const char *version, const char *resolved,
					const char *integrity);
const struct knit_lock_pkg *knit_lockfile_find(const struct knit_lockfile *lf, const char *name);
void knit_lockfile_release(struct knit_lockfile *lf);

/* The canonical text. Sorts lf's packages. */
void knit_lockfile_format(struct knit_lockfile *lf, struct strbuf *out);
/*
 * Parses text read from path (for messages). 0, or KNIT_EPARSE with one
 * line in *err: "knit.lock:3:7: ..." for JSON errors, the field otherwise.
 */
int knit_lockfile_parse(struct knit_lockfile *lf, const char *text, size_t len, const char *path,
			struct strbuf *err);
/* knit_read_file + parse: also KNIT_ENOTFOUND when there is no lockfile. */
int knit_lockfile_read(struct knit_lockfile *lf, const char *path, struct strbuf *err);
/* Writes atomically, and only when the text changes. */
int knit_lockfile_write(struct knit_lockfile *lf, const char *path, bool *changed,
			struct strbuf *err);

#endif
