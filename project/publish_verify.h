/*
 * knit publish's verification, as cargo publish verifies: the package
 * built from the files its tarball holds, in a scratch folder, before it
 * is uploaded, so that a package that would not build for its users (a
 * file its .gitignore left out, a header it forgot) is refused with the
 * build's error instead. Every kind is built as knit build builds it
 * (build_deps.h); the prefixes of dependencies come from the project's own
 * deps/.build (knit build --deps). When one of them is not built there,
 * the package is not built, and a warning through the session says so.
 */
#ifndef KNIT_PROJECT_PUBLISH_VERIFY_H
#define KNIT_PROJECT_PUBLISH_VERIFY_H

#include "project/pack.h"
#include "project/session.h"
#include "util/strbuf.h"

/*
 * 0 when p builds (or could not be built for want of a dependency's
 * prefix: a warning through s); else KNIT_EIO with one line in *err naming the
 * package, the step and the log (kept, with the scratch folder), and the
 * log's last lines in *log_tail; KNIT_ENOTFOUND for a missing tool.
 */
int knit_publish_verify(const struct knit_pack *p, const char *project_dir, const struct knit_session *s,
			struct strbuf *err, struct strbuf *log_tail);

#endif
