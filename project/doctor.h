/*
 * knit doctor's checks: what an install or a build needs from the machine,
 * each found fine or not with what to do about it, as brew doctor and
 * flutter doctor tell it.
 *
 *   registry  every registry in use (the default and each scope's): a
 *             folder exists, can be read and holds packages; an npm
 *             registry answers GET /-/ping (or its root) within a few
 *             seconds, with the token configured for it
 *   cache     the cache folder can be written, and its store entries and
 *             builds match their indexes (knit cache verify, removing
 *             nothing)
 *   links     a file of the cache can be hard-linked into the project, as
 *             install links store files into deps/; else installs copy
 *   tools     the C compiler ($CC, else cc), make, cmake and pkg-config
 *             are on PATH, with the version each prints
 *
 * The checks never change the project or the cache: what they write to
 * test it (a temporary file, a link) is removed at once.
 */
#ifndef KNIT_PROJECT_DOCTOR_H
#define KNIT_PROJECT_DOCTOR_H

#include <stddef.h>

#include "util/config.h"

enum knit_doctor_status {
	KNIT_DOCTOR_OK,
	KNIT_DOCTOR_WARN, /* works, less well than it could: installs copy instead of linking */
	KNIT_DOCTOR_FAIL, /* an install or a build will fail, or has failed for this */
};

struct knit_doctor_finding {
	enum knit_doctor_status status;
	const char *check;   /* "registry", "cache", "links", "tool" */
	const char *subject; /* the registry's URL, the cache's folder, the tool's name */
	const char *detail;  /* what was found: "answered /-/ping in 12 ms", "cmake version 3.28.3" */
	const char *fix;     /* what to do about it; NULL when there is nothing to do */
};

/* Told each finding as it is made; the finding's strings live until it returns. */
typedef void (*knit_doctor_report_fn)(void *ctx, const struct knit_doctor_finding *f);

struct knit_doctor_opts {
	const struct knit_config *cfg;
	const char *project_dir; /* where installs link into: the links check's other end */
	long timeout_ms;         /* the longest a registry may take to answer; 0: 5 s */
};

/*
 * Runs every check, reporting each finding. *failed counts the findings
 * with KNIT_DOCTOR_FAIL, *warned those with KNIT_DOCTOR_WARN.
 */
void knit_doctor_run(const struct knit_doctor_opts *o, knit_doctor_report_fn report, void *ctx, size_t *failed,
		     size_t *warned);

#endif
