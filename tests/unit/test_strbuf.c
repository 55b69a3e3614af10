#include "conformance.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void test_strbuf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "knit");
	strbuf_addch(&sb, ' ');
	strbuf_addf(&sb, "%d.%d.%d", 0, 1, 0);
	assert_string_equal(sb.buf, "knit 0.1.0");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%04d", i);
	assert_int_equal(sb.len, 10 + 4000);
	strbuf_setlen(&sb, 4);
	assert_string_equal(sb.buf, "knit");
	size_t len;
	char *owned = strbuf_detach(&sb, &len);
	assert_int_equal(len, 4);
	assert_string_equal(sb.buf, "");
	free(owned);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_strbuf) };
	return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
