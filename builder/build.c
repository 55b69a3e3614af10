/* knit_build_run: the steps of each build kind, their flags, and what a failure says. */
#include "builder.h"
#include "run.h"
#include "step.h"
#include "util/error.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ":"-joined dir/<sub> of every dependency prefix, then the environment's own value of var. */
static void search_path(const struct knit_build_req *r, const char *const *subs, const char *var, char sep,
			struct strbuf *out)
{
	for (size_t i = 0; i < r->ndeps; i++)
		for (const char *const *s = subs; *s; s++)
			strbuf_addf(out, "%s%s%s%s", out->len ? (char[]){ sep, 0 } : "", r->dep_prefixes[i],
				    **s ? "/" : "", *s);
	const char *own = var ? knit_build_env_get(var) : "";
	if (*own)
		strbuf_addf(out, "%s%s", out->len ? (char[]){ sep, 0 } : "", own);
}

/* What every kind sees of its dependencies: pkg-config's path, and CMake's. */
static void common_env(struct build *b)
{
	static const char *const pc[] = { "lib/pkgconfig", "share/pkgconfig", NULL };
	static const char *const top[] = { "", NULL };
	struct strbuf v = STRBUF_INIT;
	search_path(b->req, pc, "PKG_CONFIG_PATH", ':', &v);
	if (v.len)
		knit_build_env_set(&b->env, "PKG_CONFIG_PATH", v.buf);
	strbuf_reset(&v);
	search_path(b->req, top, "CMAKE_PREFIX_PATH", ':', &v);
	if (v.len)
		knit_build_env_set(&b->env, "CMAKE_PREFIX_PATH", v.buf);
	strbuf_release(&v);
}

/* autotools and Make: headers and libraries of the dependencies through CPPFLAGS and LDFLAGS. */
static void flags_env(struct build *b)
{
	struct strbuf cpp = STRBUF_INIT, ld = STRBUF_INIT;
	for (size_t i = 0; i < b->req->ndeps; i++) {
		strbuf_addf(&cpp, "%s-I%s/include", cpp.len ? " " : "", b->req->dep_prefixes[i]);
		strbuf_addf(&ld, "%s-L%s/lib", ld.len ? " " : "", b->req->dep_prefixes[i]);
	}
	const char *own_cpp = knit_build_env_get("CPPFLAGS"), *own_ld = knit_build_env_get("LDFLAGS");
	if (*own_cpp)
		strbuf_addf(&cpp, " %s", own_cpp);
	if (*own_ld)
		strbuf_addf(&ld, " %s", own_ld);
	if (cpp.len)
		knit_build_env_set(&b->env, "CPPFLAGS", cpp.buf);
	if (ld.len)
		knit_build_env_set(&b->env, "LDFLAGS", ld.buf);
	strbuf_release(&cpp);
	strbuf_release(&ld);
}

static void options(struct knit_args *a, const struct knit_build_req *r)
{
	for (size_t i = 0; i < r->noptions; i++)
		knit_args_add(a, r->options[i]);
}

/*
 * Every build system's kind builds from a copy of the sources in its work
 * folder: autotools and Make write beside their sources, and some CMake
 * projects do too (zlib renames its zconf.h), while the sources in the
 * store are read-only to it (the sandbox makes sure).
 */
static int copy_sources(struct build *b, struct strbuf *err)
{
	struct knit_args a = { 0 };
	knit_args_add(&a, "cp");
	knit_args_add(&a, "-R");
	knit_args_addf(&a, "%s/.", b->req->src_dir);
	knit_args_add(&a, b->copy.buf);
	return knit_build_step(b, "copy", &a, b->req->work_dir, err);
}

static int build_cmake(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	int rc = copy_sources(b, err);
	if (rc)
		return rc;
	struct knit_args a = { 0 };
	struct strbuf prefixes = STRBUF_INIT;
	for (size_t i = 0; i < r->ndeps; i++)
		strbuf_addf(&prefixes, "%s%s", i ? ";" : "", r->dep_prefixes[i]);
	knit_args_add(&a, "cmake");
	knit_args_addf(&a, "-S%s", b->copy.buf);
	knit_args_addf(&a, "-B%s", b->tree.buf);
	if (knit_build_on_path("ninja"))
		knit_args_add(&a, "-GNinja");
	knit_args_addf(&a, "-DCMAKE_BUILD_TYPE=%s", r->debug ? "Debug" : "Release");
	knit_args_addf(&a, "-DCMAKE_INSTALL_PREFIX=%s", r->prefix);
	knit_args_add(&a, "-DCMAKE_INSTALL_LIBDIR=lib");
	knit_args_addf(&a, "-DBUILD_SHARED_LIBS=%s", r->shared ? "ON" : "OFF");
	knit_args_add(&a, "-DCMAKE_POSITION_INDEPENDENT_CODE=ON");
	knit_args_add(&a, "-DBUILD_TESTING=OFF");
	if (prefixes.len)
		knit_args_addf(&a, "-DCMAKE_PREFIX_PATH=%s", prefixes.buf);
	strbuf_release(&prefixes);
	options(&a, r);
	rc = knit_build_step(b, "configure", &a, b->tree.buf, err);
	if (!rc) {
		knit_args_add(&a, "cmake");
		knit_args_add(&a, "--build");
		knit_args_add(&a, b->tree.buf);
		knit_args_add(&a, "--parallel");
		knit_args_add(&a, b->jobs);
		rc = knit_build_step(b, "build", &a, b->tree.buf, err);
	}
	if (!rc) {
		knit_args_add(&a, "cmake");
		knit_args_add(&a, "--install");
		knit_args_add(&a, b->tree.buf);
		rc = knit_build_step(b, "install", &a, b->tree.buf, err);
	}
	return rc;
}

static int build_meson(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct knit_args a = { 0 };
	if (copy_sources(b, err))
		return KNIT_EIO;
	knit_args_add(&a, "meson");
	knit_args_add(&a, "setup");
	knit_args_add(&a, b->tree.buf);
	knit_args_add(&a, b->copy.buf);
	knit_args_addf(&a, "--prefix=%s", r->prefix);
	knit_args_add(&a, "--libdir=lib");
	knit_args_addf(&a, "--buildtype=%s", r->debug ? "debug" : "release");
	knit_args_addf(&a, "--default-library=%s", r->shared ? "shared" : "static");
	knit_args_add(&a, "--wrap-mode=nodownload"); /* no network: dependencies come from knit */
	options(&a, r);
	int rc = knit_build_step(b, "configure", &a, b->copy.buf, err);
	if (!rc) {
		knit_args_add(&a, "meson");
		knit_args_add(&a, "compile");
		knit_args_add(&a, "-C");
		knit_args_add(&a, b->tree.buf);
		knit_args_addf(&a, "-j%s", b->jobs);
		rc = knit_build_step(b, "build", &a, b->tree.buf, err);
	}
	if (!rc) {
		knit_args_add(&a, "meson");
		knit_args_add(&a, "install");
		knit_args_add(&a, "-C");
		knit_args_add(&a, b->tree.buf);
		rc = knit_build_step(b, "install", &a, b->tree.buf, err);
	}
	return rc;
}

static int build_autotools(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct knit_args a = { 0 };
	int rc = copy_sources(b, err);
	struct strbuf configure = STRBUF_INIT;
	strbuf_addf(&configure, "%s/configure", b->copy.buf);
	if (!rc && access(configure.buf, F_OK)) {
		knit_args_add(&a, "autoreconf");
		knit_args_add(&a, "-fi");
		rc = knit_build_step(b, "autoreconf", &a, b->copy.buf, err);
	}
	flags_env(b);
	if (!rc) {
		knit_args_add(&a, configure.buf);
		knit_args_addf(&a, "--prefix=%s", r->prefix);
		knit_args_addf(&a, "--libdir=%s/lib", r->prefix);
		knit_args_add(&a, r->shared ? "--enable-shared" : "--enable-static");
		knit_args_add(&a, r->shared ? "--disable-static" : "--disable-shared");
		knit_args_add(&a, "--with-pic");
		options(&a, r);
		rc = knit_build_step(b, "configure", &a, b->copy.buf, err);
	}
	strbuf_release(&configure);
	if (!rc) {
		knit_args_add(&a, "make");
		knit_args_addf(&a, "-j%s", b->jobs);
		rc = knit_build_step(b, "build", &a, b->copy.buf, err);
	}
	if (!rc) {
		knit_args_add(&a, "make");
		knit_args_add(&a, "install");
		rc = knit_build_step(b, "install", &a, b->copy.buf, err);
	}
	return rc;
}

static int build_make(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct knit_args a = { 0 };
	int rc = copy_sources(b, err);
	flags_env(b);
	if (!rc) {
		knit_args_add(&a, "make");
		knit_args_addf(&a, "-j%s", b->jobs);
		knit_args_addf(&a, "PREFIX=%s", r->prefix);
		options(&a, r);
		rc = knit_build_step(b, "build", &a, b->copy.buf, err);
	}
	if (!rc) {
		knit_args_add(&a, "make");
		knit_args_add(&a, "install");
		knit_args_addf(&a, "PREFIX=%s", r->prefix);
		knit_args_add(&a, "DESTDIR=");
		options(&a, r);
		rc = knit_build_step(b, "install", &a, b->copy.buf, err);
	}
	return rc;
}

/* path removed and made again, empty. */
static int fresh_dir(const char *path, struct strbuf *err)
{
	if (knit_remove_tree(path)) {
		strbuf_addf(err, "cannot empty '%s': %s", path, strerror(errno));
		return KNIT_EIO;
	}
	if (knit_make_dirs(path)) {
		strbuf_addf(err, "cannot make '%s': %s", path, strerror(errno));
		return KNIT_EIO;
	}
	return 0;
}

int knit_build_run(const struct knit_build_req *req, struct knit_build_failure *fail, struct strbuf *err)
{
	memset(fail, 0, sizeof(*fail));
	int rc = knit_build_tools_check(req->kind, req->src_dir, err);
	if (rc)
		return rc;
	struct build b = { .req = req, .fail = fail, .log_fd = -1, .tree = STRBUF_INIT, .copy = STRBUF_INIT };
	snprintf(b.jobs, sizeof(b.jobs), "%d", req->jobs > 0 ? req->jobs : 1);
	strbuf_addf(&b.tree, "%s/build", req->work_dir);
	strbuf_addf(&b.copy, "%s/src", req->work_dir);
	if (!(rc = fresh_dir(req->work_dir, err)) && !(rc = fresh_dir(req->prefix, err)) &&
	    !(rc = fresh_dir(b.tree.buf, err)) && !(rc = fresh_dir(b.copy.buf, err))) {
		if (knit_make_parents(req->log_path) ||
		    (b.log_fd = open(req->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
			strbuf_addf(err, "cannot open the build log '%s': %s", req->log_path, strerror(errno));
			rc = KNIT_EIO;
		}
	}
	if (!rc && req->sandbox) /* its /tmp is its own; a TMPDIR elsewhere would be read-only */
		knit_build_env_set(&b.env, "TMPDIR", "/tmp");
	if (!rc) {
		common_env(&b);
		rc = req->kind == KNIT_BUILD_SOURCES ? knit_build_sources(&b, err)
		     : req->kind == KNIT_BUILD_CMAKE ? build_cmake(&b, err)
		     : req->kind == KNIT_BUILD_MESON ? build_meson(&b, err)
		     : req->kind == KNIT_BUILD_AUTOTOOLS ? build_autotools(&b, err)
							 : build_make(&b, err);
	}
	if (b.log_fd >= 0)
		close(b.log_fd);
	knit_build_env_release(&b.env);
	strbuf_release(&b.tree);
	strbuf_release(&b.copy);
	return rc;
}

void knit_build_log_tail(const char *path, size_t n, struct strbuf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* the last 64 KiB are plenty for n lines of a compiler's output */
	char buf[65536];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
	ssize_t got = pread(fd, buf, sizeof(buf), start);
	close(fd);
	if (got <= 0)
		return;
	size_t len = (size_t)got, at = len;
	if (at && buf[at - 1] == '\n')
		at--;
	for (size_t lines = 0; at > 0; at--)
		if (buf[at - 1] == '\n' && ++lines == n)
			break;
	strbuf_add(out, buf + at, len - at);
}
