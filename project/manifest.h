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
#include "builder/builder.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <stdbool.h>

struct knit_script {
	char *name, *command;
};

struct knit_strings {
	char **items;
	size_t n;
};

/*
 * The conventions where the `c` section is silent: the sources, and the
 * public include folder (when the package has one; else its root).
 */
#define KNIT_C_SOURCES_CONVENTION "src/**/*.c"
#define KNIT_C_INCLUDE_CONVENTION "include"

/* The `c` section: how a package builds (see knit.json(5)). */
struct knit_c_section {
	bool has_sources, has_include;        /* given, rather than the conventions */
	struct knit_strings sources;          /* globs relative to the package; ** spans folders */
	struct knit_strings include;          /* folders, public */
	struct knit_strings defines;          /* NAME or NAME=VALUE, public */
	struct knit_strings cflags;           /* for the package's own sources */
	struct knit_strings link;             /* system libraries: m, pthread */
	struct knit_strmap pkgconfig;         /* pkg-config module -> semver range */
	char *cmake_target;                   /* its own CMake target, or NULL */
	bool has_build;                       /* c.build given */
	enum knit_build_kind build;           /* c.build (knit build, builder/builder.h) */
	char *root;                           /* c.root: where its build starts, relative; NULL: the package */
	struct knit_strings options;          /* c.options: configure arguments, or make variables */
	bool shared;                          /* c.shared: shared libraries rather than static ones */
};

struct knit_manifest {
	char *name;    /* NULL when absent */
	char *version; /* NULL when absent */
	struct knit_deps deps, dev_deps, overrides;
	struct knit_script *scripts; /* "scripts", in knit.json's order */
	size_t nscripts;
	char *description; /* NULL when absent */
	struct knit_c_section c;
	struct knit_strmap bin; /* command name -> path in the package ("bin") */
	struct knit_strings trusted; /* "trustedDependencies": whose install scripts may run */
	struct knit_strings files;   /* "files": what knit pack takes (ignore-file patterns) */
	bool has_files;
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

/*
 * An installed package's manifest: dir/knit.json, else dir/package.json,
 * else an empty one (the conventions apply). Errors name the package as
 * label ("package 'libfoo@1.2.0'") and the file, not the store path.
 */
int knit_manifest_read_package(struct knit_manifest *m, const char *dir, const char *label,
			       struct strbuf *err);

#endif
