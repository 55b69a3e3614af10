#include "publish_verify.h"
#include "build_deps.h"
#include "buildfiles.h"
#include "builder/builder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tarball's files, copied from the project into dir, and its package.json. */
static int copy_packed(const struct knit_pack *p, const char *project_dir, const char *dir, struct strbuf *err)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, data = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct knit_pack_file *f = &p->files[i];
		strbuf_reset(&to);
		strbuf_addf(&to, "%s/%s", dir, f->path);
		strbuf_reset(&data);
		if (!strcmp(f->path, "package.json")) {
			strbuf_addstr(&data, p->package_json);
		} else {
			strbuf_reset(&from);
			strbuf_addf(&from, "%s/%s", project_dir, f->path);
			if ((rc = knit_read_file(from.buf, &data, err)))
				break;
		}
		bool changed;
		if (knit_make_parents(to.buf)) {
			strbuf_addf(err, "cannot make the folder for %s", to.buf);
			rc = KNIT_EIO;
		} else {
			rc = knit_write_file_atomic_mode(to.buf, data.buf, data.len, f->mode, &changed, err);
		}
	}
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&data);
	return rc;
}

int knit_publish_verify(const struct knit_pack *p, const char *project_dir, const struct knit_session *s,
			struct strbuf *err, struct strbuf *log_tail)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf scratch = STRBUF_INIT, pkg = STRBUF_INIT, work = STRBUF_INIT, prefix = STRBUF_INIT,
		      log = STRBUF_INIT, src = STRBUF_INIT;
	strbuf_addf(&scratch, "%s/knit-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch.buf)) {
		strbuf_addf(err, "cannot make a folder to verify %s@%s in", p->name, p->version);
		strbuf_release(&scratch);
		return KNIT_EIO;
	}
	strbuf_addf(&pkg, "%s/package", scratch.buf);
	strbuf_addf(&work, "%s/work", scratch.buf);
	strbuf_addf(&prefix, "%s/prefix", scratch.buf);
	strbuf_addf(&log, "%s/build.log", scratch.buf);
	int rc = copy_packed(p, project_dir, pkg.buf, err);
	enum knit_build_kind kind = KNIT_BUILD_SOURCES;
	if (!rc)
		kind = knit_package_build_kind(&p->manifest, pkg.buf);
	struct knit_paths sources = { 0 }, include = { 0 }, flags = { 0 }, modules = { 0 };
	if (kind == KNIT_BUILD_SOURCES) {
		strbuf_add(&src, pkg.buf, pkg.len);
		struct knit_build_pkg bp = { p->name, p->version, pkg.buf, NULL, &p->manifest, NULL, 0 };
		if (!rc)
			rc = knit_buildfiles_sources(&bp, &sources, &include, err);
	} else {
		strbuf_addf(&src, "%s%s%s", pkg.buf, p->manifest.c.root ? "/" : "",
			    p->manifest.c.root ? p->manifest.c.root : "");
	}
	if (!rc)
		rc = knit_build_tools_check(kind, src.buf, err);
	/* the dependencies' prefixes, as knit build --deps left them in the project */
	struct knit_paths deps = { 0 };
	bool skip = false;
	for (size_t i = 0; !rc && !skip && i < p->manifest.deps.n; i++) {
		struct strbuf t = STRBUF_INIT, dir = STRBUF_INIT;
		struct stat st;
		knit_build_name(p->manifest.deps.items[i].name, &t);
		strbuf_addf(&dir, "%s/deps/.build/pkg/%s/prefix", project_dir, t.buf);
		char *abs = realpath(dir.buf, NULL);
		if (abs && !stat(abs, &st) && S_ISDIR(st.st_mode)) {
			KNIT_ALLOC_GROW(deps.items, deps.n + 1, deps.alloc);
			deps.items[deps.n++] = abs;
		} else {
			free(abs);
			knit_session_warn(s, "%s@%s is published without being built first: its dependency '%s' is not "
					     "built here (run 'knit build --deps' to have publish verify it)", p->name,
					  p->version, p->manifest.deps.items[i].name);
			skip = true;
		}
		strbuf_release(&t);
		strbuf_release(&dir);
	}
	/* the sources kind compiles against what its dependencies' prefixes give */
	for (size_t i = 0; !rc && !skip && kind == KNIT_BUILD_SOURCES && i < deps.n; i++) {
		struct knit_consumer_req creq = { .prefix = deps.items[i], .log_fd = 2 };
		struct knit_consumer c;
		if (knit_build_consumer(&creq, &c, err))
			break; /* what the dependency gives is for knit build to explain: compile without it */
		for (size_t k = 0; k < c.include.n; k++) {
			struct strbuf flag = STRBUF_INIT;
			strbuf_addf(&flag, "-I%s", c.include.items[k]);
			KNIT_ALLOC_GROW(flags.items, flags.n + 1, flags.alloc);
			flags.items[flags.n++] = strbuf_detach(&flag, NULL);
		}
		for (size_t k = 0; k < c.cflags.n; k++) {
			KNIT_ALLOC_GROW(flags.items, flags.n + 1, flags.alloc);
			flags.items[flags.n++] = knit_xstrdup(c.cflags.items[k]);
		}
		knit_consumer_release(&c);
	}
	strbuf_reset(err);
	for (size_t k = 0; k < p->manifest.c.pkgconfig.n; k++) {
		KNIT_ALLOC_GROW(modules.items, modules.n + 1, modules.alloc);
		modules.items[modules.n++] = knit_xstrdup(p->manifest.c.pkgconfig.items[k].key);
	}
	struct strbuf lib_name = STRBUF_INIT;
	strbuf_addstr(&lib_name, "knit_");
	knit_build_name(p->name, &lib_name);
	if (!rc && !skip) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		struct knit_build_req req = {
			.name = p->name, .version = p->version, .kind = kind, .src_dir = src.buf,
			.work_dir = work.buf, .prefix = prefix.buf, .log_path = log.buf,
			.options = (const char *const *)p->manifest.c.options.items, .noptions = p->manifest.c.options.n,
			.dep_prefixes = (const char *const *)deps.items, .ndeps = deps.n,
			.shared = p->manifest.c.shared, .jobs = cores > 0 ? (int)cores : 1,
			.sources = (const char *const *)sources.items, .nsources = sources.n,
			.include = (const char *const *)include.items, .ninclude = include.n,
			.defines = (const char *const *)p->manifest.c.defines.items, .ndefines = p->manifest.c.defines.n,
			.cflags = (const char *const *)p->manifest.c.cflags.items, .ncflags = p->manifest.c.cflags.n,
			.dep_cflags = (const char *const *)flags.items, .ndep_cflags = flags.n,
			.pkgconfig = (const char *const *)modules.items, .npkgconfig = modules.n,
			.lib_name = lib_name.buf,
		};
		struct knit_build_failure fail;
		if ((rc = knit_build_run(&req, &fail, err)) == KNIT_EIO) {
			knit_build_log_tail(log.buf, 20, log_tail);
			strbuf_addstr(err, "; it would not build for its users from what the tarball holds "
					   "(--no-verify publishes anyway)");
		}
	}
	if (rc != KNIT_EIO || !log_tail->len)
		knit_remove_tree(scratch.buf); /* a failed build keeps its folder and log for a look */
	knit_paths_release(&deps);
	knit_paths_release(&sources);
	knit_paths_release(&include);
	knit_paths_release(&flags);
	knit_paths_release(&modules);
	strbuf_release(&lib_name);
	strbuf_release(&scratch);
	strbuf_release(&pkg);
	strbuf_release(&work);
	strbuf_release(&prefix);
	strbuf_release(&log);
	strbuf_release(&src);
	return rc;
}
