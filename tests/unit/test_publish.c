/*
 * registry/publish on folder registries: versions, tags, deprecation,
 * unpublishing, and publishes from many processes at once losing nothing;
 * and project/pack's knit_pack_publish_req, which refuses what a
 * registry's users could not install before anything is sent.
 */
#include "conformance.h"
#include "project/pack.h"
#include "registry/folder.h"
#include "registry/publish.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[256], url[300];
static struct knit_config cfg;

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/knit-test-publish-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(url, sizeof(url), "file://%s", root);
	memset(&cfg, 0, sizeof(cfg));
	return 0;
}

static int teardown(void **state)
{
	knit_remove_tree(root);
	return 0;
}

static int publish(const char *name, const char *version, const char *tag, struct strbuf *err)
{
	char manifest[256], tgz[64];
	snprintf(manifest, sizeof(manifest), "{\"name\": \"%s\", \"version\": \"%s\", \"description\": \"v%s\"}",
		 name, version, version);
	snprintf(tgz, sizeof(tgz), "tarball of %s", version);
	struct knit_publish_req req = { .name = name, .version = version, .tag = tag, .manifest_json = manifest,
					.tgz = tgz, .tgz_len = strlen(tgz), .integrity = "sha512-x", .shasum = "00" };
	struct strbuf tarball = STRBUF_INIT;
	int rc = knit_publish(&cfg, NULL, url, &req, &tarball, err);
	strbuf_release(&tarball);
	return rc;
}

static cJSON *document(const char *name)
{
	cJSON *doc = NULL;
	struct strbuf err = STRBUF_INIT;
	int rc = knit_registry_document(&cfg, NULL, url, name, false, &doc, &err);
	strbuf_release(&err);
	return rc ? NULL : doc;
}

static const char *tag(const cJSON *doc, const char *t)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "dist-tags"), t);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_publish_and_tags(void **state)
{
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(publish("@acme/foo", "1.0.0", NULL, &err), 0);
	assert_int_equal(publish("@acme/foo", "1.1.0", "beta", &err), 0);
	assert_int_equal(publish("@acme/foo", "1.0.0", NULL, &err), KNIT_EEXIST);
	assert_non_null(strstr(err.buf, "@acme/foo@1.0.0 is already in"));
	strbuf_reset(&err);
	assert_int_equal(publish("@acme/foo", "1.2.0", "1.x", &err), KNIT_EINVALID_ARG); /* a range is no tag */

	char path[512];
	snprintf(path, sizeof(path), "%s/@acme/foo/-/foo-1.1.0.tgz", root);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);

	cJSON *doc = document("@acme/foo");
	assert_non_null(doc);
	assert_string_equal(tag(doc, "latest"), "1.0.0");
	assert_string_equal(tag(doc, "beta"), "1.1.0");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "versions"), "1.1.0"), "dist"), "tarball");
	char want[600];
	snprintf(want, sizeof(want), "file://%s/@acme/foo/-/foo-1.1.0.tgz", root);
	assert_string_equal(tb->valuestring, want);
	cJSON_Delete(doc);

	assert_int_equal(knit_dist_tag_set(&cfg, NULL, url, "@acme/foo", "next", "1.1.0", &err), 0);
	assert_int_equal(knit_dist_tag_set(&cfg, NULL, url, "@acme/foo", "next", "9.9.9", &err), KNIT_ENOTFOUND);
	assert_int_equal(knit_dist_tag_set(&cfg, NULL, url, "@acme/foo", "latest", NULL, &err), KNIT_EINVALID_ARG);
	assert_int_equal(knit_dist_tag_set(&cfg, NULL, url, "@acme/foo", "next", NULL, &err), 0);
	doc = document("@acme/foo");
	assert_null(tag(doc, "next"));
	cJSON_Delete(doc);
	strbuf_release(&err);
}

static void test_deprecate_unpublish(void **state)
{
	struct strbuf err = STRBUF_INIT;
	size_t n;
	assert_int_equal(publish("bar", "1.0.0", NULL, &err), 0);
	assert_int_equal(publish("bar", "2.0.0", NULL, &err), 0);
	assert_int_equal(publish("bar", "2.1.0-rc.1", "next", &err), 0);
	assert_int_equal(knit_deprecate(&cfg, NULL, url, "bar", ">=2", "old", &n, &err), 0);
	assert_int_equal(n, 2); /* 2.0.0 and the prerelease */
	assert_int_equal(knit_deprecate(&cfg, NULL, url, "bar", "^9", "x", &n, &err), KNIT_ENOMATCH);
	assert_int_equal(knit_deprecate(&cfg, NULL, url, "bar", "2.0.0", "", &n, &err), 0);
	cJSON *doc = document("bar");
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(doc, "versions");
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(versions, "2.0.0"), "deprecated"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(versions, "2.1.0-rc.1"),
							     "deprecated")->valuestring, "old");
	cJSON_Delete(doc);

	/* latest goes away: it moves to the highest left, and the tag on the version goes */
	assert_int_equal(knit_unpublish(&cfg, NULL, url, "bar", "2.0.0", &err), 0);
	assert_int_equal(knit_unpublish(&cfg, NULL, url, "bar", "2.1.0-rc.1", &err), 0);
	doc = document("bar");
	assert_string_equal(tag(doc, "latest"), "1.0.0");
	assert_null(tag(doc, "next"));
	cJSON_Delete(doc);
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/bar/-/bar-2.0.0.tgz", root);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_equal(knit_unpublish(&cfg, NULL, url, "bar", "2.0.0", &err), KNIT_ENOTFOUND);
	/* the last version takes the package */
	assert_int_equal(knit_unpublish(&cfg, NULL, url, "bar", "1.0.0", &err), 0);
	assert_null(document("bar"));
	assert_int_equal(knit_unpublish(&cfg, NULL, url, "nothere", "1.0.0", &err), KNIT_ENOTFOUND);
	strbuf_release(&err);
}

/* Sixteen processes publish sixteen versions at once: the lock loses none. */
static void test_concurrent(void **state)
{
	enum { N = 16 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char v[32];
			struct strbuf err = STRBUF_INIT;
			snprintf(v, sizeof(v), "1.0.%d", i);
			_exit(publish("many", v, NULL, &err) ? 1 : 0);
		}
	}
	for (int i = 0; i < N; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	cJSON *doc = document("many");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "versions")), N);
	cJSON_Delete(doc);
}

static void test_bad_names(void **state)
{
	struct strbuf err = STRBUF_INIT;
	/* a refused version leaves no tarball behind */
	struct knit_publish_req req = { .name = "odd", .version = "1.0.0", .manifest_json = "[1]", .tgz = "x",
					.tgz_len = 1, .integrity = "sha512-x", .shasum = "00" };
	struct strbuf tarball = STRBUF_INIT;
	assert_int_equal(knit_publish(&cfg, NULL, url, &req, &tarball, &err), KNIT_EINVALID_ARG);
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/odd/-/odd-1.0.0.tgz", root);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/odd/index.json", root);
	assert_int_not_equal(stat(path, &st), 0);
	strbuf_release(&tarball);
	strbuf_reset(&err);
	assert_int_equal(publish("../escape", "1.0.0", NULL, &err), KNIT_EINVALID_ARG);
	cJSON *doc;
	assert_int_equal(knit_registry_document(&cfg, NULL, url, "..", false, &doc, &err), KNIT_EINVALID_ARG);
	strbuf_reset(&err);
	assert_int_equal(knit_folder_root("file://relative/x", &err, &err), KNIT_EINVALID_ARG);
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(knit_folder_root("file:///a%20b/reg/", &out, &err), 0);
	assert_string_equal(out.buf, "/a b/reg");
	strbuf_reset(&out);
	knit_folder_url("/a b/@s/x", &out);
	assert_string_equal(out.buf, "file:///a%20b/@s/x");
	strbuf_release(&out);
	strbuf_release(&err);
}

/* Packs a project whose knit.json is json, in <root>/work/<dir>. */
static void pack_project(const char *dir, const char *json, struct knit_pack *p)
{
	char path[512];
	struct strbuf err = STRBUF_INIT;
	bool changed;
	snprintf(path, sizeof(path), "%s/work/%s/knit.json", root, dir);
	assert_int_equal(knit_make_parents(path), 0);
	assert_int_equal(knit_write_file_atomic(path, json, strlen(json), &changed, &err), 0);
	*strrchr(path, '/') = '\0';
	if (knit_pack_make(p, path, NULL, &err))
		fail_msg("%s", err.buf);
	strbuf_release(&err);
}

/* knit_pack_publish_req on knit.json: its error code and message, "" when it passes. */
static int check(const char *json, const char *tag, struct strbuf *err)
{
	struct knit_pack p;
	struct knit_publish_req req = { .name = "untouched" };
	struct strbuf sri = STRBUF_INIT;
	pack_project("checked", json, &p);
	strbuf_reset(err);
	int rc = knit_pack_publish_req(&p, tag, &req, &sri, err);
	if (rc) {
		assert_string_equal(req.name, "untouched");
		assert_int_equal(sri.len, 0);
	}
	knit_pack_release(&p);
	strbuf_release(&sri);
	return rc;
}

static void test_refusals(void **state)
{
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(check("{\"name\": \"@acme/secret\", \"version\": \"1.0.0\", \"private\": true}", NULL, &err),
			 KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "knit.json: @acme/secret is \"private\": true, so it is never published");
	/* a tag changes nothing for a private package */
	assert_int_equal(check("{\"name\": \"secret\", \"version\": \"1.0.0\", \"private\": true}", "next", &err),
			 KNIT_EINVALID_ARG);
	assert_non_null(strstr(err.buf, "secret is \"private\": true"));

	assert_int_equal(check("{\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": "
			       "{\"liba\": \"^1.0.0\", \"libb\": \"file:../libb\"}}", NULL, &err), KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "knit.json: dependency 'libb' is 'file:../libb', which the package's users could "
				     "not install; publish libb and depend on a version of it");
	assert_int_equal(check("{\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": "
			       "{\"libg\": \"git+https://example.com/libg.git#v1\"}}", "next", &err), KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "knit.json: dependency 'libg' is 'git+https://example.com/libg.git#v1', which the "
				     "package's users could not install; publish libg and depend on a version of it");

	assert_int_equal(check("{\"name\": \"@acme/pre\", \"version\": \"2.0.0-rc.1\"}", NULL, &err), KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "@acme/pre@2.0.0-rc.1 is a pre-release: give it a tag with --tag (next, beta, "
				     "...) so that 'latest' stays on a release, or --tag latest if it should be");
	/* with a tag, even "latest", it goes */
	assert_int_equal(check("{\"name\": \"@acme/pre\", \"version\": \"2.0.0-rc.1\"}", "next", &err), 0);
	assert_int_equal(check("{\"name\": \"@acme/pre\", \"version\": \"2.0.0-rc.1\"}", "latest", &err), 0);
	/* the version is the cleaned one: "v1.0.0" is a release */
	assert_int_equal(check("{\"name\": \"clean\", \"version\": \"v1.0.0\"}", NULL, &err), 0);
	/* devDependencies are the author's: they may be anywhere */
	assert_int_equal(check("{\"name\": \"dev\", \"version\": \"1.0.0\", \"devDependencies\": "
			       "{\"tool\": \"git+file:///x.git\", \"near\": \"file:../near\"}}", NULL, &err), 0);
	strbuf_release(&err);
}

/* A package that passes: the request carries the pack, and publishes. */
static void test_valid_publish(void **state)
{
	struct knit_pack p;
	struct knit_publish_req req;
	struct strbuf sri = STRBUF_INIT, err = STRBUF_INIT, tarball = STRBUF_INIT;
	pack_project("ok", "{\"name\": \"@acme/ok\", \"version\": \"1.2.3\", \"description\": \"fine\", "
		     "\"dependencies\": {\"liba\": \"^1.0.0\", \"libb\": \"beta\"}}", &p);
	assert_int_equal(knit_pack_publish_req(&p, NULL, &req, &sri, &err), 0);
	assert_string_equal(req.name, "@acme/ok");
	assert_string_equal(req.version, "1.2.3");
	assert_null(req.tag);
	assert_ptr_equal(req.tgz, p.tgz.buf);
	assert_int_equal(req.tgz_len, p.tgz.len);
	assert_string_equal(req.shasum, p.shasum);
	assert_ptr_equal(req.integrity, sri.buf);
	assert_int_equal(strncmp(req.integrity, "sha512-", 7), 0);
	assert_non_null(strstr(req.manifest_json, "\"description\": \"fine\""));

	assert_int_equal(knit_publish(&cfg, NULL, url, &req, &tarball, &err), 0);
	cJSON *doc = document("@acme/ok");
	assert_non_null(doc);
	assert_string_equal(tag(doc, "latest"), "1.2.3");
	const cJSON *dist = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "versions"), "1.2.3"), "dist");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(dist, "integrity")->valuestring, sri.buf);
	cJSON_Delete(doc);
	knit_pack_release(&p);
	strbuf_release(&sri);
	strbuf_release(&err);
	strbuf_release(&tarball);
}

/* Leaves the stack below the caller's frame full of junk, as a long run would. */
static void __attribute__((noinline)) poison_stack(void)
{
	volatile unsigned char junk[32768];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

static int __attribute__((noinline)) deprecate_at(struct knit_fetch *f, const char *registry, struct strbuf *err)
{
	size_t n;
	return knit_deprecate(&cfg, f, registry, "libx", "*", "old", &n, err);
}

static int __attribute__((noinline)) unpublish_at(struct knit_fetch *f, const char *registry, struct strbuf *err)
{
	return knit_unpublish(&cfg, f, registry, "libx", "1.0.0", err);
}

/*
 * An HTTP registry that never answers: deprecate and unpublish fail on the
 * document they ask for first, with its error, and free nothing they did
 * not get (they once freed a pointer never set).
 */
static void test_http_unreachable(void **state)
{
	struct knit_fetch_opts opts = { .retries = -1, .connect_timeout_ms = 2000 };
	struct knit_fetch *f = knit_fetch_new(&opts);
	struct strbuf err = STRBUF_INIT;
	poison_stack();
	assert_int_equal(deprecate_at(f, "http://127.0.0.1:9", &err), KNIT_EIO);
	assert_non_null(strstr(err.buf, "libx: http://127.0.0.1:9/libx?write=true: "));
	strbuf_reset(&err);
	poison_stack();
	assert_int_equal(unpublish_at(f, "http://127.0.0.1:9", &err), KNIT_EIO);
	assert_non_null(strstr(err.buf, "libx: http://127.0.0.1:9/libx?write=true: "));
	strbuf_release(&err);
	knit_fetch_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_and_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deprecate_unpublish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_valid_publish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_unreachable, setup, teardown),
	};
	return cmocka_run_group_tests_name("publish", tests, NULL, NULL);
}
