/*
 * Dependencies that are not registry ranges: git repositories
 * (store/git.h) and folders on disk ("file:../libfoo"). Each gives one
 * version of its package (the one its knit.json, else package.json, says)
 * and takes part in resolution like a registry package: the name is bound
 * to that version alone, and the ranges that others put on it must accept
 * it, or the solver explains why not.
 *
 * knit_specials wraps the registry's knit_source: names bound to a git or
 * folder package answer from here, every other name from the registry.
 * The root's specs are resolved before solving (knit_specials_root), and
 * a git or folder package's own specs with it, recursively; a name asked
 * for as two different sources is an error that names both askers.
 *
 * Ownership: the packages live until knit_specials_free.
 */
#ifndef KNIT_PROJECT_SOURCES_H
#define KNIT_PROJECT_SOURCES_H

#include "manifest.h"
#include "resolver/solver.h"
#include "util/strbuf.h"

enum knit_spec_kind { KNIT_SPEC_REGISTRY = 0, KNIT_SPEC_GIT, KNIT_SPEC_FILE };

/* What a dependency's spec is: git, a folder ("file:" but not a file:// URL), else a registry range or tag. */
enum knit_spec_kind knit_spec_kind(const char *spec);
/* The kind of package a lockfile's "resolved" names. */
enum knit_spec_kind knit_resolved_kind(const char *resolved);

struct knit_special {
	char *name;
	enum knit_spec_kind kind;
	char *spec;         /* as asked for */
	char *asked_by;     /* who asked for it first: the project's name, or a package's */
	char *resolved;     /* for knit.lock: "git+<url>#<commit>", or "file:<path from the project>" */
	char *url;          /* git: the repository */
	char commit[41];    /* git: the commit */
	char *dir;          /* file: the folder, absolute */
	struct knit_manifest manifest;
	struct knit_pkg pkg;
	struct knit_pkg_version version;
	struct knit_deps deps; /* the manifest's dependencies, specs replaced by exact versions */
};

struct knit_specials;

/* inner answers every other name; both strings are copied. */
struct knit_specials *knit_specials_new(const struct knit_source *inner, const char *cache_dir,
					const char *project_dir);
void knit_specials_free(struct knit_specials *s);
const struct knit_source *knit_specials_source(struct knit_specials *s);
/*
 * A root dependency: for a git or folder spec, resolves it now and sets
 * *solve_range to its exact version; for anything else, to spec itself.
 * asked_by names the project in messages.
 */
int knit_specials_root(struct knit_specials *s, const char *name, const char *spec, const char *asked_by,
		       const char **solve_range, struct strbuf *err);
/* The git or folder package bound to name, or NULL. */
const struct knit_special *knit_specials_find(const struct knit_specials *s, const char *name);

/* The folder a "file:<path>" spec (or lockfile entry) names: the path itself when absolute, else under base_dir. */
void knit_spec_folder(const char *spec, const char *base_dir, struct strbuf *out);
/*
 * Whether a lockfile's resolved still stands for a root spec: the same
 * repository for git (the lock pins the commit), the same folder for file:
 * (resolved relative to project_dir).
 */
bool knit_resolved_matches(const char *project_dir, const char *spec, const char *resolved);
/* "git+<url>#<commit>" split into its parts (malloc'd url). 0, or KNIT_EINVALID_ARG. */
int knit_resolved_git(const char *resolved, char **url, char commit[41]);

#endif
