/*
 * knit publish's verification, as cargo publish verifies: the package
 * built from the files its tarball holds, in a scratch folder, before it
 * is uploaded, so that a package that would not build for its users (a
 * file its .gitignore left out, a header it forgot) is refused with the
 * build's error instead. Packages of a build system's kind (build_deps.h)
 * are built through it; the prefixes of dependencies come from the
 * project's own deps/.build (knit build --deps), when it has them.
 */
#ifndef KNIT_PROJECT_PUBLISH_VERIFY_H
#define KNIT_PROJECT_PUBLISH_VERIFY_H

#include "project/pack.h"
#include "util/strbuf.h"

/*
 * 0 when p builds (or is of the sources kind, which knit's build files
 * compile in place); else KNIT_EIO with one line in *err naming the
 * package, the step and the log (kept, with the scratch folder), and the
 * log's last lines in *log_tail; KNIT_ENOTFOUND for a missing tool.
 */
int knit_publish_verify(const struct knit_pack *p, const char *project_dir, struct strbuf *err,
			struct strbuf *log_tail);

#endif
