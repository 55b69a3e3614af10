/*
 * knit exec outside a project: a registry package's command, installed
 * once into a folder of the cache that its resolved name@version names
 * (<cache>/exec/<name>@<version>, a project of its own whose knit.json has
 * that one exact dependency) and reused from there next time.
 *
 * The install is knit_install's (install.h), so the package is resolved,
 * downloaded, verified and extracted through the store by the same code
 * and rules as any install; that project trusts no one, so no dependency's
 * install script ever runs.
 *
 * Ownership: a knit_exec_package owns its strings;
 * knit_exec_package_release frees them.
 */
#ifndef KNIT_PROJECT_EXEC_H
#define KNIT_PROJECT_EXEC_H

#include "session.h"
#include "util/strmap.h"
#include "util/strbuf.h"

struct knit_exec_package {
	char *name, *version;  /* as resolved */
	struct strbuf dir;     /* the cache's folder for name@version */
	struct strbuf bin_dir; /* its deps/.bin: first on PATH for the command */
	char *command;         /* the command to run: the one asked for, else the package's bin */
};

/*
 * spec is "<name>[@<range or tag>]" (none: the latest tag); command is the
 * command to run, or NULL for the package's own: its single bin, or the
 * one named like the package (without its scope). The version comes from
 * the session's source (an exact version spec needs no packument), then
 * the cache's folder is installed (a no-op when it is complete). 0, or an
 * error with one line in *err (for KNIT_ENOSOLUTION the whole
 * explanation).
 */
int knit_exec_prepare(struct knit_session *s, const char *spec, const char *command, struct knit_exec_package *out,
		      struct strbuf *err);
void knit_exec_package_release(struct knit_exec_package *p);

/*
 * The command of a package whose "bin" is bins (name is the package's):
 * the single one, else the one named like the package without its scope.
 * NULL when neither, with one line in *err: the package has no commands,
 * or "package '<label>' has several commands (a, b); name one with
 * --package=<name> <command>".
 */
const char *knit_exec_default_bin(const struct knit_strmap *bins, const char *name, const char *label,
				  struct strbuf *err);

#endif
