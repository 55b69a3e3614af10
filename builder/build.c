/* knit_build_run: the steps of each build kind, their flags, and what a failure says. */
#include "builder.h"
#include "run.h"
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

/* An argv being put together: strings owned. */
struct args {
	char **v;
	size_t n, alloc;
};

static void arg(struct args *a, const char *s)
{
	KNIT_ALLOC_GROW(a->v, a->n + 2, a->alloc);
	a->v[a->n++] = knit_xstrdup(s);
	a->v[a->n] = NULL;
}

static void argf(struct args *a, const char *fmt, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, fmt, s);
	arg(a, b.buf);
	strbuf_release(&b);
}

static void args_release(struct args *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

struct build {
	const struct knit_build_req *req;
	struct knit_build_failure *fail;
	struct knit_build_env env;
	int log_fd;
	struct strbuf tree;  /* the build tree: work/build */
	struct strbuf copy;  /* autotools and make: the sources' copy, work/src */
	char jobs[16];
};

/* Runs one step; a failure fills in *fail and the one-line error. */
static int step(struct build *b, const char *name, struct args *a, const char *dir, struct strbuf *err)
{
	struct knit_build_status st;
	int rc = knit_build_exec((const char *const *)a->v, dir, &b->env, b->log_fd, &st, err);
	args_release(a);
	if (rc)
		return rc;
	if (!st.exit_code && !st.signal)
		return 0;
	const struct knit_build_req *r = b->req;
	*b->fail = (struct knit_build_failure){ name, st.exit_code, st.signal };
	strbuf_addf(err, "%s %s: %s %s failed (", r->name, r->version, knit_build_kind_name(r->kind), name);
	if (st.signal)
		strbuf_addf(err, "signal %d", st.signal);
	else
		strbuf_addf(err, "exit %d", st.exit_code);
	strbuf_addf(err, "); see %s", r->log_path);
	return KNIT_EIO;
}

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

static void options(struct args *a, const struct knit_build_req *r)
{
	for (size_t i = 0; i < r->noptions; i++)
		arg(a, r->options[i]);
}

static int build_cmake(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct args a = { 0 };
	struct strbuf prefixes = STRBUF_INIT;
	for (size_t i = 0; i < r->ndeps; i++)
		strbuf_addf(&prefixes, "%s%s", i ? ";" : "", r->dep_prefixes[i]);
	arg(&a, "cmake");
	argf(&a, "-S%s", r->src_dir);
	argf(&a, "-B%s", b->tree.buf);
	if (knit_build_on_path("ninja"))
		arg(&a, "-GNinja");
	argf(&a, "-DCMAKE_BUILD_TYPE=%s", r->debug ? "Debug" : "Release");
	argf(&a, "-DCMAKE_INSTALL_PREFIX=%s", r->prefix);
	arg(&a, "-DCMAKE_INSTALL_LIBDIR=lib");
	argf(&a, "-DBUILD_SHARED_LIBS=%s", r->shared ? "ON" : "OFF");
	arg(&a, "-DCMAKE_POSITION_INDEPENDENT_CODE=ON");
	arg(&a, "-DBUILD_TESTING=OFF");
	if (prefixes.len)
		argf(&a, "-DCMAKE_PREFIX_PATH=%s", prefixes.buf);
	strbuf_release(&prefixes);
	options(&a, r);
	int rc = step(b, "configure", &a, b->tree.buf, err);
	if (!rc) {
		arg(&a, "cmake");
		arg(&a, "--build");
		arg(&a, b->tree.buf);
		arg(&a, "--parallel");
		arg(&a, b->jobs);
		rc = step(b, "build", &a, b->tree.buf, err);
	}
	if (!rc) {
		arg(&a, "cmake");
		arg(&a, "--install");
		arg(&a, b->tree.buf);
		rc = step(b, "install", &a, b->tree.buf, err);
	}
	return rc;
}

static int build_meson(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct args a = { 0 };
	arg(&a, "meson");
	arg(&a, "setup");
	arg(&a, b->tree.buf);
	arg(&a, r->src_dir);
	argf(&a, "--prefix=%s", r->prefix);
	arg(&a, "--libdir=lib");
	argf(&a, "--buildtype=%s", r->debug ? "debug" : "release");
	argf(&a, "--default-library=%s", r->shared ? "shared" : "static");
	arg(&a, "--wrap-mode=nodownload"); /* no network: dependencies come from knit */
	options(&a, r);
	int rc = step(b, "configure", &a, r->src_dir, err);
	if (!rc) {
		arg(&a, "meson");
		arg(&a, "compile");
		arg(&a, "-C");
		arg(&a, b->tree.buf);
		argf(&a, "-j%s", b->jobs);
		rc = step(b, "build", &a, b->tree.buf, err);
	}
	if (!rc) {
		arg(&a, "meson");
		arg(&a, "install");
		arg(&a, "-C");
		arg(&a, b->tree.buf);
		rc = step(b, "install", &a, b->tree.buf, err);
	}
	return rc;
}

/* autotools and Make write beside their sources: they build in a copy. */
static int copy_sources(struct build *b, struct strbuf *err)
{
	struct args a = { 0 };
	arg(&a, "cp");
	arg(&a, "-R");
	argf(&a, "%s/.", b->req->src_dir);
	arg(&a, b->copy.buf);
	return step(b, "copy", &a, b->req->work_dir, err);
}

static int build_autotools(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct args a = { 0 };
	int rc = copy_sources(b, err);
	struct strbuf configure = STRBUF_INIT;
	strbuf_addf(&configure, "%s/configure", b->copy.buf);
	if (!rc && access(configure.buf, F_OK)) {
		arg(&a, "autoreconf");
		arg(&a, "-fi");
		rc = step(b, "autoreconf", &a, b->copy.buf, err);
	}
	flags_env(b);
	if (!rc) {
		arg(&a, configure.buf);
		argf(&a, "--prefix=%s", r->prefix);
		argf(&a, "--libdir=%s/lib", r->prefix);
		arg(&a, r->shared ? "--enable-shared" : "--enable-static");
		arg(&a, r->shared ? "--disable-static" : "--disable-shared");
		arg(&a, "--with-pic");
		options(&a, r);
		rc = step(b, "configure", &a, b->copy.buf, err);
	}
	strbuf_release(&configure);
	if (!rc) {
		arg(&a, "make");
		argf(&a, "-j%s", b->jobs);
		rc = step(b, "build", &a, b->copy.buf, err);
	}
	if (!rc) {
		arg(&a, "make");
		arg(&a, "install");
		rc = step(b, "install", &a, b->copy.buf, err);
	}
	return rc;
}

static int build_make(struct build *b, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	struct args a = { 0 };
	int rc = copy_sources(b, err);
	flags_env(b);
	if (!rc) {
		arg(&a, "make");
		argf(&a, "-j%s", b->jobs);
		argf(&a, "PREFIX=%s", r->prefix);
		options(&a, r);
		rc = step(b, "build", &a, b->copy.buf, err);
	}
	if (!rc) {
		arg(&a, "make");
		arg(&a, "install");
		argf(&a, "PREFIX=%s", r->prefix);
		arg(&a, "DESTDIR=");
		options(&a, r);
		rc = step(b, "install", &a, b->copy.buf, err);
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
	if (req->kind == KNIT_BUILD_SOURCES) {
		strbuf_addf(err, "%s %s: the sources kind is compiled by knit itself, not a build system", req->name,
			    req->version);
		return KNIT_EINVALID_ARG;
	}
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
	if (!rc) {
		common_env(&b);
		rc = req->kind == KNIT_BUILD_CMAKE   ? build_cmake(&b, err)
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
