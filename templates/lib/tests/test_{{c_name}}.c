#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "{{c_name}}.h"

static void greets(void **state)
{
	(void)state;
	char buf[32];
	assert_int_equal({{c_name}}_greet(buf, sizeof(buf), "knit"), 12);
	assert_string_equal(buf, "Hello, knit!");
	assert_int_equal({{c_name}}_greet(buf, 6, NULL), 13); /* cut short, like snprintf */
	assert_string_equal(buf, "Hello");
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(greets) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
