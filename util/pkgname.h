/*
 * Package names, and the one way to make a path from one.
 *
 * Every name knit reads (knit.json, a dependency's manifest, a packument,
 * knit.lock, the command line) is checked where it enters with
 * knit_pkgname_check: npm's rules for new packages (validate-npm-package-name)
 * and knit's own, so that a name is always one folder under deps/ (two for
 * @scope/name) and never climbs out of it. Paths made from names go through
 * knit_pkgname_path, which checks again: a name that slipped past the entry
 * checks still cannot leave its base.
 */
#ifndef KNIT_UTIL_PKGNAME_H
#define KNIT_UTIL_PKGNAME_H

#include "strbuf.h"

#include <stdbool.h>

#define KNIT_PKGNAME_MAX 214

/*
 * NULL when name is a valid package name, else a static one-line phrase
 * saying which rule it breaks ("it starts with a period"), to follow
 * "... is not a valid package name: ". The rules: 1 to 214 bytes; no
 * leading '.', '_' or '-'; no leading or trailing spaces; not
 * 'node_modules' or 'favicon.ico'; no capital letters; none of ~'!()*;
 * only a-z 0-9 - . _ (what encodeURIComponent keeps), except one "@scope/"
 * in front whose scope is not empty and does not start with '.'. The name
 * after the scope follows npm: it may not start with '.' either. So no
 * component is empty, '.' or '..', and the only '/' is the scope's.
 * Where knit parts from npm (tests/cli/t0700 checks the rest against
 * validate-npm-package-name): the names of Node's core modules ("http",
 * "crypto") are taken, being plain folder names that C libraries bear;
 * capitals, which npm still takes in old packages, are refused (those are
 * JavaScript, and deps/Foo and deps/foo are one folder on a case-insensitive
 * file system); ~'!()* and a leading '.' are refused in the scope too.
 */
const char *knit_pkgname_check(const char *name);

/* Whether knit_pkgname_check finds nothing wrong with name. */
bool knit_pkgname_valid(const char *name);

/*
 * 0 when name is valid; else KNIT_EINVALID_ARG with "'<name>' is not a
 * valid package name: <rule>" added to err, for a name standing alone (a
 * command's argument).
 */
int knit_pkgname_verify(const char *name, struct strbuf *err);

/*
 * Checks name where it enters: 0 when valid; else appends the formatted
 * prefix and "'<name>', which is not a valid package name: <rule>" to err
 * ("package 'evil@1.0.0' depends on '../x', which is ...") and returns
 * KNIT_EINVALID_ARG. The name is shown as knit_pkgname_quote shows it.
 */
int knit_pkgname_require(const char *name, struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Splits a package spec as a command line gives one: "name", "name@rest",
 * "@scope/name", "@scope/name@rest". The name ends at the first '@' after
 * its first byte, so the rest may hold '@'s of its own
 * (git+ssh://git@host/repo.git). The name must pass knit_pkgname_check.
 *
 * Returns 0 with *name the name (malloc'd: the caller frees it) and *rest
 * pointing into arg just after that '@' ("" for "name@"), or NULL when arg
 * has no '@' of its own. Else KNIT_EINVALID_ARG, *name NULL and one line
 * added to err that names arg (quoted as knit_pkgname_quote quotes, so a
 * megabyte of argument is 64 bytes of message):
 *   "'<arg>' is not a valid package name: <rule>"       (arg is only a name)
 *   "'<arg>': '<name>' is not a valid package name: <rule>"
 *   "'<arg>' needs the package's name in front: <name>@<arg>"
 * The last for a name part holding ':', which no name has and every URL and
 * "file:" or "github:" spec does: a source given without the name it binds.
 */
int knit_spec_split(const char *arg, char **name, const char **rest, struct strbuf *err);

/*
 * Appends name in single quotes, safe for a one-line message: control
 * characters as \xNN, and a long name cut after 64 bytes with "...".
 */
void knit_pkgname_quote(const char *name, struct strbuf *out);

/*
 * Appends "<base>/<name><suffix>" to out (just "<name><suffix>" when base
 * is NULL; suffix may be NULL). Returns 0, or KNIT_EINVALID_ARG with out
 * unchanged and "'<name>' is not a valid package name: <rule>" added to err
 * when name fails knit_pkgname_check or has a '.' or '..' component.
 */
int knit_pkgname_path(const char *base, const char *name, const char *suffix, struct strbuf *out,
		      struct strbuf *err);

/*
 * Appends one "../" per component of name ("../" for "x", "../../" for
 * "@s/x") to out: the way from deps/<name>'s folder back to deps/'s parent,
 * for a link that sits at deps/<name>.
 */
void knit_pkgname_up(const char *name, struct strbuf *out);

#endif
