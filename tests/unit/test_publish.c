/*
 * registry/publish on folder registries: versions, tags, deprecation,
 * unpublishing, and publishes from many processes at once losing nothing.
 */
#include "conformance.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_and_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deprecate_unpublish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
	};
	return cmocka_run_group_tests_name("publish", tests, NULL, NULL);
}
