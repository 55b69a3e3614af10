/*
 * The sources kind: knit's own build of a package that ships no build
 * system, into a prefix shaped like every other kind's: include/ (the
 * headers of its include folders), lib/lib<name>.a and
 * lib/pkgconfig/<name>.pc.
 */
#include "step.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/glob.h"
#include "util/pcquote.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PKGCONFIG_CFLAGS_MAX (64u << 10)

/* The files of an include folder that are installed: C and C++ headers, and the fragments they include. */
static const char *const header_patterns[] = { "**/*.h", "**/*.hh", "**/*.hpp", "**/*.hxx", "**/*.inc", "**/*.inl",
					       NULL };

/* The headers of each include folder, into prefix/include, keeping their paths below the folder. */
static int install_headers(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct strbuf dir = STRBUF_INIT, dest = STRBUF_INIT, text = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < r->ninclude && !rc; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s%s%s", r->src_dir, *r->include[i] ? "/" : "", r->include[i]);
		struct knit_paths headers = { 0 };
		for (const char *const *p = header_patterns; *p; p++)
			knit_glob(dir.buf, *p, &headers); /* regular files only: no link is followed */
		for (size_t k = 0; k < headers.n && !rc; k++) {
			strbuf_reset(&dest);
			strbuf_addf(&dest, "%s/include/%s", r->prefix, headers.items[k]);
			strbuf_reset(&text);
			struct strbuf from = STRBUF_INIT;
			strbuf_addf(&from, "%s/%s", dir.buf, headers.items[k]);
			if (knit_make_parents(dest.buf)) {
				strbuf_addf(err, "cannot make the folder for '%s': %s", dest.buf, strerror(errno));
				rc = KNIT_EIO;
			} else if (!(rc = knit_read_regular_file(from.buf, &text, err)) &&
				   (rc = knit_write_file_new(dest.buf, text.buf, text.len, 0644, err)) == KNIT_EEXIST) {
				strbuf_reset(err);
				strbuf_addf(err, "%s %s: two of its include folders hold '%s'; consumers could see only one",
					    r->name, r->version, headers.items[k]);
				rc = KNIT_EPARSE;
			}
			strbuf_release(&from);
		}
		knit_paths_release(&headers);
	}
	strbuf_release(&dir);
	strbuf_release(&dest);
	strbuf_release(&text);
	return rc;
}

/* pkg-config --cflags of the package's system modules, as words added to a. */
static int system_cflags(struct build *b, struct knit_args *a, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	if (!r->npkgconfig)
		return 0;
	struct knit_args q = { 0 };
	knit_args_add(&q, "pkg-config");
	knit_args_add(&q, "--cflags");
	for (size_t i = 0; i < r->npkgconfig; i++)
		knit_args_add(&q, r->pkgconfig[i]);
	struct strbuf out = STRBUF_INIT;
	struct knit_build_status st = { 0 };
	int rc = knit_build_capture((const char *const *)q.v, &b->env, b->log_fd, PKGCONFIG_CFLAGS_MAX, &out, &st, err);
	knit_args_release(&q);
	if (!rc && (st.exit_code || st.signal))
		rc = knit_build_failed(b, "pkg-config", &st, err);
	if (!rc)
		knit_args_add_words(a, out.buf);
	strbuf_release(&out);
	return rc;
}

/* Every compile's argv up to the source: compiler, build type, environment, include folders, flags. */
static int compile_flags(struct build *b, struct knit_args *a, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	const char *cc = knit_build_env_get("CC");
	knit_args_add_words(a, *cc ? cc : "cc");
	if (r->debug) {
		knit_args_add(a, "-O0");
		knit_args_add(a, "-g");
	} else {
		knit_args_add(a, "-O2");
		knit_args_add(a, "-DNDEBUG");
	}
	knit_args_add(a, "-fPIC");
	knit_args_add_words(a, knit_build_env_get("CPPFLAGS"));
	knit_args_add_words(a, knit_build_env_get("CFLAGS"));
	for (size_t i = 0; i < r->ninclude; i++)
		knit_args_addf(a, "-I%s", *r->include[i] ? r->include[i] : ".");
	for (size_t i = 0; i < r->ndep_cflags; i++)
		knit_args_add(a, r->dep_cflags[i]);
	for (size_t i = 0; i < r->ndefines; i++)
		knit_args_addf(a, "-D%s", r->defines[i]);
	int rc = system_cflags(b, a, err);
	for (size_t i = 0; i < r->ncflags; i++)
		knit_args_add(a, r->cflags[i]);
	return rc;
}

/*
 * Compiles every source into the build tree, up to jobs at once (the
 * oldest waited for first: the compiles of one package take alike).
 */
static int compile_all(struct build *b, struct knit_args *objects, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct knit_args base = { 0 };
	int rc = compile_flags(b, &base, err);
	size_t jobs = (size_t)atoi(b->jobs);
	jobs = jobs ? jobs : 1;
	int *pids = knit_xcalloc(jobs, sizeof(*pids));
	size_t head = 0, running = 0, next = 0;
	struct knit_build_status failed = { 0 };
	while (!rc && (next < r->nsources || running)) {
		if (next < r->nsources && running < jobs && !failed.exit_code && !failed.signal) {
			struct strbuf obj = STRBUF_INIT;
			strbuf_addf(&obj, "%s/%s.o", b->tree.buf, r->sources[next]);
			if (knit_make_parents(obj.buf)) {
				strbuf_addf(err, "cannot make the folder for '%s': %s", obj.buf, strerror(errno));
				rc = KNIT_EIO;
			}
			struct knit_args a = { 0 };
			for (size_t i = 0; i < base.n; i++)
				knit_args_add(&a, base.v[i]);
			knit_args_add(&a, "-c");
			knit_args_add(&a, r->sources[next]);
			knit_args_add(&a, "-o");
			knit_args_add(&a, obj.buf);
			knit_args_add(objects, obj.buf);
			strbuf_release(&obj);
			knit_build_sandboxed(b, &a, r->src_dir);
			if (!rc)
				rc = knit_build_start((const char *const *)a.v, r->src_dir, &b->env, b->log_fd,
						      &pids[(head + running) % jobs], err);
			knit_args_release(&a);
			if (!rc)
				running++;
			next++;
			continue;
		}
		if (!running)
			break; /* a compile failed: nothing more starts */
		struct knit_build_status st = { 0 };
		int wrc = knit_build_wait(pids[head], "the compiler", &st, err);
		head = (head + 1) % jobs;
		running--;
		if (wrc)
			rc = wrc;
		else if ((st.exit_code || st.signal) && !failed.exit_code && !failed.signal)
			failed = st;
	}
	while (running) { /* after an error: the compiles already started still end here */
		struct knit_build_status st;
		struct strbuf ignored = STRBUF_INIT;
		knit_build_wait(pids[head], "the compiler", &st, &ignored);
		strbuf_release(&ignored);
		head = (head + 1) % jobs;
		running--;
	}
	free(pids);
	knit_args_release(&base);
	if (!rc && (failed.exit_code || failed.signal))
		rc = knit_build_failed(b, "compile", &failed, err);
	return rc;
}

/* The objects into lib/lib<name>.a ($AR), or, shared, lib/lib<name>.so ($CC -shared). */
static int archive(struct build *b, struct knit_args *objects, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct strbuf lib = STRBUF_INIT;
	strbuf_addf(&lib, "%s/lib/lib%s.%s", r->prefix, r->lib_name, r->shared ? "so" : "a");
	if (knit_make_parents(lib.buf)) {
		strbuf_addf(err, "cannot make the folder for '%s': %s", lib.buf, strerror(errno));
		strbuf_release(&lib);
		return KNIT_EIO;
	}
	struct knit_args a = { 0 };
	if (r->shared) {
		const char *cc = knit_build_env_get("CC");
		knit_args_add_words(&a, *cc ? cc : "cc");
		knit_args_add(&a, "-shared");
		knit_args_add(&a, "-o");
		knit_args_add(&a, lib.buf);
	} else {
		const char *ar = knit_build_env_get("AR");
		knit_args_add_words(&a, *ar ? ar : "ar");
		knit_args_add(&a, "rcs");
		knit_args_add(&a, lib.buf);
	}
	for (size_t i = 0; i < objects->n; i++)
		knit_args_add(&a, objects->v[i]);
	if (r->shared)
		knit_args_add_words(&a, knit_build_env_get("LDFLAGS"));
	strbuf_release(&lib);
	return knit_build_step(b, r->shared ? "link" : "archive", &a, b->tree.buf, err);
}

/* lib/pkgconfig/<name>.pc, relative to its own folder so that the prefix can move. */
static int write_pc(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_addf(&path, "%s/lib/pkgconfig/%s.pc", r->prefix, r->lib_name);
	strbuf_addstr(&text, "# Written by knit build (the sources kind).\nprefix=${pcfiledir}/../..\n"
			     "includedir=${prefix}/include\nlibdir=${prefix}/lib\n\nName: ");
	knit_pc_quote(&text, r->lib_name);
	strbuf_addstr(&text, "\nDescription: ");
	knit_pc_quote(&text, r->name);
	strbuf_addstr(&text, ", built by knit from its sources\nVersion: ");
	knit_pc_quote(&text, r->version);
	strbuf_addstr(&text, "\nRequires:");
	for (size_t i = 0; i < r->npkgconfig; i++) {
		strbuf_addch(&text, ' ');
		knit_pc_quote(&text, r->pkgconfig[i]);
	}
	strbuf_addstr(&text, "\nCflags: -I${includedir}");
	for (size_t i = 0; i < r->ndefines; i++) {
		strbuf_addstr(&text, " -D");
		knit_pc_quote(&text, r->defines[i]);
	}
	strbuf_addstr(&text, "\nLibs:");
	if (r->nsources) {
		strbuf_addstr(&text, " -L${libdir} -l");
		knit_pc_quote(&text, r->lib_name);
	}
	strbuf_addch(&text, '\n');
	int rc = 0;
	if (knit_make_parents(path.buf)) {
		strbuf_addf(err, "cannot make the folder for '%s': %s", path.buf, strerror(errno));
		rc = KNIT_EIO;
	} else {
		rc = knit_write_file_new(path.buf, text.buf, text.len, 0644, err);
	}
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

int knit_build_sources(struct build *b, struct strbuf *err)
{
	struct knit_args objects = { 0 };
	int rc = 0;
	if (b->req->nsources && !(rc = compile_all(b, &objects, err)))
		rc = archive(b, &objects, err);
	knit_args_release(&objects);
	if (!rc && !(rc = install_headers(b, err)))
		rc = write_pc(b, err);
	return rc;
}
