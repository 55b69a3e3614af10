#include "buildfiles.h"
#include "manifest.h"
#include "syslibs.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
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
	struct knit_manifest m;
	struct strbuf target;          /* e.g. acme.libfoo */
	struct knit_paths sources;     /* relative to the package */
	struct knit_paths include;     /* relative; "" for the package root */
	size_t *deps;                  /* indexes of its dependencies among the units */
	size_t ndeps;
	int mark;                      /* for the topological order */
};

static bool is_dir(const char *base, const char *rel)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	strbuf_addf(&p, "%s/%s", base, rel);
	bool yes = !stat(p.buf, &st) && S_ISDIR(st.st_mode);
	strbuf_release(&p);
	return yes;
}

static int read_unit(struct unit *u, struct strbuf *err)
{
	const char *dir = u->pkg->dir;
	struct strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
	strbuf_addf(&path, "%s/knit.json", dir);
	int rc = knit_manifest_read(&u->m, path.buf, &msg);
	if (rc == KNIT_ENOTFOUND) {
		strbuf_reset(&msg);
		strbuf_setlen(&path, strlen(dir));
		strbuf_addstr(&path, "/package.json");
		rc = knit_manifest_read(&u->m, path.buf, &msg);
		if (rc == KNIT_ENOTFOUND) {
			memset(&u->m, 0, sizeof(u->m)); /* no manifest: the conventions */
			rc = 0;
		}
	}
	if (rc) {
		/* the message names the store path; name the package instead */
		const char *tail = msg.len > path.len ? msg.buf + path.len : msg.buf;
		strbuf_addf(err, "package '%s@%s': %s%s", u->pkg->name, u->pkg->version,
			    strstr(path.buf, "/package.json") ? "package.json" : "knit.json", tail);
	}
	strbuf_release(&path);
	strbuf_release(&msg);
	if (rc)
		return rc;
	const struct knit_c_section *c = &u->m.c;
	if (c->has_sources)
		for (size_t i = 0; i < c->sources.n; i++)
			knit_glob(dir, c->sources.items[i], &u->sources);
	else if (!c->cmake_target)
		knit_glob(dir, "src/**/*.c", &u->sources);
	if (c->has_include) {
		for (size_t i = 0; i < c->include.n; i++) {
			const char *inc = c->include.items[i];
			if (strstr(inc, "..") || inc[0] == '/') {
				strbuf_addf(err, "package '%s@%s': 'c.include' entry '%s' leaves the package",
					    u->pkg->name, u->pkg->version, inc);
				return KNIT_EPARSE;
			}
			KNIT_ALLOC_GROW(u->include.items, u->include.n + 1, u->include.alloc);
			u->include.items[u->include.n++] = knit_xstrdup(strcmp(inc, ".") ? inc : "");
		}
	} else {
		KNIT_ALLOC_GROW(u->include.items, u->include.n + 1, u->include.alloc);
		u->include.items[u->include.n++] = knit_xstrdup(is_dir(dir, "include") ? "include" : "");
	}
	return 0;
}

/* --- text helpers ------------------------------------------------------------------------ */

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

static void cmake_path(struct strbuf *out, const char *pkg, const char *rel)
{
	struct strbuf p = STRBUF_INIT;
	strbuf_addf(&p, "%s%s%s", pkg, *rel ? "/" : "", rel);
	strbuf_addstr(out, "\"${KNIT_DEPS_DIR}/");
	for (const char *s = p.buf; *s; s++) {
		if (strchr("\\\"$;", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
	strbuf_release(&p);
}

/* A word for /bin/sh, quoted only when it needs to be. */
static void sh_word(struct strbuf *out, const char *s)
{
	if (*s && !s[strcspn(s, " \t\n'\"\\$`*?[]#~=%|&;<>(){}!")]) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *s);
	}
	strbuf_addch(out, '\'');
}

/* A pkg-config module name as a CMake variable prefix: KNIT_PC_<alnum and _>. */
static void pc_var(struct strbuf *out, const char *module)
{
	strbuf_addstr(out, "KNIT_PC_");
	for (const char *s = module; *s; s++)
		strbuf_addch(out, ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				   (*s >= '0' && *s <= '9')) ? *s : '_');
}

static int unit_by_name(const void *a, const void *b)
{
	return strcmp(((const struct unit *)a)->pkg->name, ((const struct unit *)b)->pkg->name);
}

/* --- order: dependencies before dependents; a cycle is cut where it closes --------------- */

static void visit(struct unit *u, size_t i, size_t *order, size_t *n)
{
	if (u[i].mark)
		return;
	u[i].mark = 1;
	for (size_t k = 0; k < u[i].ndeps; k++)
		visit(u, u[i].deps[k], order, n);
	order[(*n)++] = i;
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
		pkgconfig |= u[i].m.c.pkgconfig.n > 0;
	if (pkgconfig)
		strbuf_addstr(out, "find_package(PkgConfig REQUIRED)\n");
	for (size_t o = 0; o < n; o++) {
		struct unit *x = &u[order[o]];
		const struct knit_c_section *c = &x->m.c;
		const char *t = x->target.buf;
		strbuf_addf(out, "\n# %s %s\n", x->pkg->name, x->pkg->version);
		const char *scope = "PUBLIC";
		if (c->cmake_target) {
			strbuf_addstr(out, "add_subdirectory(");
			cmake_path(out, x->pkg->name, "");
			strbuf_addf(out, " \"${CMAKE_BINARY_DIR}/knit-deps/%s\" EXCLUDE_FROM_ALL)\n", t);
			strbuf_addf(out, "add_library(knit_%s INTERFACE)\n", t);
			strbuf_addf(out, "target_link_libraries(knit_%s INTERFACE ", t);
			cmake_quote(out, c->cmake_target);
			strbuf_addstr(out, ")\n");
			scope = "INTERFACE";
		} else if (x->sources.n) {
			strbuf_addf(out, "add_library(knit_%s STATIC", t);
			for (size_t i = 0; i < x->sources.n; i++) {
				strbuf_addstr(out, "\n  ");
				cmake_path(out, x->pkg->name, x->sources.items[i]);
			}
			strbuf_addstr(out, ")\n");
			strbuf_addf(out, "set_target_properties(knit_%s PROPERTIES OUTPUT_NAME knit_%s)\n", t, t);
		} else {
			strbuf_addf(out, "add_library(knit_%s INTERFACE)\n", t);
			scope = "INTERFACE";
		}
		if (!c->cmake_target) {
			strbuf_addf(out, "target_include_directories(knit_%s %s", t, scope);
			for (size_t i = 0; i < x->include.n; i++) {
				strbuf_addch(out, ' ');
				cmake_path(out, x->pkg->name, x->include.items[i]);
			}
			strbuf_addstr(out, ")\n");
		}
		if (c->defines.n) {
			strbuf_addf(out, "target_compile_definitions(knit_%s %s", t, scope);
			for (size_t i = 0; i < c->defines.n; i++) {
				strbuf_addch(out, ' ');
				cmake_quote(out, c->defines.items[i]);
			}
			strbuf_addstr(out, ")\n");
		}
		if (c->cflags.n && x->sources.n && !c->cmake_target) {
			strbuf_addf(out, "target_compile_options(knit_%s PRIVATE", t);
			for (size_t i = 0; i < c->cflags.n; i++) {
				strbuf_addch(out, ' ');
				cmake_quote(out, c->cflags.items[i]);
			}
			strbuf_addstr(out, ")\n");
		}
		for (size_t i = 0; i < c->pkgconfig.n; i++) {
			struct strbuf var = STRBUF_INIT;
			pc_var(&var, c->pkgconfig.items[i].name);
			strbuf_addf(out, "if(NOT TARGET PkgConfig::%s)\n  pkg_check_modules(%s REQUIRED IMPORTED_TARGET GLOBAL ",
				    var.buf, var.buf);
			cmake_quote(out, c->pkgconfig.items[i].name);
			strbuf_addf(out, ")\nendif()\n");
			strbuf_release(&var);
		}
		if (x->ndeps || c->link.n || c->pkgconfig.n) {
			strbuf_addf(out, "target_link_libraries(knit_%s %s", t, scope);
			for (size_t k = 0; k < x->ndeps; k++)
				strbuf_addf(out, " knit::%s", u[x->deps[k]].target.buf);
			for (size_t i = 0; i < c->pkgconfig.n; i++) {
				struct strbuf var = STRBUF_INIT;
				pc_var(&var, c->pkgconfig.items[i].name);
				strbuf_addf(out, " PkgConfig::%s", var.buf);
				strbuf_release(&var);
			}
			for (size_t i = 0; i < c->link.n; i++) {
				strbuf_addch(out, ' ');
				cmake_quote(out, c->link.items[i]);
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

/* Flags every package exports, for knit.mk and knit.env: -I and -D. */
static void public_cflags(struct unit *u, const size_t *order, size_t n, const char *deps_ref,
			  struct strbuf *out, bool shell)
{
	for (size_t o = 0; o < n; o++) {
		struct unit *x = &u[order[o]];
		for (size_t i = 0; i < x->include.n; i++) {
			struct strbuf flag = STRBUF_INIT;
			strbuf_addf(&flag, "-I%s/%s%s%s", deps_ref, x->pkg->name, *x->include.items[i] ? "/" : "",
				    x->include.items[i]);
			strbuf_addch(out, ' ');
			if (shell)
				sh_word(out, flag.buf);
			else
				strbuf_add(out, flag.buf, flag.len);
			strbuf_release(&flag);
		}
		for (size_t i = 0; i < x->m.c.defines.n; i++) {
			struct strbuf flag = STRBUF_INIT;
			strbuf_addf(&flag, "-D%s", x->m.c.defines.items[i]);
			strbuf_addch(out, ' ');
			if (shell)
				sh_word(out, flag.buf);
			else
				strbuf_add(out, flag.buf, flag.len);
			strbuf_release(&flag);
		}
	}
}

/* Archives, dependents first (the order a static link needs), and system libraries. */
static void libs(struct unit *u, const size_t *order, size_t n, const char *build_ref, struct strbuf *out)
{
	for (size_t o = n; o-- > 0;) {
		struct unit *x = &u[order[o]];
		if (x->sources.n && !x->m.c.cmake_target)
			strbuf_addf(out, " %s/libknit_%s.a", build_ref, x->target.buf);
	}
}

static void system_libs(struct unit *u, const size_t *order, size_t n, struct strbuf *out)
{
	for (size_t o = n; o-- > 0;)
		for (size_t i = 0; i < u[order[o]].m.c.link.n; i++)
			strbuf_addf(out, " -l%s", u[order[o]].m.c.link.items[i]);
}

static void pkgconfig_modules(struct unit *u, const size_t *order, size_t n, struct strbuf *out)
{
	for (size_t o = 0; o < n; o++)
		for (size_t i = 0; i < u[order[o]].m.c.pkgconfig.n; i++)
			strbuf_addf(out, " %s", u[order[o]].m.c.pkgconfig.items[i].name);
}

static void write_make(struct unit *u, const size_t *order, size_t n, struct strbuf *out)
{
	struct strbuf mods = STRBUF_INIT;
	pkgconfig_modules(u, order, n, &mods);
	strbuf_addstr(out,
		"# Generated by knit install from the packages in deps/; do not edit.\n"
		"# include deps/knit.mk, compile with $(KNIT_CFLAGS), and link with\n"
		"#   app: main.o $(KNIT_LIBS) ; $(CC) -o $@ main.o $(KNIT_LDLIBS)\n"
		"KNIT_DEPS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))\n"
		"KNIT_BUILD_DIR ?= $(KNIT_DEPS_DIR)/.build\n"
		"KNIT_CFLAGS :=");
	public_cflags(u, order, n, "$(KNIT_DEPS_DIR)", out, false);
	if (mods.len)
		strbuf_addf(out, " $(shell pkg-config --cflags%s)", mods.buf);
	strbuf_addstr(out, "\nKNIT_LIBS :=");
	libs(u, order, n, "$(KNIT_BUILD_DIR)", out);
	strbuf_addstr(out, "\nKNIT_LDLIBS := -Wl,--start-group $(KNIT_LIBS) -Wl,--end-group");
	system_libs(u, order, n, out);
	if (mods.len)
		strbuf_addf(out, " $(shell pkg-config --libs%s)", mods.buf);
	strbuf_addstr(out, "\n\nknit-deps: $(KNIT_LIBS)\n.PHONY: knit-deps\n");
	for (size_t o = 0; o < n; o++) {
		struct unit *x = &u[order[o]];
		if (!x->sources.n || x->m.c.cmake_target)
			continue;
		const char *t = x->target.buf;
		strbuf_addf(out, "\n# %s %s\nknit_%s_OBJS :=", x->pkg->name, x->pkg->version, t);
		for (size_t i = 0; i < x->sources.n; i++) {
			const char *src = x->sources.items[i];
			size_t len = strlen(src);
			strbuf_addf(out, " \\\n  $(KNIT_BUILD_DIR)/obj/%s/%.*s.o", x->pkg->name, (int)(len - 2), src);
		}
		strbuf_addf(out, "\n$(knit_%s_OBJS): KNIT_PKG_CFLAGS :=", t);
		for (size_t i = 0; i < x->m.c.cflags.n; i++)
			strbuf_addf(out, " %s", x->m.c.cflags.items[i]);
		strbuf_addf(out, "\n$(KNIT_BUILD_DIR)/libknit_%s.a: $(knit_%s_OBJS)\n"
				 "\t@mkdir -p $(@D)\n\t$(AR) rcs $@ $^\n", t, t);
	}
	strbuf_addstr(out,
		"\n$(KNIT_BUILD_DIR)/obj/%.o: $(KNIT_DEPS_DIR)/%.c\n"
		"\t@mkdir -p $(@D)\n"
		"\t$(CC) $(CFLAGS) $(KNIT_CFLAGS) $(KNIT_PKG_CFLAGS) -c $< -o $@\n");
	strbuf_release(&mods);
}

static void write_pc(struct unit *u, struct unit *x, struct strbuf *out)
{
	const struct knit_c_section *c = &x->m.c;
	strbuf_addf(out, "# Generated by knit install; do not edit.\n"
			 "prefix=${pcfiledir}/../%s\nlibdir=${pcfiledir}/../.build\n\n"
			 "Name: %s\nDescription: %s\nVersion: %s\nRequires:",
		    x->pkg->name, x->pkg->name, x->m.description ? x->m.description : x->pkg->name,
		    x->pkg->version);
	for (size_t k = 0; k < x->ndeps; k++)
		strbuf_addf(out, " %s", u[x->deps[k]].target.buf);
	for (size_t i = 0; i < c->pkgconfig.n; i++)
		strbuf_addf(out, " %s", c->pkgconfig.items[i].name);
	strbuf_addstr(out, "\nCflags:");
	for (size_t i = 0; i < x->include.n; i++)
		strbuf_addf(out, " -I${prefix}%s%s", *x->include.items[i] ? "/" : "", x->include.items[i]);
	for (size_t i = 0; i < c->defines.n; i++)
		strbuf_addf(out, " -D%s", c->defines.items[i]);
	strbuf_addstr(out, "\nLibs:");
	if (x->sources.n && !c->cmake_target)
		strbuf_addf(out, " ${libdir}/libknit_%s.a", x->target.buf);
	for (size_t i = 0; i < c->link.n; i++)
		strbuf_addf(out, " -l%s", c->link.items[i]);
	strbuf_addch(out, '\n');
}

static void write_env(struct unit *u, const size_t *order, size_t n, const char *deps_abs,
		      struct strbuf *out)
{
	struct strbuf pcdir = STRBUF_INIT, v = STRBUF_INIT, build = STRBUF_INIT;
	strbuf_addf(&pcdir, "%s/.pkgconfig", deps_abs);
	strbuf_addf(&build, "%s/.build", deps_abs);
	strbuf_addstr(out, "PKG_CONFIG_PATH=");
	sh_word(out, pcdir.buf);
	strbuf_addstr(out, "${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}\nKNIT_CFLAGS=");
	public_cflags(u, order, n, deps_abs, &v, false);
	sh_word(out, v.len ? v.buf + 1 : "");
	strbuf_reset(&v);
	strbuf_addstr(out, "\nKNIT_LIBS=");
	libs(u, order, n, build.buf, &v);
	system_libs(u, order, n, &v);
	sh_word(out, v.len ? v.buf + 1 : "");
	strbuf_addstr(out, "\n");
	strbuf_release(&pcdir);
	strbuf_release(&v);
	strbuf_release(&build);
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

int knit_buildfiles_make(struct knit_buildfiles *bf, const char *project_dir,
			 const struct knit_build_pkg *pkgs, size_t n, const struct knit_deps *direct,
			 size_t ndirect, struct strbuf *err)
{
	struct unit *u = knit_xcalloc(n ? n : 1, sizeof(*u));
	size_t *order = knit_xcalloc(n ? n : 1, sizeof(*order)), norder = 0;
	int rc = 0;
	memset(bf, 0, sizeof(*bf));
	for (size_t i = 0; i < n && !rc; i++) {
		u[i].pkg = &pkgs[i];
		strbuf_init(&u[i].target, 0);
		knit_build_name(pkgs[i].name, &u[i].target);
		rc = read_unit(&u[i], err);
		if (!rc && u[i].m.c.pkgconfig.n) {
			struct strbuf who = STRBUF_INIT;
			strbuf_addf(&who, "package '%s@%s'", pkgs[i].name, pkgs[i].version);
			rc = knit_syslibs_check(who.buf, &u[i].m.c.pkgconfig, err);
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
		for (size_t j = 0; j < n; j++) /* j ascends: the indexes come out sorted */
			for (size_t k = 0; d && k < d->n; k++)
				if (!strcmp(u[j].pkg->name, d->items[k].name)) {
					u[i].deps[u[i].ndeps++] = j;
					break;
				}
	}
	for (size_t i = 0; i < n && !rc; i++)
		visit(u, i, order, &norder);
	if (!rc) {
		write_cmake(u, order, n, direct, ndirect, add_file(bf, "%s", "knit.cmake"));
		write_make(u, order, n, add_file(bf, "%s", "knit.mk"));
		char *abs = realpath(project_dir, NULL);
		struct strbuf deps = STRBUF_INIT;
		strbuf_addf(&deps, "%s/deps", abs ? abs : project_dir);
		free(abs);
		write_env(u, order, n, deps.buf, add_file(bf, "%s", "knit.env"));
		strbuf_release(&deps);
		for (size_t i = 0; i < n; i++)
			write_pc(u, &u[i], add_file(bf, ".pkgconfig/%s.pc", u[i].target.buf));
	}
	for (size_t i = 0; i < n; i++) {
		if (u[i].pkg)
			knit_manifest_release(&u[i].m);
		strbuf_release(&u[i].target);
		knit_paths_release(&u[i].sources);
		knit_paths_release(&u[i].include);
		free(u[i].deps);
	}
	free(u);
	free(order);
	return rc;
}

int knit_buildfiles_write(const struct knit_buildfiles *bf, const char *project_dir, bool *changed,
			  struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;
	*changed = false;
	strbuf_addf(&path, "%s/deps/.pkgconfig", project_dir);
	if (knit_make_dirs(path.buf)) {
		strbuf_addf(err, "cannot make '%s': %s", path.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	for (size_t i = 0; i < bf->n && !rc; i++) {
		bool c = false;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/deps/%s", project_dir, bf->files[i].path.buf);
		rc = knit_write_file_atomic(path.buf, bf->files[i].text.buf, bf->files[i].text.len, &c, err);
		*changed |= c;
	}
	strbuf_release(&path);
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
