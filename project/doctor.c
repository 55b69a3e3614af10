#include "doctor.h"
#include "build_cache.h"
#include "builder/run.h"
#include "registry/folder.h"
#include "registry/registry.h"
#include "store/store.h"
#include "util/error.h"
#include "util/fetch.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PING_MAX_BYTES (64u << 10)
#define VERSION_MAX_BYTES (64u << 10)

struct doctor {
	knit_doctor_report_fn report;
	void *ctx;
	size_t failed, warned;
	struct strbuf detail, fix;
};

/* Reports d->detail and d->fix (when not empty) under status, then empties them. */
static void say(struct doctor *d, enum knit_doctor_status status, const char *check, const char *subject)
{
	struct knit_doctor_finding f = { status, check, subject, d->detail.buf, d->fix.len ? d->fix.buf : NULL };
	d->report(d->ctx, &f);
	d->failed += status == KNIT_DOCTOR_FAIL;
	d->warned += status == KNIT_DOCTOR_WARN;
	strbuf_reset(&d->detail);
	strbuf_reset(&d->fix);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether dir/leaf/index.json is a file: a package's document in a folder registry. */
static bool has_document(const char *dir, const char *leaf)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	strbuf_addf(&path, "%s/%s/index.json", dir, leaf);
	bool yes = !stat(path.buf, &st) && S_ISREG(st.st_mode);
	strbuf_release(&path);
	return yes;
}

/* How many packages the folder holds (<name>/index.json, @scope/<name>/index.json); -1 with errno when it cannot be read. */
static long count_packages(const char *root, long *entries)
{
	DIR *dir = opendir(root);
	if (!dir)
		return -1;
	long packages = 0;
	struct strbuf scope = STRBUF_INIT;
	for (struct dirent *e; (e = readdir(dir));) {
		if (e->d_name[0] == '.')
			continue;
		++*entries;
		if (e->d_name[0] != '@') {
			packages += has_document(root, e->d_name);
			continue;
		}
		strbuf_reset(&scope);
		strbuf_addf(&scope, "%s/%s", root, e->d_name);
		DIR *sub = opendir(scope.buf);
		for (struct dirent *s; sub && (s = readdir(sub));)
			packages += s->d_name[0] != '.' && has_document(scope.buf, s->d_name);
		if (sub)
			closedir(sub);
	}
	closedir(dir);
	strbuf_release(&scope);
	return packages;
}

static void check_folder_registry(struct doctor *d, const char *url, const char *setting)
{
	struct strbuf root = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;
	long entries = 0, packages;
	if (knit_folder_root(url, &root, &err)) {
		strbuf_add(&d->detail, err.buf, err.len);
		strbuf_addf(&d->fix, "correct %s", setting);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	} else if (stat(root.buf, &st)) {
		strbuf_addf(&d->detail, "'%s': %s", root.buf, strerror(errno));
		strbuf_addf(&d->fix, "make the folder (knit publish fills it), or correct %s", setting);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	} else if (!S_ISDIR(st.st_mode)) {
		strbuf_addf(&d->detail, "'%s' is not a folder", root.buf);
		strbuf_addf(&d->fix, "correct %s", setting);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	} else if ((packages = count_packages(root.buf, &entries)) < 0) {
		strbuf_addf(&d->detail, "cannot read '%s': %s", root.buf, strerror(errno));
		strbuf_addf(&d->fix, "let your user read it (chmod), or correct %s", setting);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	} else if (!packages && entries) {
		strbuf_addf(&d->detail, "'%s' holds no package (no <name>/index.json): not a registry", root.buf);
		strbuf_addf(&d->fix, "correct %s", setting);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	} else {
		strbuf_addf(&d->detail, "a folder with %ld package%s", packages, packages == 1 ? "" : "s");
		say(d, KNIT_DOCTOR_OK, "registry", url);
	}
	strbuf_release(&root);
	strbuf_release(&err);
}

/* GET url with the registry's token: its transfer's rc, the status in *status, the message in *why. */
static int get(struct knit_fetch *f, const struct knit_config *cfg, const char *url, long *status, struct strbuf *why)
{
	struct strbuf auth = STRBUF_INIT;
	const char *headers[] = { knit_config_auth_header(cfg, url, &auth) ? auth.buf : NULL, NULL };
	struct knit_transfer *t = knit_fetch_start(f, url, headers, PING_MAX_BYTES, KNIT_HASH_NONE);
	knit_fetch_wait(f, t);
	int rc = t->rc;
	*status = t->status;
	strbuf_reset(why);
	strbuf_add(why, t->message.buf, t->message.len);
	strbuf_release(&auth);
	return rc;
}

static void check_http_registry(struct doctor *d, const struct knit_doctor_opts *o, const char *url,
				const char *setting)
{
	struct knit_fetch_opts fo;
	knit_registry_fetch_opts(o->cfg, &fo);
	long timeout = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	/* one bounded attempt: the doctor says what an install would meet, it does not wait it out */
	fo.connect_timeout_ms = timeout;
	fo.timeout_ms = timeout;
	fo.stall_ms = timeout;
	fo.retries = -1;
	struct knit_fetch *f = knit_fetch_new(&fo);
	struct strbuf target = STRBUF_INIT, why = STRBUF_INIT;
	long status = 0;
	long long start = now_ms();
	strbuf_addf(&target, "%s/-/ping", url);
	int rc = get(f, o->cfg, target.buf, &status, &why);
	const char *asked = "/-/ping";
	if (rc == KNIT_ENOTFOUND) { /* a static server has no /-/ping: its root answering is enough */
		strbuf_reset(&target);
		strbuf_addf(&target, "%s/", url);
		asked = "its root";
		rc = get(f, o->cfg, target.buf, &status, &why);
	}
	long long ms = now_ms() - start;
	if (!rc) {
		strbuf_addf(&d->detail, "answered %s in %lld ms", asked, ms);
		say(d, KNIT_DOCTOR_OK, "registry", url);
	} else if (status == 401 || status == 403) {
		strbuf_addf(&d->detail, "refused: HTTP %ld to %s", status, asked);
		strbuf_addf(&d->fix, "log in (knit login --registry %s) or check its token", url);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	} else {
		strbuf_addf(&d->detail, "no answer: %s", why.len ? why.buf : "the request failed");
		strbuf_addf(&d->fix, "check the network and proxy settings, or correct %s", setting);
		say(d, KNIT_DOCTOR_FAIL, "registry", url);
	}
	strbuf_release(&target);
	strbuf_release(&why);
	knit_fetch_free(f);
}

/* Every registry setting in force ("registry", "@scope:registry"), each key once, the default first. */
static void check_registries(struct doctor *d, const struct knit_doctor_opts *o)
{
	const struct knit_config *cfg = o->cfg;
	struct strbuf setting = STRBUF_INIT;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < cfg->n; i++) {
			const struct knit_setting *s = &cfg->items[i];
			bool scoped = s->key[0] == '@' && strlen(s->key) > 9 &&
				      !strcmp(s->key + strlen(s->key) - 9, ":registry");
			if (pass == 0 ? strcmp(s->key, "registry") : !scoped)
				continue;
			bool later = false; /* a later layer sets it again: that one is in force */
			for (size_t j = i + 1; j < cfg->n && !later; j++)
				later = !strcmp(cfg->items[j].key, s->key);
			if (later || !*s->value)
				continue;
			size_t n = strlen(s->value); /* the URL without its slash, as knit_config_registry gives it */
			char *url = knit_xmemdupz(s->value, n && s->value[n - 1] == '/' ? n - 1 : n);
			strbuf_reset(&setting);
			strbuf_addf(&setting, "'%s' (%s)", s->key, s->origin ? s->origin : "built in");
			if (knit_folder_is(url))
				check_folder_registry(d, url, setting.buf);
			else
				check_http_registry(d, o, url, setting.buf);
			free(url);
		}
	}
	strbuf_release(&setting);
}

static int count_damaged(void *ctx, const char *pkg_dir, const char *why, struct strbuf *err)
{
	(void)ctx, (void)pkg_dir, (void)why, (void)err;
	return 0;
}

static int count_damaged_build(void *ctx, const char *key_id, const char *label, const char *why, struct strbuf *err)
{
	(void)ctx, (void)key_id, (void)label, (void)why, (void)err;
	return 0;
}

/*
 * The cache: a folder (made when missing, as an install would) that takes
 * a new file, with entries that match their indexes. *probe gets the path
 * of a file left in it for the links check, or stays empty.
 */
static void check_cache(struct doctor *d, const char *cache_dir, struct strbuf *probe)
{
	struct stat st;
	if (knit_make_parents(cache_dir) || (mkdir(cache_dir, 0777) && errno != EEXIST) || stat(cache_dir, &st) ||
	    !S_ISDIR(st.st_mode)) {
		if (!stat(cache_dir, &st) && !S_ISDIR(st.st_mode))
			strbuf_addstr(&d->detail, "not a folder");
		else
			strbuf_addf(&d->detail, "cannot be made: %s", strerror(errno));
		strbuf_addstr(&d->fix, "remove what is in the way, or set KNIT_CACHE to a folder you can write");
		say(d, KNIT_DOCTOR_FAIL, "cache", cache_dir);
		return;
	}
	strbuf_addf(probe, "%s/.doctor-XXXXXX", cache_dir);
	int fd = mkstemp(probe->buf);
	if (fd < 0) {
		strbuf_addf(&d->detail, "cannot be written: %s", strerror(errno));
		strbuf_addstr(&d->fix, "let your user write it (chown, chmod), or set KNIT_CACHE to a folder you can write");
		strbuf_reset(probe);
		say(d, KNIT_DOCTOR_FAIL, "cache", cache_dir);
		return;
	}
	close(fd);
	struct strbuf err = STRBUF_INIT;
	size_t checked = 0, bad = 0, builds = 0, bad_builds = 0;
	int rc = knit_store_verify(cache_dir, count_damaged, NULL, &checked, &bad, &err);
	if (!rc)
		rc = knit_build_cache_verify(cache_dir, false, count_damaged_build, NULL, &builds, &bad_builds, &err);
	if (rc) {
		strbuf_addf(&d->detail, "cannot be checked: %s", err.buf);
		strbuf_addstr(&d->fix, "let your user read it, or remove it (knit fetches again what it held)");
		say(d, KNIT_DOCTOR_FAIL, "cache", cache_dir);
	} else if (bad || bad_builds) {
		strbuf_addf(&d->detail, "%zu of %zu store entries and %zu of %zu builds damaged", bad, checked,
			    bad_builds, builds);
		strbuf_addstr(&d->fix, "run 'knit cache verify' to remove them (the next install fetches them again)");
		say(d, KNIT_DOCTOR_FAIL, "cache", cache_dir);
	} else {
		strbuf_addf(&d->detail, "writable; %zu store entr%s and %zu build%s verified", checked,
			    checked == 1 ? "y" : "ies", builds, builds == 1 ? "" : "s");
		say(d, KNIT_DOCTOR_OK, "cache", cache_dir);
	}
	strbuf_release(&err);
}

/* Whether a file of the cache (probe) can be hard-linked into the project folder, as install links into deps/. */
static void check_links(struct doctor *d, const char *cache_dir, const char *probe, const char *project_dir)
{
	struct strbuf target = STRBUF_INIT;
	strbuf_addf(&target, "%s/.knit-doctor-%ld", project_dir, (long)getpid());
	unlink(target.buf);
	if (!link(probe, target.buf)) {
		unlink(target.buf);
		strbuf_addf(&d->detail, "the cache's files can be hard-linked into '%s'", project_dir);
		say(d, KNIT_DOCTOR_OK, "links", project_dir);
	} else if (errno == EXDEV || errno == EPERM || errno == EMLINK || errno == ENOTSUP) {
		strbuf_addf(&d->detail, "cannot hard-link from '%s' (%s): installs copy every file", cache_dir,
			    errno == EXDEV ? "another filesystem" : strerror(errno));
		strbuf_addstr(&d->fix, "set KNIT_CACHE to a folder on the project's filesystem");
		say(d, KNIT_DOCTOR_WARN, "links", project_dir);
	} else {
		strbuf_addf(&d->detail, "cannot write in '%s': %s", project_dir, strerror(errno));
		strbuf_addstr(&d->fix, "let your user write the project's folder");
		say(d, KNIT_DOCTOR_FAIL, "links", project_dir);
	}
	strbuf_release(&target);
}

/* A tool on PATH and its version line, or where it is missing, what installs it. */
static void check_tool(struct doctor *d, const char *name, const char *command, const char *fix)
{
	const char *argv[] = { command, "--version", NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct knit_build_status st = { 0 };
	struct knit_build_env none = { 0 };
	bool found = strchr(command, '/') ? !access(command, X_OK) : knit_build_on_path(command);
	int devnull = found ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
	int rc = found ? knit_build_capture(argv, &none, devnull >= 0 ? devnull : 2, VERSION_MAX_BYTES, &out, &st, &err)
		       : KNIT_ENOTFOUND;
	if (devnull >= 0)
		close(devnull);
	if (!found) {
		strbuf_addf(&d->detail, "'%s' is not on PATH", command);
		strbuf_addstr(&d->fix, fix);
		say(d, KNIT_DOCTOR_FAIL, "tool", name);
	} else if (rc || st.exit_code || st.signal || !out.len) {
		strbuf_addf(&d->detail, "'%s --version' failed%s%s", command, err.len ? ": " : "", err.buf);
		strbuf_addstr(&d->fix, fix);
		say(d, KNIT_DOCTOR_FAIL, "tool", name);
	} else {
		strbuf_add(&d->detail, out.buf, strcspn(out.buf, "\n"));
		say(d, KNIT_DOCTOR_OK, "tool", name);
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

static void check_tools(struct doctor *d)
{
	/* $CC's first word, as the builds run it ("ccache gcc" runs ccache) */
	const char *cc = knit_build_env_get("CC");
	cc += strspn(cc, " \t");
	size_t n = strcspn(cc, " \t");
	char *compiler = n ? knit_xmemdupz(cc, n) : knit_xstrdup("cc");
	check_tool(d, "cc", compiler, n ? "correct CC, or install the compiler it names"
					 : "install a C compiler (apt-get install gcc), or set CC to one");
	free(compiler);
	check_tool(d, "make", "make", "install make (apt-get install make)");
	check_tool(d, "cmake", "cmake", "install CMake (apt-get install cmake): packages built with CMake need it");
	check_tool(d, "pkg-config", "pkg-config",
		   "install pkg-config (apt-get install pkgconf): system libraries are found through it");
}

void knit_doctor_run(const struct knit_doctor_opts *o, knit_doctor_report_fn report, void *ctx, size_t *failed,
		     size_t *warned)
{
	struct doctor d = { report, ctx, 0, 0, STRBUF_INIT, STRBUF_INIT };
	struct strbuf probe = STRBUF_INIT;
	check_registries(&d, o);
	check_cache(&d, o->cfg->cache_dir, &probe);
	if (probe.len) {
		check_links(&d, o->cfg->cache_dir, probe.buf, o->project_dir);
		unlink(probe.buf);
	}
	check_tools(&d);
	*failed = d.failed;
	*warned = d.warned;
	strbuf_release(&probe);
	strbuf_release(&d.detail);
	strbuf_release(&d.fix);
}
