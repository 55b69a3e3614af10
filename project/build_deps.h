/*
 * knit build: every package in deps/, through the build system it ships or
 * knit's own compile step (builder/builder.h's kinds), built in dependency order
 * (independent ones side by side on threads, each with a share of the
 * cores) into prefixes of their own, and what each gives its consumers written
 * for knit.cmake, knit.mk and pkg-config.
 *
 * Where things go: each build is an entry of the build cache
 * (build_cache.h), named by its key's SHA-256, and under deps/.build/:
 *   pkg/<t>         a link to the entry: prefix/ (the install prefix), key
 *                   (what the build was made from: name, version, integrity,
 *                   kind, options, flags, the compiler and tools, and the
 *                   dependencies' keys; the same key is not built again)
 *   pkg/<t>/link.cmake, link.mk, consumer (the same, as lines), and
 *                   pc/ (<t>.pc plus the .pc files the package installed,
 *                   copied into deps/.pkgconfig by every run): for consumers
 *   ../knit.env     every package's flags, for knit env
 *   log/<t>.log     every step's output, when this project built it
 * (<t> is the package's build name: @acme/libfoo is acme.libfoo.)
 *
 * A failure stops at that package: the ones before it keep their results.
 */
#ifndef KNIT_PROJECT_BUILD_DEPS_H
#define KNIT_PROJECT_BUILD_DEPS_H

#include <stdbool.h>

#include "builder/builder.h"
#include "project/manifest.h"
#include "project/session.h"
#include "util/strbuf.h"

/*
 * The kind a package builds with: c.build when given; sources when it has
 * c.sources; cmake when it has the deprecated c.cmakeTarget; else what its
 * files in dir (plus c.root) say (knit_build_detect).
 */
enum knit_build_kind knit_package_build_kind(const struct knit_manifest *m, const char *dir);

struct knit_build_opts {
	const char *project_dir;
	bool debug;   /* Debug rather than Release */
	bool shared;  /* shared libraries for every package (else each one's c.shared) */
	int jobs;     /* for each build step; 0: the machine's cores, shared by the builds running */
	bool push;    /* send what is built to the remote build cache (build_remote.h) */
	bool no_sandbox; /* build outside bubblewrap's sandbox (also the setting sandbox=false) */
};

/*
 * Builds what deps/ needs (above). 0; or an error with one line in *err
 * naming the package (a build failure names the step and the log, whose
 * last lines go to *log_tail), KNIT_ENOTFOUND for no knit.lock or a
 * missing tool (named with its Debian package, before anything is built).
 */
int knit_build_deps(struct knit_session *s, const struct knit_build_opts *o, struct strbuf *err,
		    struct strbuf *log_tail);

/*
 * What package name's build key is made of (knit build --explain), into
 * *out: its inputs, one a line, and whether its last build was made from
 * them; when not, the inputs that changed ("- old", "+ new"). 0, or an
 * error with one line in *err (KNIT_ENOTFOUND for a name knit.lock lacks).
 */
int knit_build_explain(const struct knit_build_opts *o, const char *name, struct strbuf *out, struct strbuf *err);

#endif
