#include "buildfiles.h"
#include "build_deps.h"
#include "manifest.h"
#include "scripts.h"
#include "syslibs.h"
#include "util/beneath.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/order.h"
#include "util/pcquote.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void knit_build_name(const char *pkg, struct strbuf *out)
{
	if (pkg[0] == '@' && strchr(pkg, '/')) {
		const char *slash = strchr(pkg, '/');
		strbuf_addf(out, "%.*s.%s", (int)(slash - pkg - 1), pkg + 1, slash + 1);
	} else {
		strbuf_addstr(out, pkg);
	}
}

/* What one package contributes, read from its manifest and files. */
struct unit {
	const struct knit_build_pkg *pkg;
	const struct knit_manifest *m;
	struct strbuf target;          /* e.g. acme.libfoo */
	size_t *deps;                  /* indexes of its dependencies among the units */
	size_t ndeps;
};

/*
 * Whether rel is a folder of the package open as pkg, resolved beneath it
 * (util/beneath.h): 1 yes, 0 no, -1 when it, or a link on the way, leads
 * outside the package.
 */
static int folder_beneath(int pkg, const char *rel)
{
	int fd = pkg < 0 ? -1 : knit_beneath_open(pkg, rel, O_PATH | O_DIRECTORY, 0);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return pkg >= 0 && (errno == EXDEV || errno == ELOOP) ? -1 : 0;
}

/*
 * What the build files can carry. Every value below comes from a
 * dependency's knit.json and is hostile (issue 11): the writers must give
 * each one back as exactly one value, and never let it run a command.
 *
 * Refused, with one line naming the package, the field and the value:
 * - control characters, in every `c` string (manifest.c's read_c) and in
 *   the names of the source files globbing finds (here): a newline starts
 *   a new Make rule, CMake command or pkg-config field;
 * - '$', '\' and '#' in c.defines, c.cflags, c.include, c.link,
 *   c.pkgconfig and c.cmakeTarget: pkg-config prints '$' unescaped, so a
 *   shell expanding its output would run "$(...)"; CMake evaluates "$<...>",
 *   a '\' ending one list element joins it to the next, and a define
 *   holding '#' is dropped by CMake without a word; no C flag needs them;
 * - an unmatched '[' or ']' in those values: CMake's list splitting counts
 *   brackets and stops splitting after one, so the values after it would
 *   join this one; matched ones, as in "a[0]", are carried;
 * - source file names outside letters, digits and ". _ - + /": they are
 *   Make targets and reach the recipe's $< unquoted;
 * - c.cflags that run or load programs (running_flag).
 *
 * Escaped, per format, for everything else (spaces, quotes, ';', '`', ...):
 * - knit.mk: each flag one shell word, as the recipe's shell sees
 *   $(KNIT_CFLAGS): single-quoted unless every byte is plain
 *   (knit_plain_byte); then '$' -> '$$' and '#' -> '\#' for Make (a defence:
 *   both are refused above), assigned with := so nothing expands twice;
 * - knit.env: the same words, the whole list single-quoted for sh, so
 *   that eval "set -- $KNIT_CFLAGS" gives the flags back one by one;
 * - knit.cmake: quoted arguments with '\', '"', '$' and ';' escaped by a
 *   backslash (CMake keeps "\;" in a list element rather than splitting);
 * - .pc: a backslash before every byte that is not plain, which pkgconf's
 *   argument splitter takes as part of the same argument; the description
 *   has its control characters made spaces.
 */
static int refuse_value(const struct knit_build_pkg *pkg, const char *label, const char *value,
			struct strbuf *err)
{
	const char *bad = strpbrk(value, "$\\#");
	long depth = 0;
	for (const char *s = value; *s && depth >= 0; s++)
		depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
	if (!bad && !depth)
		return 0;
	strbuf_addf(err, "package '%s@%s': '%s' entry '", pkg->name, pkg->version, label);
	strbuf_add_visible(err, value);
	if (bad)
		strbuf_addf(err, "' holds '%c', which build files cannot carry", *bad);
	else
		strbuf_addstr(err, "' holds an unmatched '[' or ']', which CMake lists cannot carry");
	return KNIT_EPARSE;
}

static int refuse_values(const struct knit_build_pkg *pkg, const char *label,
			 const struct knit_strings *v, struct strbuf *err)
{
	int rc = 0;
	for (size_t i = 0; i < v->n && !rc; i++)
		rc = refuse_value(pkg, label, v->items[i], err);
	return rc;
}

/*
 * Compiler options that make gcc or clang run or load a program, or read
 * more options from a file (@file could hold them): quoting cannot make a
 * dependency's c.cflags safe from these, so they are refused. A guard
 * against the known ones, not a sandbox: a dependency's sources are still
 * compiled with the flags it asks for.
 */
static const char *running_flag(const char *flag)
{
	static const char *const exact[] = { "-wrapper", "-Xclang", NULL };
	static const char *const prefixes[] = { "-fplugin", "-fpass-plugin", "-specs", "--specs", "-B", "@",
						NULL };
	for (size_t i = 0; exact[i]; i++)
		if (!strcmp(flag, exact[i]))
			return exact[i];
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(flag, prefixes[i], strlen(prefixes[i])))
			return prefixes[i];
	return NULL;
}

static int check_values(const struct knit_build_pkg *pkg, const struct knit_c_section *c,
			struct strbuf *err)
{
	int rc;
	for (size_t i = 0; i < c->cflags.n; i++)
		if (running_flag(c->cflags.items[i])) {
			strbuf_addf(err, "package '%s@%s': 'c.cflags' entry '", pkg->name, pkg->version);
			strbuf_add_visible(err, c->cflags.items[i]);
			strbuf_addf(err, "' (%s) would make the compiler run or load a program, or read options "
					 "from a file", running_flag(c->cflags.items[i]));
			return KNIT_EPARSE;
		}
	if ((rc = refuse_values(pkg, "c.include", &c->include, err)) ||
	    (rc = refuse_values(pkg, "c.defines", &c->defines, err)) ||
	    (rc = refuse_values(pkg, "c.cflags", &c->cflags, err)) ||
	    (rc = refuse_values(pkg, "c.link", &c->link, err)) ||
	    (c->cmake_target && (rc = refuse_value(pkg, "c.cmakeTarget", c->cmake_target, err))))
		return rc;
	for (size_t i = 0; i < c->pkgconfig.n; i++)
		if ((rc = refuse_value(pkg, "c.pkgconfig", c->pkgconfig.items[i].key, err)))
			return rc;
	return 0;
}

static int check_source_names(const struct knit_build_pkg *pkg, const struct knit_paths *sources,
			      struct strbuf *err)
{
	for (size_t i = 0; i < sources->n; i++) {
		const char *src = sources->items[i];
		for (const char *s = src; *s; s++)
			if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9') || strchr("._-+/", *s))) {
				strbuf_addf(err, "package '%s@%s': source file '", pkg->name, pkg->version);
				strbuf_add_visible(err, src);
				strbuf_addstr(err, "' has a name deps/knit.mk cannot carry "
						   "(letters, digits and . _ - + only)");
				return KNIT_EPARSE;
			}
	}
	return 0;
}

int knit_buildfiles_sources(const struct knit_build_pkg *pkg, struct knit_paths *sources,
			    struct knit_paths *include, struct strbuf *err)
{
	const char *dir = pkg->dir;
	const struct knit_c_section *c = &pkg->manifest->c;
	int rc;
	/* the globs follow no link: every source is a real file of the package */
	/* from the list of its files when there is one: no folder read */
	for (size_t i = 0; i < (c->has_sources ? c->sources.n : 1); i++) {
		const char *pattern = c->has_sources ? c->sources.items[i] : KNIT_C_SOURCES_CONVENTION;
		if (pkg->files)
			knit_glob_files(pkg->files, pkg->nfiles, pattern, sources);
		else
			knit_glob(dir, pattern, sources);
	}
	if ((rc = check_values(pkg, c, err)) || (rc = check_source_names(pkg, sources, err)))
		return rc;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->has_include) {
		for (size_t i = 0; i < c->include.n && !rc; i++) {
			const char *inc = c->include.items[i];
			if (strstr(inc, "..") || inc[0] == '/' || folder_beneath(fd, inc) < 0) {
				strbuf_addf(err, "package '%s@%s': 'c.include' entry '%s' leaves the package",
					    pkg->name, pkg->version, inc);
				rc = KNIT_EPARSE;
				break;
			}
			KNIT_ALLOC_GROW(include->items, include->n + 1, include->alloc);
			include->items[include->n++] = knit_xstrdup(strcmp(inc, ".") ? inc : "");
		}
	} else {
		int has = folder_beneath(fd, KNIT_C_INCLUDE_CONVENTION);
		if (has < 0) {
			strbuf_addf(err, "package '%s@%s': its '%s' folder is a link that leaves the package",
				    pkg->name, pkg->version, KNIT_C_INCLUDE_CONVENTION);
			rc = KNIT_EPARSE;
		} else {
			KNIT_ALLOC_GROW(include->items, include->n + 1, include->alloc);
			include->items[include->n++] = knit_xstrdup(has ? KNIT_C_INCLUDE_CONVENTION : "");
		}
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Checks what the package's `c` section asks for, before deps/ changes: knit build builds it later. */
static int read_unit(struct unit *u, struct strbuf *err)
{
	u->m = u->pkg->manifest;
	if (knit_package_build_kind(u->m, u->pkg->dir) != KNIT_BUILD_SOURCES)
		return check_values(u->pkg, &u->m->c, err);
	struct knit_paths sources = { 0 }, include = { 0 };
	int rc = knit_buildfiles_sources(u->pkg, &sources, &include, err);
	knit_paths_release(&sources);
	knit_paths_release(&include);
	return rc;
}

/* --- text helpers ------------------------------------------------------------------------ */

static bool all_plain(const char *s)
{
	for (; *s; s++)
		if (!knit_plain_byte((unsigned char)*s))
			return false;
	return true;
}

/*
 * Text on a line of its own (a comment, a .pc field): control characters
 * become spaces, so that a version read from a tampered knit.lock cannot
 * start a line of Make, CMake or pkg-config.
 */
static void one_line(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

/* "\n# <name> <version>\n", the comment before each package's part */
static void comment(struct strbuf *out, const struct knit_build_pkg *pkg)
{
	strbuf_addstr(out, "\n# ");
	one_line(out, pkg->name);
	strbuf_addch(out, ' ');
	one_line(out, pkg->version);
	strbuf_addch(out, '\n');
}

/* One shell word: as is when every byte is plain, else single-quoted. */
static void shell_arg(struct strbuf *out, const char *s)
{
	if (*s && all_plain(s))
		strbuf_addstr(out, s);
	else
		knit_shell_quote(out, s);
}

/* prefix and s as one shell word, written into a Make variable's value. */
static void make_arg(struct strbuf *out, const char *prefix, const char *s)
{
	struct strbuf word = STRBUF_INIT, joined = STRBUF_INIT;
	strbuf_addf(&joined, "%s%s", prefix, s);
	shell_arg(&word, joined.buf);
	for (const char *p = word.buf; *p; p++) {
		if (*p == '$')
			strbuf_addch(out, '$');
		else if (*p == '#')
			strbuf_addch(out, '\\');
		strbuf_addch(out, *p);
	}
	strbuf_release(&word);
	strbuf_release(&joined);
}

/* s in a .pc file's Cflags or Libs: one argument to pkgconf's splitter. */
/* A CMake quoted argument. */
static void cmake_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (strchr("\\\"$;", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

/* A pkg-config module name as a CMake variable prefix: KNIT_PC_<alnum and _>. */
static void pc_var(struct strbuf *out, const char *module)
{
	strbuf_addstr(out, "KNIT_PC_");
	for (const char *s = module; *s; s++)
		strbuf_addch(out, ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				   (*s >= '0' && *s <= '9')) ? *s : '_');
}

static int unit_named(const void *key, const void *elem)
{
	return strcmp(key, ((const struct unit *)elem)->pkg->name);
}

static int by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

static int unit_by_name(const void *a, const void *b)
{
	return strcmp(((const struct unit *)a)->pkg->name, ((const struct unit *)b)->pkg->name);
}

/* --- order: dependencies before dependents; a cycle is cut where it closes --------------- */

static const size_t *unit_deps(void *ctx, size_t i, size_t *count)
{
	const struct unit *u = ctx;
	*count = u[i].ndeps;
	return u[i].deps;
}

/* --- the files --------------------------------------------------------------------------- */

static void write_cmake(struct unit *u, const size_t *order, size_t n, const struct knit_deps *direct,
			size_t ndirect, struct strbuf *out)
{
	strbuf_addstr(out,
		"# Generated by knit install from the packages in deps/; do not edit.\n"
		"# include(deps/knit.cmake), then link knit::deps (every direct dependency)\n"
		"# or knit::<name> (@scope/name: knit::scope.name).\n"
		"include_guard(GLOBAL)\n"
		"set(KNIT_DEPS_DIR \"${CMAKE_CURRENT_LIST_DIR}\")\n");
	bool pkgconfig = false;
	for (size_t i = 0; i < n; i++)
		pkgconfig |= u[i].m->c.pkgconfig.n > 0;
	if (pkgconfig)
		strbuf_addstr(out, "find_package(PkgConfig REQUIRED)\n");
	if (n)
		strbuf_addstr(out,
			"# every package is built (when not up to date) into a prefix of its own under\n"
			"# deps/.build by knit build --deps, as configuring this project needs them\n"
			"if(NOT KNIT_SKIP_BUILD)\n"
			"  find_program(KNIT_EXECUTABLE knit)\n"
			"  if(NOT KNIT_EXECUTABLE)\n"
			"    message(FATAL_ERROR \"knit is not on PATH: it builds the packages in deps/ (or set "
			"KNIT_EXECUTABLE)\")\n"
			"  endif()\n"
			"  execute_process(COMMAND \"${KNIT_EXECUTABLE}\" build --deps WORKING_DIRECTORY \"${KNIT_DEPS_DIR}/..\"\n"
			"                  RESULT_VARIABLE knit_build_result)\n"
			"  if(NOT knit_build_result EQUAL 0)\n"
			"    message(FATAL_ERROR \"knit build --deps failed (its error is above)\")\n"
			"  endif()\n"
			"endif()\n");
	for (size_t o = 0; o < n; o++) {
		struct unit *x = &u[order[o]];
		const struct knit_c_section *c = &x->m->c;
		const char *t = x->target.buf;
		comment(out, x->pkg);
		strbuf_addf(out, "add_library(knit_%s INTERFACE)\ninclude(\"${KNIT_DEPS_DIR}/.build/pkg/%s/link.cmake\")\n",
			    t, t);
		for (size_t i = 0; i < c->pkgconfig.n; i++) {
			struct strbuf var = STRBUF_INIT;
			pc_var(&var, c->pkgconfig.items[i].key);
			strbuf_addf(out, "if(NOT TARGET PkgConfig::%s)\n  pkg_check_modules(%s REQUIRED IMPORTED_TARGET GLOBAL ",
				    var.buf, var.buf);
			cmake_quote(out, c->pkgconfig.items[i].key);
			strbuf_addf(out, ")\nendif()\n");
			strbuf_release(&var);
		}
		if (x->ndeps || c->pkgconfig.n) {
			strbuf_addf(out, "target_link_libraries(knit_%s INTERFACE", t);
			for (size_t k = 0; k < x->ndeps; k++)
				strbuf_addf(out, " knit::%s", u[x->deps[k]].target.buf);
			for (size_t i = 0; i < c->pkgconfig.n; i++) {
				struct strbuf var = STRBUF_INIT;
				pc_var(&var, c->pkgconfig.items[i].key);
				strbuf_addf(out, " PkgConfig::%s", var.buf);
				strbuf_release(&var);
			}
			strbuf_addstr(out, ")\n");
		}
		strbuf_addf(out, "add_library(knit::%s ALIAS knit_%s)\n", t, t);
	}
	strbuf_addstr(out, "\n# the project's direct dependencies\nadd_library(knit_deps INTERFACE)\n");
	if (ndirect) {
		strbuf_addstr(out, "target_link_libraries(knit_deps INTERFACE");
		for (size_t d = 0; d < ndirect; d++)
			for (size_t k = 0; k < direct[d].n; k++)
				for (size_t i = 0; i < n; i++)
					if (!strcmp(u[i].pkg->name, direct[d].items[k].name))
						strbuf_addf(out, " knit::%s", u[i].target.buf);
		strbuf_addstr(out, ")\n");
	}
	strbuf_addstr(out, "add_library(knit::deps ALIAS knit_deps)\n");
}

/* The pkg-config modules, as Make words for $(shell pkg-config ...). */
static void pkgconfig_modules(struct unit *u, const size_t *order, size_t n, struct strbuf *out)
{
	for (size_t o = 0; o < n; o++)
		for (size_t i = 0; i < u[order[o]].m->c.pkgconfig.n; i++) {
			strbuf_addch(out, ' ');
			make_arg(out, "", u[order[o]].m->c.pkgconfig.items[i].key);
		}
}

static void write_make(struct unit *u, const size_t *order, size_t n, struct strbuf *out)
{
	struct strbuf mods = STRBUF_INIT;
	pkgconfig_modules(u, order, n, &mods);
	strbuf_addstr(out,
		"# Generated by knit install from the packages in deps/; do not edit.\n"
		"# include deps/knit.mk, compile with $(KNIT_CFLAGS), and link with\n"
		"#   app: main.o $(KNIT_LIBS) ; $(CC) -o $@ main.o $(KNIT_LDLIBS)\n"
		"# It leaves the including Makefile's default goal as it was.\n"
		"knit_default_goal := $(.DEFAULT_GOAL)\n"
		"KNIT_DEPS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))\n"
		"KNIT_BUILD_DIR ?= $(KNIT_DEPS_DIR)/.build\n"
		"KNIT ?= knit\n");
	if (n)
		strbuf_addstr(out, "# every package is built into a prefix of its own: make runs knit build --deps\n"
				   "# to make what these lines include, then reads them again\n");
	for (size_t o = 0; o < n; o++)
		strbuf_addf(out, "include $(KNIT_BUILD_DIR)/pkg/%s/link.mk\n", u[order[o]].target.buf);
	if (n)
		strbuf_addstr(out, "$(KNIT_BUILD_DIR)/pkg/%/link.mk:\n\tcd $(KNIT_DEPS_DIR)/.. && $(KNIT) build --deps\n");
	strbuf_addstr(out, "KNIT_CFLAGS :=");
	for (size_t o = 0; o < n; o++)
		strbuf_addf(out, " $(KNIT_CFLAGS_%s)", u[order[o]].target.buf);
	if (mods.len)
		strbuf_addf(out, " $(shell pkg-config --cflags%s)", mods.buf);
	/* archives, dependents first (the order a static link needs) */
	strbuf_addstr(out, "\nKNIT_LIBS :=");
	for (size_t o = n; o-- > 0;)
		strbuf_addf(out, " $(KNIT_LIBS_%s)", u[order[o]].target.buf);
	strbuf_addstr(out, "\nKNIT_LDLIBS := -Wl,--start-group $(KNIT_LIBS) -Wl,--end-group");
	for (size_t o = n; o-- > 0;)
		strbuf_addf(out, " $(KNIT_LDLIBS_%s)", u[order[o]].target.buf);
	if (mods.len)
		strbuf_addf(out, " $(shell pkg-config --libs%s)", mods.buf);
	strbuf_addstr(out, "\n\n# make knit-deps: build the packages (knit build --deps)\nknit-deps:\n");
	strbuf_addstr(out, "\tcd $(KNIT_DEPS_DIR)/.. && $(KNIT) build --deps\n.PHONY: knit-deps\n"
			   ".DEFAULT_GOAL := $(knit_default_goal)\n");
	strbuf_release(&mods);
}

static struct strbuf *add_file(struct knit_buildfiles *bf, const char *fmt, const char *arg)
{
	KNIT_ALLOC_GROW(bf->files, bf->n + 1, bf->alloc);
	struct knit_buildfile *f = &bf->files[bf->n++];
	strbuf_init(&f->path, 0);
	strbuf_addf(&f->path, fmt, arg);
	strbuf_init(&f->text, 0);
	return &f->text;
}

/*
 * A package whose pkg-config module (deps/.pkgconfig/<t>.pc) has the name
 * of a module the project or a package takes from the system: two copies of
 * one library, and one .pc hiding the other. The error names both.
 */
static int check_system_twins(const struct unit *u, size_t n, const struct knit_strmap *project_pkgconfig,
			      struct strbuf *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= n; j++) {
			const struct knit_strmap *m = j < n ? &u[j].m->c.pkgconfig : project_pkgconfig;
			if (!m || !knit_strmap_get(m, u[i].target.buf))
				continue;
			strbuf_addf(err, "%s takes the library '%s' from the system (c.pkgconfig), and the package "
					 "'%s@%s' provides it too: a program would link two copies of one library; "
					 "drop one of them", j < n ? u[j].pkg->name : "knit.json", u[i].target.buf,
				    u[i].pkg->name, u[i].pkg->version);
			return KNIT_EINVALID_ARG;
		}
	return 0;
}

int knit_buildfiles_make(struct knit_buildfiles *bf, const struct knit_strmap *project_pkgconfig,
			 const struct knit_build_pkg *pkgs, size_t n, const struct knit_deps *direct,
			 size_t ndirect, struct strbuf *err)
{
	struct unit *u = knit_xcalloc(n ? n : 1, sizeof(*u));
	size_t *order = knit_xcalloc(n ? n : 1, sizeof(*order));
	int rc = 0;
	memset(bf, 0, sizeof(*bf));
	for (size_t i = 0; i < n && !rc; i++) {
		u[i].pkg = &pkgs[i];
		strbuf_init(&u[i].target, 0);
		/* a valid name makes a target with no '/' and no leading '.': its
		 * .pkgconfig/<target>.pc and obj/<name>/ stay where they belong */
		if ((rc = knit_pkgname_verify(pkgs[i].name, err)))
			break;
		knit_build_name(pkgs[i].name, &u[i].target);
		rc = read_unit(&u[i], err);
		if (!rc && u[i].m->c.pkgconfig.n) {
			struct strbuf who = STRBUF_INIT;
			strbuf_addf(&who, "package '%s@%s'", pkgs[i].name, pkgs[i].version);
			rc = knit_syslibs_check(who.buf, &u[i].m->c.pkgconfig, err);
			strbuf_release(&who);
		}
	}
	/* the same text whatever order the packages and their dependencies come in:
	 * the units by name, each one's dependencies by name */
	if (!rc && n > 1)
		qsort(u, n, sizeof(*u), unit_by_name);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct knit_deps *d = u[i].pkg->deps;
		u[i].deps = knit_xcalloc(d ? d->n + 1 : 1, sizeof(size_t));
		/* the units are sorted by name: each dependency by bsearch, then the
		 * indexes sorted and once each (as the lists a lockfile gives may repeat) */
		for (size_t k = 0; d && k < d->n; k++) {
			const struct unit *hit = bsearch(d->items[k].name, u, n, sizeof(*u), unit_named);
			if (hit)
				u[i].deps[u[i].ndeps++] = (size_t)(hit - u);
		}
		qsort(u[i].deps, u[i].ndeps, sizeof(size_t), by_index);
		size_t kept = 0;
		for (size_t k = 0; k < u[i].ndeps; k++)
			if (!kept || u[i].deps[kept - 1] != u[i].deps[k])
				u[i].deps[kept++] = u[i].deps[k];
		u[i].ndeps = kept;
	}
	if (!rc)
		rc = check_system_twins(u, n, project_pkgconfig, err);
	if (!rc)
		knit_dep_order(n, unit_deps, u, order);
	if (!rc) {
		write_cmake(u, order, n, direct, ndirect, add_file(bf, "%s", "knit.cmake"));
		write_make(u, order, n, add_file(bf, "%s", "knit.mk"));
	}
	for (size_t i = 0; i < n; i++) {
		strbuf_release(&u[i].target);
		free(u[i].deps);
	}
	free(u);
	free(order);
	return rc;
}

int knit_buildfiles_write(const struct knit_buildfiles *bf, const char *deps_dir, bool fresh,
			  bool *changed, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT, scratch = STRBUF_INIT;
	int rc = 0;
	*changed = false;
	for (size_t i = 0; i < bf->n && !rc; i++) {
		const struct strbuf *text = &bf->files[i].text;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", deps_dir, bf->files[i].path.buf);
		if (!fresh) {
			strbuf_reset(&old);
			if (!knit_read_file(path.buf, &old, &scratch) && old.len == text->len &&
			    !memcmp(old.buf, text->buf, text->len))
				continue; /* unchanged: keep its time, so builds do not redo work */
			strbuf_reset(&scratch);
		}
		/* derived data, remade when missing: no fsync (like the rest of deps/);
		 * a fresh deps/ is not in place yet, so its files need no renames */
		rc = fresh ? knit_write_file_new(path.buf, text->buf, text->len, 0644, err)
			   : knit_write_cache_file(path.buf, text->buf, text->len, err);
		if (!rc)
			*changed = true;
	}
	strbuf_release(&path);
	strbuf_release(&old);
	strbuf_release(&scratch);
	return rc;
}

void knit_buildfiles_release(struct knit_buildfiles *bf)
{
	for (size_t i = 0; i < bf->n; i++) {
		strbuf_release(&bf->files[i].path);
		strbuf_release(&bf->files[i].text);
	}
	free(bf->files);
	memset(bf, 0, sizeof(*bf));
}

/* --- a package its own build system built (knit build, project/build_deps.h) ------------ */

static void cmake_list(struct strbuf *out, const char *cmd, const char *t, const struct knit_paths *v)
{
	if (!v->n)
		return;
	strbuf_addf(out, "%s(knit_%s INTERFACE", cmd, t);
	for (size_t i = 0; i < v->n; i++) {
		strbuf_addch(out, ' ');
		cmake_quote(out, v->items[i]);
	}
	strbuf_addstr(out, ")\n");
}

static void make_list(struct strbuf *out, const char *prefix, const struct knit_paths *v)
{
	for (size_t i = 0; i < v->n; i++) {
		strbuf_addch(out, ' ');
		make_arg(out, prefix, v->items[i]);
	}
}

static void pc_list(struct strbuf *out, const char *prefix, const struct knit_paths *v)
{
	for (size_t i = 0; i < v->n; i++) {
		strbuf_addf(out, " %s", prefix);
		knit_pc_quote(out, v->items[i]);
	}
}

void knit_buildfiles_built(const char *name, const char *version, const struct knit_consumer *c,
			   const struct knit_paths *requires, struct strbuf *cmake, struct strbuf *mk, struct strbuf *pc)
{
	struct strbuf t = STRBUF_INIT;
	knit_build_name(name, &t);
	strbuf_addf(cmake, "# Generated by knit build for %s %s; do not edit.\n", name, version);
	cmake_list(cmake, "target_include_directories", t.buf, &c->include);
	cmake_list(cmake, "target_compile_options", t.buf, &c->cflags);
	struct knit_paths libs = { 0 };
	for (size_t i = 0; i < c->libraries.n + c->syslibs.n; i++) {
		const char *s = i < c->libraries.n ? c->libraries.items[i] : c->syslibs.items[i - c->libraries.n];
		KNIT_ALLOC_GROW(libs.items, libs.n + 1, libs.alloc);
		libs.items[libs.n++] = knit_xstrdup(s);
	}
	cmake_list(cmake, "target_link_libraries", t.buf, &libs);
	knit_paths_release(&libs);
	cmake_list(cmake, "target_link_options", t.buf, &c->ldflags);

	strbuf_addf(mk, "# Generated by knit build for %s %s; do not edit.\nKNIT_CFLAGS_%s :=", name, version, t.buf);
	make_list(mk, "-I", &c->include);
	make_list(mk, "", &c->cflags);
	strbuf_addf(mk, "\nKNIT_LIBS_%s :=", t.buf);
	make_list(mk, "", &c->libraries);
	strbuf_addf(mk, "\nKNIT_LDLIBS_%s :=", t.buf);
	make_list(mk, "", &c->ldflags);
	make_list(mk, "-l", &c->syslibs);
	strbuf_addch(mk, '\n');

	strbuf_addf(pc, "# Generated by knit build; do not edit.\nName: %s\nDescription: %s, built by its own build "
			"system\nVersion: ", t.buf, t.buf);
	one_line(pc, version);
	strbuf_addstr(pc, "\nRequires:");
	pc_list(pc, "", requires);
	strbuf_addstr(pc, "\nCflags:");
	pc_list(pc, "-I", &c->include);
	pc_list(pc, "", &c->cflags);
	strbuf_addstr(pc, "\nLibs:");
	pc_list(pc, "", &c->libraries);
	pc_list(pc, "", &c->ldflags);
	pc_list(pc, "-l", &c->syslibs);
	strbuf_addch(pc, '\n');
	strbuf_release(&t);
}

void knit_buildfiles_env(const char *deps_abs, const struct knit_consumer *cs, size_t n, struct strbuf *out)
{
	struct strbuf v = STRBUF_INIT, word = STRBUF_INIT;
	strbuf_addf(&v, "%s/.pkgconfig", deps_abs);
	strbuf_addstr(out, "PKG_CONFIG_PATH=");
	knit_shell_word(out, v.buf);
	strbuf_addstr(out, "${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}\nKNIT_CFLAGS=");
	strbuf_reset(&v);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < cs[i].include.n; k++) {
			strbuf_reset(&word);
			strbuf_addf(&word, "-I%s", cs[i].include.items[k]);
			strbuf_addch(&v, ' ');
			shell_arg(&v, word.buf);
		}
		for (size_t k = 0; k < cs[i].cflags.n; k++) {
			strbuf_addch(&v, ' ');
			shell_arg(&v, cs[i].cflags.items[k]);
		}
	}
	knit_shell_word(out, v.len ? v.buf + 1 : "");
	strbuf_addstr(out, "\nKNIT_LIBS=");
	strbuf_reset(&v);
	/* dependents first, in a group so that packages that need each other link */
	strbuf_addstr(&v, " -Wl,--start-group");
	for (size_t i = n; i-- > 0;)
		for (size_t k = 0; k < cs[i].libraries.n; k++) {
			strbuf_addch(&v, ' ');
			shell_arg(&v, cs[i].libraries.items[k]);
		}
	strbuf_addstr(&v, " -Wl,--end-group");
	for (size_t i = n; i-- > 0;) {
		for (size_t k = 0; k < cs[i].ldflags.n; k++) {
			strbuf_addch(&v, ' ');
			shell_arg(&v, cs[i].ldflags.items[k]);
		}
		for (size_t k = 0; k < cs[i].syslibs.n; k++) {
			strbuf_reset(&word);
			strbuf_addf(&word, "-l%s", cs[i].syslibs.items[k]);
			strbuf_addch(&v, ' ');
			shell_arg(&v, word.buf);
		}
	}
	knit_shell_word(out, v.buf + 1);
	strbuf_addch(out, '\n');
	strbuf_release(&v);
	strbuf_release(&word);
}
