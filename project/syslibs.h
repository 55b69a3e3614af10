/*
 * System libraries a package needs, checked with pkg-config before an
 * install changes anything: `"c": {"pkgconfig": {"libuv": ">=1.40"}}` asks
 * for a module whose version (coerced as node-semver coerces, since
 * pkg-config versions need not be semver) satisfies the range. A missing
 * or too old module is an error that names the Debian package when knit
 * knows it. Each module is asked about once per process.
 */
#ifndef KNIT_PROJECT_SYSLIBS_H
#define KNIT_PROJECT_SYSLIBS_H

#include "resolver/lockfile.h"
#include "util/strbuf.h"

/*
 * who: "package 'libfoo@1.2.0'" or "knit.json", for the message. 0, or
 * KNIT_ENOTFOUND / KNIT_ENOMATCH / KNIT_EINVALID_RANGE / KNIT_EIO with one
 * line in *err.
 */
int knit_syslibs_check(const char *who, const struct knit_strmap *modules, struct strbuf *err);

/* The Debian -dev package that provides a pkg-config module, or NULL. */
const char *knit_syslib_debian_package(const char *module);

#endif
