/*
 * project/sources in-process: what kind of package a spec or a lockfile's
 * "resolved" names, the folder a file: spec means, the git form of
 * "resolved", whether a lock entry still stands for a spec; and
 * knit_specials over a small in-memory registry: folders (and one git
 * repository made with git(1), as test_git does) bound to their exact
 * versions, their registry dependencies answered by the registry, a name
 * asked for as two different sources refused, naming both askers, and the
 * specs a knit.json gives shown escaped in every message.
 */
#include "conformance.h"
#include "project/sources.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEX40 "0123456789abcdef0123456789abcdef01234567"

/* --- classification --------------------------------------------------------------- */

static void kinds(void **state)
{
	static const struct { const char *spec; enum knit_spec_kind kind; } specs[] = {
		{ "git+https://h/o/r.git#v1", KNIT_SPEC_GIT },
		{ "git+ssh://git@h/o/r.git", KNIT_SPEC_GIT },
		{ "git+file:///srv/r.git#semver:^1", KNIT_SPEC_GIT },
		{ "git://h/o/r.git", KNIT_SPEC_GIT },
		{ "github:o/r", KNIT_SPEC_GIT },
		{ "github:o/r#v2", KNIT_SPEC_GIT },
		{ "file:../x", KNIT_SPEC_FILE },
		{ "file:x", KNIT_SPEC_FILE },
		{ "file:/abs/x", KNIT_SPEC_FILE },
		{ "file:", KNIT_SPEC_FILE },
		/* a file:// URL is not a folder (sources.h): it goes to the registry as a spec */
		{ "file:///abs/x", KNIT_SPEC_REGISTRY },
		{ "file://host/x", KNIT_SPEC_REGISTRY },
		{ "FILE:../x", KNIT_SPEC_REGISTRY },
		{ "^1.2.0", KNIT_SPEC_REGISTRY },
		{ "latest", KNIT_SPEC_REGISTRY },
		{ "", KNIT_SPEC_REGISTRY },
		{ "github", KNIT_SPEC_REGISTRY },
		{ "https://h/x-1.0.0.tgz", KNIT_SPEC_REGISTRY },
		{ "../x", KNIT_SPEC_REGISTRY },
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (knit_spec_kind(specs[i].spec) != specs[i].kind)
			fail_msg("knit_spec_kind(\"%s\") = %d, want %d", specs[i].spec, knit_spec_kind(specs[i].spec),
				 specs[i].kind);

	/* a lockfile writes git packages as git+<url>#<commit> and nothing else */
	static const struct { const char *resolved; enum knit_spec_kind kind; } res[] = {
		{ "git+https://h/o/r.git#" HEX40, KNIT_SPEC_GIT },
		{ "git+file:///srv/r.git#" HEX40, KNIT_SPEC_GIT },
		{ "git+anything", KNIT_SPEC_GIT },
		{ "file:../x", KNIT_SPEC_FILE },
		{ "file:.", KNIT_SPEC_FILE },
		{ "https://registry.example/x/-/x-1.0.0.tgz", KNIT_SPEC_REGISTRY },
		{ "github:o/r", KNIT_SPEC_REGISTRY },
		{ "git://h/o/r.git", KNIT_SPEC_REGISTRY },
		{ "file:///abs/x", KNIT_SPEC_REGISTRY },
		{ "", KNIT_SPEC_REGISTRY },
	};
	assert_int_equal(knit_resolved_kind(NULL), KNIT_SPEC_REGISTRY);
	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		if (knit_resolved_kind(res[i].resolved) != res[i].kind)
			fail_msg("knit_resolved_kind(\"%s\") = %d, want %d", res[i].resolved,
				 knit_resolved_kind(res[i].resolved), res[i].kind);
}

static void spec_folder(void **state)
{
	static const char *const cases[][3] = {
		{ "file:../x", "/base/app", "/base/app/../x" },
		{ "file:x/y", "/base/app", "/base/app/x/y" },
		{ "file:/abs/x", "/base/app", "/abs/x" },
		{ "file:", "/base/app", "/base/app/" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf out = STRBUF_INIT;
		knit_spec_folder(cases[i][0], cases[i][1], &out);
		assert_string_equal(out.buf, cases[i][2]);
		strbuf_release(&out);
	}
}

static void resolved_git(void **state)
{
	char *url = NULL, commit[41];
	assert_int_equal(knit_resolved_git("git+https://h/o/r.git#" HEX40, &url, commit), 0);
	assert_string_equal(url, "https://h/o/r.git");
	assert_string_equal(commit, HEX40);
	free(url);
	/* the last '#' ends the URL */
	url = NULL;
	assert_int_equal(knit_resolved_git("git+file:///a#b/r.git#" HEX40, &url, commit), 0);
	assert_string_equal(url, "file:///a#b/r.git");
	free(url);

	static const char *const bad[] = {
		"git+https://h/o/r.git",                      /* no # */
		"git+https://h/o/r.git#",                     /* nothing after it */
		"git+https://h/o/r.git#0123456",              /* a short commit */
		"git+https://h/o/r.git#" HEX40 "8",           /* 41 digits */
		"git+https://h/o/r.git#0123456789abcdef0123456789abcdef0123456",  /* 39 */
		"git+https://h/o/r.git#0123456789ABCDEF0123456789abcdef01234567", /* capitals */
		"git+https://h/o/r.git#0123456789abcdeg0123456789abcdef01234567", /* not hex */
		"git+https://h/o/r.git#v1.0.0",
		"https://h/o/r.git#" HEX40,                   /* not git+ */
		"github:o/r#" HEX40,
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		url = NULL;
		if (knit_resolved_git(bad[i], &url, commit) != KNIT_EINVALID_ARG)
			fail_msg("knit_resolved_git(\"%s\") accepted", bad[i]);
		assert_null(url); /* nothing to free on failure */
	}
}

/* --- folders on disk ------------------------------------------------------------------- */

static char tmp[256], app[300], cache[300], repo[300];
static char v1_commit[41];

static void write_file(const char *rel, const char *text)
{
	char path[600];
	bool changed;
	struct strbuf err = STRBUF_INIT;
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	if (knit_make_parents(path) || knit_write_file_atomic(path, text, strlen(text), &changed, &err))
		fail_msg("cannot write %s: %s", path, err.buf);
	strbuf_release(&err);
}

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/knit-test-sources-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	/* mkdtemp's path may sit under a link (/tmp): knit compares real paths */
	char *real = realpath(tmp, NULL);
	if (!real)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", real);
	free(real);
	snprintf(app, sizeof(app), "%s/app", tmp);
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	snprintf(repo, sizeof(repo), "%s/repo", tmp);
	write_file("app/knit.json", "{\"name\": \"app\"}");
	/* the folders sit beside the project, one level further down */
	write_file("libs/liba/knit.json",
		   "{\"name\": \"liba\", \"version\": \"1.2.3\","
		   " \"dependencies\": {\"libb\": \"file:../libb\", \"reg\": \"^1.0.0\"}}");
	write_file("libs/libb/package.json",
		   "{\"name\": \"libb\", \"version\": \"v0.4.0\", \"dependencies\": {\"reg2\": \"~2.1.0\"}}");
	write_file("other/libb/knit.json", "{\"name\": \"libb\", \"version\": \"0.5.0\"}");
	write_file("bare/README", "no manifest here\n");
	write_file("named/knit.json", "{\"name\": \"not-this\", \"version\": \"1.0.0\"}");
	write_file("broken/knit.json", "{\"name\": \"broken\",");
	write_file("afile", "a file, not a folder\n");
	write_file("cyca/knit.json",
		   "{\"name\": \"cyca\", \"version\": \"1.0.0\", \"dependencies\": {\"cycb\": \"file:../cycb\"}}");
	write_file("cycb/knit.json",
		   "{\"name\": \"cycb\", \"version\": \"2.0.0\", \"dependencies\": {\"cyca\": \"file:../cyca\"}}");
	/* specs and folder names with control characters, for the messages that show them */
	write_file("hostile/knit.json", "{\"dependencies\": {\"libx\": \"file:../no\\u001b[2Jsuch\\nInjected\"}}");
	write_file("hostile2/knit.json", "{\"dependencies\": {\"libb\": \"github:o/libb#\\nInjected\"}}");
	write_file("br\tk/knit.json", "{\"name\": \"brk\",");
	return 0;
}

static int teardown(void **state)
{
	knit_remove_tree(tmp);
	return 0;
}

static void resolved_matches(void **state)
{
	char abs_spec[400];
	snprintf(abs_spec, sizeof(abs_spec), "file:%s/libs/liba", tmp);
	static const struct { const char *spec, *resolved; bool want; } cases[] = {
		{ "file:../libs/liba", "file:../libs/liba", true },
		{ "file:../libs/liba/", "file:../libs/liba", true },
		{ "file:./../libs/./liba", "file:../libs/liba", true },
		{ "file:../other/../libs/liba", "file:../libs/liba", true },
		{ "file:../libs/liba", "file:../libs/libb", false },
		{ "file:../libs/liba", "file:../libs/liba/x", false },
		{ "file:../libs/nope", "file:../libs/nope", false }, /* the folder is gone */
		{ "file:../libs/liba", NULL, false },
		{ "file:../libs/liba", "git+https://h/r.git#" HEX40, false },
		{ "file:../libs/liba", "https://registry.example/liba/-/liba-1.2.3.tgz", false },
		{ "^1.2.3", "file:../libs/liba", false },
		{ "git+https://h/o/r.git#v1", "git+https://h/o/r.git#" HEX40, true },
		{ "git+https://h/o/r.git", "git+https://h/o/r.git#" HEX40, true },
		{ "git+https://h/o/r.git#0123456", "git+https://h/o/r.git#" HEX40, true },
		{ "git+https://h/o/r.git#" HEX40, "git+https://h/o/r.git#" HEX40, true },
		{ "github:o/r#main", "git+https://github.com/o/r.git#" HEX40, true },
		/* a full commit in the spec must be the locked one */
		{ "git+https://h/o/r.git#" HEX40, "git+https://h/o/r.git#fedcba9876543210fedcba9876543210fedcba98",
		  false },
		{ "git+https://h/o/r.git#v1", "git+https://h/o/other.git#" HEX40, false },
		{ "git+https://h/o/r.git#v1", "git+https://h/o/r.git#v1", false }, /* not a commit */
		{ "git+https://h/o/r.git#v1", "file:../libs/liba", false },
		{ "git+ftp://h/o/r.git", "git+ftp://h/o/r.git#" HEX40, false },    /* not a spec knit fetches */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (knit_resolved_matches(app, cases[i].spec, cases[i].resolved) != cases[i].want)
			fail_msg("knit_resolved_matches(app, \"%s\", \"%s\") != %d", cases[i].spec,
				 cases[i].resolved ? cases[i].resolved : "(null)", cases[i].want);
	assert_true(knit_resolved_matches(app, abs_spec, "file:../libs/liba"));
	/* relative to the project: from elsewhere, the same resolved is another folder */
	char libs[400];
	snprintf(libs, sizeof(libs), "%s/libs", tmp);
	assert_false(knit_resolved_matches(libs, "file:liba", "file:../libs/liba"));
	assert_true(knit_resolved_matches(libs, "file:liba", "file:liba"));
}

/* --- a small in-memory registry ---------------------------------------------------------- */

static const struct knit_dep reg140_deps[] = { { "reg2", ">=2.0.0" } };
static const struct knit_dep user_deps[] = { { "liba", "^2.0.0" } };
static const struct knit_dep okuser_deps[] = { { "liba", "^1.0.0" } };
static struct knit_pkg_version reg_v[] = {
	{ .version = "0.9.0" }, { .version = "1.0.0" },
	{ .version = "1.4.0", .deps = reg140_deps, .ndeps = 1 }, { .version = "2.0.0" },
};
static struct knit_pkg_version reg2_v[] = {
	{ .version = "2.0.0" }, { .version = "2.1.0" }, { .version = "2.1.5" }, { .version = "2.2.0" },
};
/* a registry libb the folder libb must shadow */
static struct knit_pkg_version libb_v[] = { { .version = "0.4.0" }, { .version = "9.9.9" } };
static struct knit_pkg_version user_v[] = { { .version = "1.0.0", .deps = user_deps, .ndeps = 1 } };
static struct knit_pkg_version okuser_v[] = { { .version = "1.0.0", .deps = okuser_deps, .ndeps = 1 } };
static struct knit_pkg registry[] = {
	{ .name = "reg", .versions = reg_v, .nversions = 4 },
	{ .name = "reg2", .versions = reg2_v, .nversions = 4 },
	{ .name = "libb", .versions = libb_v, .nversions = 2 },
	{ .name = "user", .versions = user_v, .nversions = 1 },
	{ .name = "okuser", .versions = okuser_v, .nversions = 1 },
};

struct fake {
	struct strbuf asked; /* " name" for each prefetch and load */
};

static void fake_prefetch(void *ctx, const char *name)
{
	strbuf_addf(&((struct fake *)ctx)->asked, " %s", name);
}

static int fake_load(void *ctx, const char *name, const struct knit_pkg **out)
{
	strbuf_addf(&((struct fake *)ctx)->asked, " %s", name);
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strcmp(registry[i].name, name)) {
			*out = &registry[i];
			return 0;
		}
	return KNIT_ENOTFOUND;
}

static int registry_setup(void **state)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		for (size_t k = 0; k < registry[i].nversions; k++) {
			struct knit_pkg_version *v = (struct knit_pkg_version *)&registry[i].versions[k];
			if (knit_version_parse(&v->parsed, v->version, strlen(v->version), 0))
				return -1;
		}
	return 0;
}

static int registry_teardown(void **state)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		for (size_t k = 0; k < registry[i].nversions; k++)
			knit_version_release(&((struct knit_pkg_version *)&registry[i].versions[k])->parsed);
	return 0;
}

struct env {
	struct fake fake;
	struct knit_source inner;
	struct knit_specials *s;
	struct strbuf err;
};

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	strbuf_init(&e->fake.asked, 0);
	strbuf_init(&e->err, 0);
	e->inner = (struct knit_source){ &e->fake, fake_prefetch, fake_load, NULL };
	e->s = knit_specials_new(&e->inner, cache, app);
}

static void env_release(struct env *e)
{
	knit_specials_free(e->s);
	strbuf_release(&e->fake.asked);
	strbuf_release(&e->err);
}

/* A root dependency through knit_specials_root: its range for the solver. */
static const char *root(struct env *e, const char *name, const char *spec)
{
	const char *range = NULL;
	if (knit_specials_root(e->s, name, spec, "app", &range, &e->err))
		fail_msg("%s %s: %s", name, spec, e->err.buf);
	return range;
}

/* Solves deps through the specials: "name@version ..." or "error <rc>: <why>". */
static char *solve(struct env *e, const struct knit_dep *deps, size_t n)
{
	struct knit_solve_request req = { .root_name = "app", .root_version = "0.0.0", .deps = deps, .ndeps = n };
	struct knit_solution sol;
	struct strbuf why = STRBUF_INIT, out = STRBUF_INIT;
	int rc = knit_solve(&req, knit_specials_source(e->s), &sol, &why);
	if (rc) {
		strbuf_addf(&out, "error %d: %s", rc, why.buf);
	} else {
		for (size_t i = 0; i < sol.n; i++) {
			strbuf_addf(&out, "%s%s@%s", i ? " " : "", sol.pkgs[i].name, sol.pkgs[i].pv->version);
			/* a folder's answer is the special's own package, never the registry's */
			const struct knit_special *sp = knit_specials_find(e->s, sol.pkgs[i].name);
			if (sp && sol.pkgs[i].pkg != &sp->pkg)
				fail_msg("%s answered by the registry, not its folder", sol.pkgs[i].name);
		}
		knit_solution_release(&sol);
	}
	strbuf_release(&why);
	return strbuf_detach(&out, NULL);
}

static bool asked_registry_for(const struct env *e, const char *name)
{
	char word[64];
	snprintf(word, sizeof(word), " %s ", name);
	struct strbuf all = STRBUF_INIT;
	strbuf_addf(&all, "%s ", e->fake.asked.buf);
	bool found = strstr(all.buf, word) != NULL;
	strbuf_release(&all);
	return found;
}

static void folder_packages(void **state)
{
	struct env e;
	env_init(&e);
	/* bound to the exact version its knit.json gives; a registry spec passes through as it is */
	const char *a = root(&e, "liba", "file:../libs/liba");
	assert_string_equal(a, "1.2.3");
	const char *spec = "^1.0.0";
	const char *r = NULL;
	assert_int_equal(knit_specials_root(e.s, "reg", spec, "app", &r, &e.err), 0);
	assert_ptr_equal(r, spec);
	assert_null(knit_specials_find(e.s, "reg"));

	const struct knit_special *sa = knit_specials_find(e.s, "liba");
	assert_non_null(sa);
	assert_int_equal(sa->kind, KNIT_SPEC_FILE);
	assert_string_equal(sa->spec, "file:../libs/liba");
	assert_string_equal(sa->asked_by, "app");
	assert_string_equal(sa->resolved, "file:../libs/liba");
	char want[400];
	snprintf(want, sizeof(want), "%s/libs/liba", tmp);
	assert_string_equal(sa->dir, want);
	assert_int_equal(sa->pkg.nversions, 1);
	assert_string_equal(sa->pkg.latest, "1.2.3");
	/* its folder dependency became an exact version; its registry one stayed a range */
	assert_int_equal(sa->version.ndeps, 2);
	assert_string_equal(sa->version.deps[0].name, "libb");
	assert_string_equal(sa->version.deps[0].range, "0.4.0");
	assert_string_equal(sa->version.deps[1].name, "reg");
	assert_string_equal(sa->version.deps[1].range, "^1.0.0");

	/* liba's ../libb is beside liba, not beside the project; its loose version is cleaned */
	const struct knit_special *sb = knit_specials_find(e.s, "libb");
	assert_non_null(sb);
	assert_string_equal(sb->asked_by, "liba");
	assert_string_equal(sb->resolved, "file:../libs/libb");
	assert_string_equal(sb->version.version, "0.4.0");
	assert_string_equal(sb->manifest.name, "libb"); /* read from package.json */

	struct knit_dep deps[] = { { "liba", a }, { "reg", r } };
	char *got = solve(&e, deps, 2);
	assert_string_equal(got, "liba@1.2.3 libb@0.4.0 reg@1.4.0 reg2@2.1.5");
	free(got);
	/* the registry was asked for reg and reg2 only: never for the folders */
	assert_true(asked_registry_for(&e, "reg"));
	assert_true(asked_registry_for(&e, "reg2"));
	assert_false(asked_registry_for(&e, "liba"));
	assert_false(asked_registry_for(&e, "libb"));
	env_release(&e);
}

/* Others' ranges on a folder package must accept its one version, or the solver says why. */
static void ranges_on_folders(void **state)
{
	struct env e;
	env_init(&e);
	const char *a = root(&e, "liba", "file:../libs/liba");
	struct knit_dep ok[] = { { "liba", a }, { "okuser", "1.0.0" } };
	char *got = solve(&e, ok, 2);
	assert_string_equal(got, "liba@1.2.3 libb@0.4.0 okuser@1.0.0 reg@1.4.0 reg2@2.1.5");
	free(got);

	struct knit_dep bad[] = { { "liba", a }, { "user", "1.0.0" } };
	got = solve(&e, bad, 2);
	char code[32];
	snprintf(code, sizeof(code), "error %d: ", KNIT_ENOSOLUTION);
	if (strncmp(got, code, strlen(code)) || !strstr(got, "user") || !strstr(got, "liba"))
		fail_msg("want the conflict of user and liba explained, got %s", got);
	free(got);

	/* a registry range from the root on a name a folder holds: the folder's version must fit */
	struct knit_dep fits[] = { { "liba", a }, { "libb", "^0.4.0" } };
	got = solve(&e, fits, 2);
	assert_string_equal(got, "liba@1.2.3 libb@0.4.0 reg@1.4.0 reg2@2.1.5");
	free(got);
	struct knit_dep misses[] = { { "liba", a }, { "libb", "^9.0.0" } };
	got = solve(&e, misses, 2);
	assert_int_equal(strncmp(got, code, strlen(code)), 0); /* the registry's 9.9.9 does not count */
	free(got);
	env_release(&e);
}

static void expect_root_error(struct env *e, const char *name, const char *spec, int want_rc, const char *want)
{
	const char *range = "untouched";
	strbuf_reset(&e->err);
	int rc = knit_specials_root(e->s, name, spec, "app", &range, &e->err);
	if (rc != want_rc || strcmp(e->err.buf, want))
		fail_msg("%s %s: rc %d, %s\n want rc %d, %s", name, spec, rc, e->err.buf, want_rc, want);
	assert_string_equal(range, "untouched");
}

static void two_sources(void **state)
{
	struct env e;
	env_init(&e);
	root(&e, "liba", "file:../libs/liba");
	/* the same folder spelled another way is the same source */
	assert_string_equal(root(&e, "libb", "file:../other/../libs/libb/"), "0.4.0");
	assert_string_equal(knit_specials_find(e.s, "libb")->asked_by, "liba");
	/* another folder, or a git repository, under a name a folder holds: both askers named */
	expect_root_error(&e, "libb", "file:../other/libb", KNIT_EINVALID_ARG,
			  "libb is asked for as 'file:../libb' by liba and as 'file:../other/libb' by app; knit "
			  "installs one copy of each package, so they must agree");
	expect_root_error(&e, "libb", "github:o/libb", KNIT_EINVALID_ARG,
			  "libb is asked for as 'file:../libb' by liba and as 'github:o/libb' by app; knit "
			  "installs one copy of each package, so they must agree");
	env_release(&e);

	/* the other order: the project asked first, liba's ask is the one refused */
	env_init(&e);
	assert_string_equal(root(&e, "libb", "file:../other/libb"), "0.5.0");
	expect_root_error(&e, "liba", "file:../libs/liba", KNIT_EINVALID_ARG,
			  "libb is asked for as 'file:../other/libb' by app and as 'file:../libb' by liba; knit "
			  "installs one copy of each package, so they must agree");
	/* the failed package is not left behind half made */
	assert_null(knit_specials_find(e.s, "liba"));
	assert_non_null(knit_specials_find(e.s, "libb"));
	env_release(&e);
}

static void folder_errors(void **state)
{
	struct env e;
	env_init(&e);
	char want[600];
	snprintf(want, sizeof(want), "nope: file:../nope: no such folder (%s/../nope)", app);
	expect_root_error(&e, "nope", "file:../nope", KNIT_ENOTFOUND, want);
	snprintf(want, sizeof(want), "afile: file:../afile: no such folder (%s/../afile)", app);
	expect_root_error(&e, "afile", "file:../afile", KNIT_ENOTFOUND, want);
	expect_root_error(&e, "app", "file:.", KNIT_EINVALID_ARG, "app: file:. is the project itself");
	expect_root_error(&e, "app", "file:../app/", KNIT_EINVALID_ARG, "app: file:../app/ is the project itself");
	expect_root_error(&e, "named", "file:../named", KNIT_EINVALID_ARG,
			  "named: file:../named names the package 'not-this', not 'named'");
	/* the manifest's own error names the package and its spec, not the folder's path */
	expect_root_error(&e, "broken", "file:../broken", KNIT_EPARSE,
			  "broken (file:../broken): knit.json:1:18: malformed JSON");
	assert_null(knit_specials_find(e.s, "broken"));

	/* no manifest at all: version 0.0.0, no dependencies, the conventions */
	assert_string_equal(root(&e, "bare", "file:../bare"), "0.0.0");
	const struct knit_special *sp = knit_specials_find(e.s, "bare");
	assert_int_equal(sp->version.ndeps, 0);
	assert_false(sp->manifest.c.has_sources);
	/* an absolute path works too, and resolves relative to the project */
	char spec[400];
	snprintf(spec, sizeof(spec), "file:%s/cyca", tmp);
	assert_string_equal(root(&e, "cyca", spec), "1.0.0");
	assert_string_equal(knit_specials_find(e.s, "cyca")->resolved, "file:../cyca");
	env_release(&e);
}

static void cycles(void **state)
{
	struct env e;
	env_init(&e);
	const char *a = root(&e, "cyca", "file:../cyca");
	assert_string_equal(a, "1.0.0");
	const struct knit_special *b = knit_specials_find(e.s, "cycb");
	assert_non_null(b);
	assert_string_equal(b->version.deps[0].name, "cyca");
	assert_string_equal(b->version.deps[0].range, "1.0.0");
	struct knit_dep deps[] = { { "cyca", a } };
	char *got = solve(&e, deps, 1);
	assert_string_equal(got, "cyca@1.0.0 cycb@2.0.0");
	free(got);
	env_release(&e);
}

/*
 * A spec comes from a knit.json, and a git package's knit.json from anyone:
 * shown in a message, a newline in it would split the one-line error and an
 * escape sequence would reach the terminal. Each is shown escaped.
 */
static void hostile_specs(void **state)
{
	struct env e;
	env_init(&e);
	char want[1200];
	snprintf(want, sizeof(want),
		 "libx: file:../no\\x1b[2Jsuch\\nInjected: no such folder (%s/hostile/../no\\x1b[2Jsuch\\nInjected)", tmp);
	expect_root_error(&e, "hostile", "file:../hostile", KNIT_ENOTFOUND, want);

	root(&e, "libb", "file:../libs/libb");
	expect_root_error(&e, "hostile2", "file:../hostile2", KNIT_EINVALID_ARG,
			  "libb is asked for as 'file:../libs/libb' by app and as 'github:o/libb#\\nInjected' by hostile2; "
			  "knit installs one copy of each package, so they must agree");

	/* the folder's own name, in the label its manifest's errors start with */
	expect_root_error(&e, "brk", "file:../br\tk", KNIT_EPARSE, "brk (file:../br\\tk): knit.json:1:15: malformed JSON");
	snprintf(want, sizeof(want), "brk: file:../br\\tk\\n: no such folder (%s/../br\\tk\\n)", app);
	expect_root_error(&e, "brk", "file:../br\tk\n", KNIT_ENOTFOUND, want);
	env_release(&e);
}

/* A project at the file system's root: its folders' paths are relative to '/', with no '..' above it. */
static void project_at_root(void **state)
{
	struct env e;
	env_init(&e);
	knit_specials_free(e.s);
	e.s = knit_specials_new(&e.inner, cache, "/");
	char abs_spec[400], rel_spec[400], want[400];
	snprintf(abs_spec, sizeof(abs_spec), "file:%s/libs/liba", tmp);
	snprintf(rel_spec, sizeof(rel_spec), "file:%s/libs/liba", tmp + 1);
	assert_string_equal(root(&e, "liba", abs_spec), "1.2.3");
	assert_string_equal(knit_specials_find(e.s, "liba")->resolved, rel_spec);
	snprintf(want, sizeof(want), "file:%s/libs/libb", tmp + 1);
	assert_string_equal(knit_specials_find(e.s, "libb")->resolved, want);
	/* what knit.lock holds stands for the spec, written either way */
	assert_true(knit_resolved_matches("/", abs_spec, rel_spec));
	assert_true(knit_resolved_matches("/", rel_spec, rel_spec));
	env_release(&e);
}

/* --- a git repository ------------------------------------------------------------------------ */


static int git_setup(void **state)
{
	if (setup(state))
		return -1;
	test_sh("set -e; export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t;"
	   " git init -q -b main %s; cd %s;"
	   " echo '{\"name\": \"g\", \"version\": \"1.0.0\", \"dependencies\": {\"reg\": \"^1.0.0\"}}' > knit.json;"
	   " git add .; git commit -qm one; git tag v1.0.0;"
	   " echo '{\"name\": \"g\", \"version\": \"1.1.0\", \"dependencies\": {\"libb\": \"file:../libs/libb\"}}'"
	   " > knit.json; git commit -qam two; git tag folder;"
	   " printf '%%s' '{\"name\": \"g\", \"dependencies\": {\"x\": \"file:\\u001b]0;pwned\\u0007\"}}'"
	   " > knit.json; git commit -qam three; git tag hostile",
	   repo, repo);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse v1.0.0", repo);
	test_capture(v1_commit, sizeof(v1_commit), cmd);
	return 0;
}

static void git_packages(void **state)
{
	struct env e;
	env_init(&e);
	char spec[512], want[1600];
	snprintf(spec, sizeof(spec), "git+file://%s#v1.0.0", repo);
	assert_string_equal(root(&e, "g", spec), "1.0.0");
	const struct knit_special *g = knit_specials_find(e.s, "g");
	assert_int_equal(g->kind, KNIT_SPEC_GIT);
	assert_string_equal(g->commit, v1_commit);
	snprintf(want, sizeof(want), "file://%s", repo);
	assert_string_equal(g->url, want);
	snprintf(want, sizeof(want), "git+file://%s#%s", repo, v1_commit);
	assert_string_equal(g->resolved, want);
	assert_true(knit_resolved_matches(app, spec, g->resolved));
	/* the same spec again is the same source; another ref of it is not */
	assert_string_equal(root(&e, "g", spec), "1.0.0");
	char other[512];
	snprintf(other, sizeof(other), "git+file://%s#folder", repo);
	snprintf(want, sizeof(want),
		 "g is asked for as '%s' by app and as '%s' by app; knit installs one copy of each package, so they "
		 "must agree",
		 spec, other);
	expect_root_error(&e, "g", other, KNIT_EINVALID_ARG, want);

	struct knit_dep deps[] = { { "g", "1.0.0" } };
	char *got = solve(&e, deps, 1);
	assert_string_equal(got, "g@1.0.0 reg@1.4.0 reg2@2.2.0");
	free(got);
	env_release(&e);

	/* a git package's folder dependency would name a path on its author's disk */
	env_init(&e);
	snprintf(want, sizeof(want), "g (from %s) depends on libb as 'file:../libs/libb': a git package cannot name "
		 "a folder", other);
	expect_root_error(&e, "g", other, KNIT_EINVALID_ARG, want);
	assert_null(knit_specials_find(e.s, "g"));

	/* what the repository's knit.json says is shown escaped: a terminal title is not set */
	snprintf(other, sizeof(other), "git+file://%s#hostile", repo);
	snprintf(want, sizeof(want), "g (from %s) depends on x as 'file:\\x1b]0;pwned\\x07': a git package cannot name "
		 "a folder", other);
	expect_root_error(&e, "g", other, KNIT_EINVALID_ARG, want);
	env_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds),
		cmocka_unit_test(spec_folder),
		cmocka_unit_test(resolved_git),
		cmocka_unit_test_setup_teardown(resolved_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(folder_packages, setup, teardown),
		cmocka_unit_test_setup_teardown(ranges_on_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(two_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(folder_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_specs, setup, teardown),
		cmocka_unit_test_setup_teardown(project_at_root, setup, teardown),
		cmocka_unit_test_setup_teardown(git_packages, git_setup, teardown),
	};
	return cmocka_run_group_tests_name("sources", tests, registry_setup, registry_teardown);
}
