/* util/url: what is kept, what is percent-encoded. */
#include "conformance.h"
#include "util/url.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_encode) };
	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
