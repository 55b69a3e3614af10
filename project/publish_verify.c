#include "publish_verify.h"
#include "build_deps.h"
#include "buildfiles.h"
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

int knit_publish_verify(const struct knit_pack *p, const char *project_dir, struct strbuf *err,
			struct strbuf *log_tail)
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
	strbuf_addf(&src, "%s%s%s", pkg.buf, p->manifest.c.root ? "/" : "", p->manifest.c.root ? p->manifest.c.root : "");
	if (!rc && kind != KNIT_BUILD_SOURCES)
		rc = knit_build_tools_check(kind, src.buf, err);
	/* the dependencies' prefixes, as knit build --deps left them in the project */
	struct knit_paths deps = { 0 };
	for (size_t i = 0; !rc && kind != KNIT_BUILD_SOURCES && i < p->manifest.deps.n; i++) {
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
		}
		strbuf_release(&t);
		strbuf_release(&dir);
	}
	if (!rc && kind != KNIT_BUILD_SOURCES) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		struct knit_build_req req = {
			.name = p->name, .version = p->version, .kind = kind, .src_dir = src.buf,
			.work_dir = work.buf, .prefix = prefix.buf, .log_path = log.buf,
			.options = (const char *const *)p->manifest.c.options.items, .noptions = p->manifest.c.options.n,
			.dep_prefixes = (const char *const *)deps.items, .ndeps = deps.n,
			.shared = p->manifest.c.shared, .jobs = cores > 0 ? (int)cores : 1,
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
	strbuf_release(&scratch);
	strbuf_release(&pkg);
	strbuf_release(&work);
	strbuf_release(&prefix);
	strbuf_release(&log);
	strbuf_release(&src);
	return rc;
}
