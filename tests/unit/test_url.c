/* util/url: what is kept, what is percent-encoded, and what a registry value means. */
#include "conformance.h"
#include "util/error.h"
#include "util/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_encode(void **state)
{
	struct strbuf out = STRBUF_INIT;
	knit_url_encode("a-Z_0.9~ b/c@d+e%\xc3\xa9", "", &out);
	assert_string_equal(out.buf, "a-Z_0.9~%20b%2Fc%40d%2Be%25%C3%A9");
	strbuf_reset(&out);
	knit_url_encode("/srv/my reg/@acme/x+y", "/@+", &out);
	assert_string_equal(out.buf, "/srv/my%20reg/@acme/x+y");
	strbuf_release(&out);
}

static void registry_is(const char *value, const char *want)
{
	struct strbuf url = STRBUF_INIT, err = STRBUF_INIT;
	int rc = knit_url_registry(value, "--registry", &url, &err);
	if (!want) {
		assert_int_equal(rc, KNIT_EINVALID_ARG);
		if (!strstr(err.buf, "is not an http://, https:// or file:// URL, or a folder's path"))
			fail_msg("'%s': %s", value, err.buf);
	} else if (rc || strcmp(url.buf, want)) {
		fail_msg("'%s': expected %s, got %d %s (%s)", value, want, rc, url.buf, err.buf);
	}
	strbuf_release(&url);
	strbuf_release(&err);
}

static void test_registry(void **state)
{
	(void)state;
	char *cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	char want[8192];
	registry_is("http://127.0.0.1:4873", "http://127.0.0.1:4873");
	registry_is("https://registry.npmjs.org/", "https://registry.npmjs.org/");
	registry_is("file:///srv/reg", "file:///srv/reg");
	registry_is("/srv/my reg", "file:///srv/my%20reg");
	snprintf(want, sizeof(want), "file://%s/reg", cwd);
	registry_is("./reg", want);
	registry_is(".//./reg", want);
	snprintf(want, sizeof(want), "file://%s", cwd);
	registry_is(".", want);
	snprintf(want, sizeof(want), "file://%s/../reg", cwd);
	registry_is("../reg", want);
	registry_is("reg", NULL);
	registry_is("", NULL);
	registry_is("ftp://x", NULL);
	registry_is("@scope/", NULL);
	free(cwd);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_encode), cmocka_unit_test(test_registry) };
	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
