/*
 * project/install: knit_install in-process, on a session whose package
 * source is an in-memory one (as tests/unit/test_solver.c's) and whose
 * tarballs are real ones, made by knit_pack_make and fetched through
 * file:// URLs. What a user sees of an install: deps/, knit.lock, knit.json,
 * the warnings, and that a failure changes nothing.
 */
#include "conformance.h"
#include "project/install.h"
#include "project/manifest.h"
#include "project/pack.h"
#include "project/session.h"
#include "resolver/lockfile.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

/* --- an in-memory source whose versions carry real tarballs ---------------------------- */

struct fake_version {
	const char *pkg, *version, *deps_json; /* deps as knit.json text: "{\"libb\":\"^1.0.0\"}" */
	const char *deprecated;
	const char *integrity_of; /* a wrong integrity: the tarball of this version instead, or NULL */
};

static const struct fake_version universe[] = {
	{ "libb", "1.0.0", "{}", NULL, NULL },
	{ "libb", "1.2.0", "{}", NULL, NULL },
	{ "liba", "1.0.0", "{\"libb\":\"^1.0.0\"}", NULL, NULL },
	{ "liba", "1.1.0", "{\"libb\":\"~1.2.0\"}", "use libc instead", NULL },
	{ "libbad", "1.0.0", "{}", NULL, "libb@1.0.0" },
};
enum { NV = sizeof(universe) / sizeof(universe[0]) };
static const char *const names[] = { "libb", "liba", "libbad" };
enum { NP = 3 };

struct fake {
	struct knit_source source;
	struct knit_pkg pkgs[NP];
	struct knit_pkg_version versions[NV];
	struct knit_dep deps[NV][2];
	char *tarball[NV], *sri[NV];
	size_t loads;
};

static struct fake fake;
static struct strbuf warnings = STRBUF_INIT;

static void fake_prefetch(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
}

static int fake_load(void *ctx, const char *name, const struct knit_pkg **out)
{
	struct fake *f = ctx;
	f->loads++;
	for (size_t i = 0; i < NP; i++)
		if (!strcmp(f->pkgs[i].name, name)) {
			*out = &f->pkgs[i];
			return 0;
		}
	return KNIT_ENOTFOUND;
}

static void write_text(const char *path, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	bool changed;
	if (knit_make_parents(path) || knit_write_file_atomic(path, text, strlen(text), &changed, &err))
		fail_msg("cannot write %s: %s", path, err.buf);
	strbuf_release(&err);
}

static bool exists(const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s", root, rel);
	bool yes = !access(path.buf, F_OK);
	strbuf_release(&path);
	return yes;
}

static void read_rel(const char *rel, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s", root, rel);
	strbuf_reset(out);
	if (knit_read_file(path.buf, out, &err))
		fail_msg("cannot read %s: %s", rel, err.buf);
	strbuf_release(&path);
	strbuf_release(&err);
}

static int read_lock(const char *project, struct knit_lockfile *lf)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s/knit.lock", root, project);
	int rc = knit_lockfile_read(lf, path.buf, &err);
	if (rc)
		print_error("%s\n", err.buf);
	strbuf_release(&path);
	strbuf_release(&err);
	return rc;
}

/* Each version as a package folder, packed by knit_pack_make into <root>/tarballs. */
static void make_tarball(size_t i)
{
	const struct fake_version *v = &universe[i];
	struct strbuf dir = STRBUF_INIT, file = STRBUF_INIT, text = STRBUF_INIT, err = STRBUF_INIT;
	strbuf_addf(&dir, "%s/src/%s-%s", root, v->pkg, v->version);
	strbuf_addf(&file, "%s/knit.json", dir.buf);
	strbuf_addf(&text, "{\"name\":\"%s\",\"version\":\"%s\",\"dependencies\":%s}\n", v->pkg, v->version,
		    v->deps_json);
	write_text(file.buf, text.buf);
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/include/%s.h", dir.buf, v->pkg);
	write_text(file.buf, "int f(void);\n");
	struct knit_pack p;
	if (knit_pack_make(&p, dir.buf, NULL, &err))
		fail_msg("cannot pack %s: %s", dir.buf, err.buf);
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/tarballs/%s-%s.tgz", root, v->pkg, v->version);
	bool changed;
	if (knit_make_parents(file.buf) || knit_write_file_atomic(file.buf, p.tgz.buf, p.tgz.len, &changed, &err))
		fail_msg("cannot write %s: %s", file.buf, err.buf);
	strbuf_reset(&text);
	knit_integrity_format(&p.integrity, &text);
	fake.sri[i] = strbuf_detach(&text, NULL);
	strbuf_reset(&text);
	strbuf_addf(&text, "file://%s", file.buf);
	fake.tarball[i] = strbuf_detach(&text, NULL);
	knit_pack_release(&p);
	strbuf_release(&dir);
	strbuf_release(&file);
	strbuf_release(&err);
}

static void fake_init(void)
{
	memset(&fake, 0, sizeof(fake));
	for (size_t i = 0; i < NV; i++)
		make_tarball(i);
	size_t at = 0;
	for (size_t p = 0; p < NP; p++) {
		struct knit_pkg *pkg = &fake.pkgs[p];
		pkg->name = names[p];
		pkg->versions = &fake.versions[at];
		for (size_t i = 0; i < NV; i++) {
			const struct fake_version *v = &universe[i];
			if (strcmp(v->pkg, names[p]))
				continue;
			struct knit_pkg_version *pv = &fake.versions[at++];
			pv->version = v->version;
			assert_int_equal(knit_version_parse(&pv->parsed, v->version, strlen(v->version), 0), 0);
			pv->deprecated = v->deprecated;
			pv->tarball = fake.tarball[i];
			pv->integrity = fake.sri[i];
			if (v->integrity_of)
				for (size_t k = 0; k < NV; k++) {
					char label[64];
					snprintf(label, sizeof(label), "%s@%s", universe[k].pkg, universe[k].version);
					if (!strcmp(label, v->integrity_of))
						pv->integrity = fake.sri[k];
				}
			/* the dependency, when any, as the packed knit.json says it */
			const char *q = strchr(v->deps_json + 1, '"');
			if (q) {
				char *name = knit_xstrdup(q + 1), *range;
				*strchr(name, '"') = '\0';
				range = knit_xstrdup(strchr(strchr(q + 1, ':'), '"') + 1);
				*strchr(range, '"') = '\0';
				fake.deps[i][0] = (struct knit_dep){ name, range };
				pv->deps = fake.deps[i];
				pv->ndeps = 1;
			}
			pkg->nversions++;
			pkg->latest = pv->version; /* ascending: the highest is latest */
		}
	}
	fake.source = (struct knit_source){ &fake, fake_prefetch, fake_load, NULL };
}

static void fake_release(void)
{
	for (size_t i = 0; i < NV; i++) {
		free(fake.tarball[i]);
		free(fake.sri[i]);
		free((char *)fake.deps[i][0].name);
		free((char *)fake.deps[i][0].range);
		knit_version_release(&fake.versions[i].parsed);
	}
}

/* --- sessions ---------------------------------------------------------------------- */

static void on_warning(void *ctx, const char *line)
{
	(void)ctx;
	strbuf_addf(&warnings, "%s\n", line);
}

static void open_session(struct knit_session *s, const char *project)
{
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/%s", root, project);
	struct knit_session_opts o = { .project_dir = dir.buf, .warn = on_warning };
	if (knit_session_open(s, &o, &err))
		fail_msg("session: %s", err.buf);
	s->source = &fake.source;
	strbuf_release(&err);
	strbuf_release(&dir);
	strbuf_reset(&warnings);
	fake.loads = 0;
}

static int install(const char *project, const struct knit_install_opts *base, struct knit_install_stats *stats,
		   struct strbuf *err)
{
	struct knit_session s;
	struct strbuf dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/%s", root, project);
	struct knit_install_opts o = *base;
	o.project_dir = dir.buf;
	open_session(&s, project);
	strbuf_reset(err);
	int rc = knit_install(&s, &o, stats, err);
	knit_session_close(&s);
	strbuf_release(&dir);
	return rc;
}

static void project(const char *name, const char *deps_json)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s/knit.json", root, name);
	strbuf_addf(&text, "{\n  \"name\": \"%s\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": %s\n}\n", name,
		    deps_json);
	write_text(path.buf, text.buf);
	strbuf_release(&path);
	strbuf_release(&text);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/knit-test-install-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	char path[512];
	snprintf(path, sizeof(path), "%s/cache", root);
	setenv("KNIT_CACHE", path, 1);
	snprintf(path, sizeof(path), "%s/knitrc", root);
	setenv("KNIT_CONFIG", path, 1);
	unsetenv("KNIT_REGISTRY");
	fake_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release();
	strbuf_release(&warnings);
	knit_remove_tree(root);
	return 0;
}

/* --- tests ------------------------------------------------------------------------- */

/* A first install resolves through the session's source, fetches, links and writes knit.lock. */
static void test_resolves_fetches_links(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	project("app", "{ \"liba\": \"^1.0.0\" }");
	struct knit_install_opts o = { .mode = KNIT_INSTALL };
	int rc = install("app", &o, &st, &err);
	if (rc)
		fail_msg("install: %s", err.buf);
	assert_int_equal(st.packages, 2);
	assert_int_equal(st.fetched, 2);
	assert_int_equal(st.stored, 2);
	assert_true(st.deps_changed && st.lock_changed && !st.manifest_changed);
	assert_true(fake.loads >= 2);
	/* liba's latest, 1.1.0, is deprecated: 1.0.0 is taken, as npm-pick-manifest would; libb the highest */
	assert_true(exists("app/deps/liba/include/liba.h"));
	assert_true(exists("app/deps/libb/include/libb.h"));
	assert_true(exists("app/deps/knit.cmake"));
	struct knit_lockfile lf;
	assert_int_equal(read_lock("app", &lf), 0);
	assert_int_equal(lf.n, 2);
	const struct knit_lock_pkg *a = knit_lockfile_find(&lf, "liba"), *b = knit_lockfile_find(&lf, "libb");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->version, "1.0.0");
	assert_string_equal(a->integrity, fake.sri[2]);
	assert_string_equal(a->resolved, fake.tarball[2]);
	assert_int_equal(a->deps.n, 1);
	assert_string_equal(a->deps.items[0].range, "^1.0.0");
	assert_string_equal(b->version, "1.2.0");
	assert_string_equal(lf.root_deps.items[0].range, "^1.0.0");
	knit_lockfile_release(&lf);
	assert_string_equal(warnings.buf, "");
	strbuf_release(&err);
	strbuf_release(&text);
}

/* Again, nothing changed: knit.lock stands for the resolution, the source is never asked. */
static void test_second_install_is_lock_only(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT, before = STRBUF_INIT, after = STRBUF_INIT;
	read_rel("app/knit.lock", &before);
	struct knit_install_opts o = { .mode = KNIT_INSTALL };
	int rc = install("app", &o, &st, &err);
	if (rc)
		fail_msg("install: %s", err.buf);
	assert_int_equal(fake.loads, 0);
	assert_int_equal(st.fetched, 0);
	assert_false(st.deps_changed);
	assert_false(st.lock_changed);
	read_rel("app/knit.lock", &after);
	assert_string_equal(before.buf, after.buf);
	assert_string_equal(warnings.buf, ""); /* the lock has no deprecations to say */
	strbuf_release(&err);
	strbuf_release(&before);
	strbuf_release(&after);
}

/* knit ci puts back a deleted deps/ from knit.lock and the store alone. */
static void test_ci_restores_from_lock(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	strbuf_addf(&path, "%s/app/deps", root);
	assert_int_equal(knit_remove_tree(path.buf), 0);
	struct knit_install_opts o = { .mode = KNIT_INSTALL_CI };
	int rc = install("app", &o, &st, &err);
	if (rc)
		fail_msg("install: %s", err.buf);
	assert_int_equal(fake.loads, 0);
	assert_int_equal(st.fetched, 0); /* the store has both */
	assert_true(st.deps_changed);
	assert_true(exists("app/deps/libb/include/libb.h"));
	strbuf_release(&err);
	strbuf_release(&path);
}

/* knit ci refuses a knit.json that drifted from knit.lock, and names the field. */
static void test_ci_refuses_drift(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT;
	project("app", "{ \"liba\": \"^1.0.0\", \"libb\": \"^1.0.0\" }");
	struct knit_install_opts o = { .mode = KNIT_INSTALL_CI };
	int rc = install("app", &o, &st, &err);
	assert_int_equal(rc, KNIT_EPARSE);
	assert_non_null(strstr(err.buf, "dependencies.libb is in knit.json but not in knit.lock"));
	project("app", "{ \"liba\": \"^1.0.0\" }");
	strbuf_release(&err);
}

/* knit install <spec>: knit.json gains ^<the version taken>, everything else as written. */
static void test_add_saves_caret_range(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	const struct knit_dep add[] = { { "libb", "" } };
	struct knit_install_opts o = { .mode = KNIT_INSTALL, .add = add, .nadd = 1 };
	int rc = install("app", &o, &st, &err);
	if (rc)
		fail_msg("install: %s", err.buf);
	assert_true(st.manifest_changed);
	read_rel("app/knit.json", &text);
	/* the text as written, libb added */
	const char *kept = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": { \"liba\": \"^1.0.0\",";
	assert_memory_equal(text.buf, kept, strlen(kept));
	struct knit_manifest m;
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/app/knit.json", root);
	assert_int_equal(knit_manifest_read(&m, path.buf, &err), 0);
	assert_int_equal(m.deps.n, 2);
	assert_string_equal(m.deps.items[1].name, "libb");
	assert_string_equal(m.deps.items[1].range, "^1.2.0");
	knit_manifest_release(&m);
	struct knit_lockfile lf;
	assert_int_equal(read_lock("app", &lf), 0);
	assert_int_equal(lf.root_deps.n, 2);
	assert_string_equal(lf.root_deps.items[1].range, "^1.2.0");
	knit_lockfile_release(&lf);
	strbuf_release(&path);
	strbuf_release(&err);
	strbuf_release(&text);
}

/* A tarball whose bytes are not the ones its integrity names fails the install and changes nothing. */
static void test_integrity_mismatch_changes_nothing(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT;
	project("bad", "{ \"libbad\": \"1.0.0\" }");
	struct knit_install_opts o = { .mode = KNIT_INSTALL };
	int rc = install("bad", &o, &st, &err);
	assert_int_equal(rc, KNIT_EPARSE);
	assert_non_null(strstr(err.buf, "integrity mismatch for libbad@1.0.0: expected sha512-"));
	assert_false(exists("bad/knit.lock"));
	assert_false(exists("bad/deps"));
	strbuf_release(&err);
}

/* No version satisfies a range: the explanation comes back as sentences, nothing is written. */
static void test_no_solution_explained(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT;
	project("none", "{ \"liba\": \"^9.0.0\" }");
	struct knit_install_opts o = { .mode = KNIT_INSTALL };
	int rc = install("none", &o, &st, &err);
	assert_int_equal(rc, KNIT_ENOSOLUTION);
	assert_non_null(strstr(err.buf, "liba"));
	assert_non_null(strstr(err.buf, "9.0.0"));
	assert_false(exists("none/knit.lock"));
	strbuf_release(&err);
}

/* A deprecated version asked for exactly: taken, and said through the session's warning callback. */
static void test_deprecated_is_warned(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT;
	project("old", "{ \"liba\": \"1.1.0\" }");
	struct knit_install_opts o = { .mode = KNIT_INSTALL };
	int rc = install("old", &o, &st, &err);
	if (rc)
		fail_msg("install: %s", err.buf);
	assert_string_equal(warnings.buf, "liba@1.1.0 is deprecated: use libc instead\n");
	assert_true(exists("old/deps/libb/include/libb.h"));
	strbuf_release(&err);
}

/* An unknown name: the error names it, nothing is written. */
static void test_unknown_package(void **state)
{
	(void)state;
	struct knit_install_stats st;
	struct strbuf err = STRBUF_INIT;
	project("unknown", "{ \"nosuch\": \"^1.0.0\" }");
	struct knit_install_opts o = { .mode = KNIT_INSTALL };
	int rc = install("unknown", &o, &st, &err);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err.buf, "nosuch"));
	assert_false(exists("unknown/knit.lock"));
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* in order: each builds on the project the previous one left */
		cmocka_unit_test(test_resolves_fetches_links),
		cmocka_unit_test(test_second_install_is_lock_only),
		cmocka_unit_test(test_ci_restores_from_lock),
		cmocka_unit_test(test_ci_refuses_drift),
		cmocka_unit_test(test_add_saves_caret_range),
		cmocka_unit_test(test_integrity_mismatch_changes_nothing),
		cmocka_unit_test(test_no_solution_explained),
		cmocka_unit_test(test_deprecated_is_warned),
		cmocka_unit_test(test_unknown_package),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
