/* util/dynlib: libraries loaded on first use, and a clear exit when one is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/lazy.h"
#include "util/dynlib.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void loads_on_first_call(void **state)
{
	(void)state;
	assert_false(knit_dynlib_loaded(&knit_libcurl));
	/* a forwarder with a variadic argument of each kind libcurl reads */
	CURL *e = curl_easy_init();
	assert_non_null(e);
	assert_true(knit_dynlib_loaded(&knit_libcurl));
	assert_int_equal(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 1234L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(e, CURLOPT_URL, "http://127.0.0.1:9/"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)e), CURLE_OK);
	assert_int_equal(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 40), CURLE_OK);
	char *priv = NULL;
	assert_int_equal(curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv), CURLE_OK);
	assert_ptr_equal(priv, (char *)e);
	/* an unknown option number is refused by libcurl itself, not misread */
	assert_int_not_equal(curl_easy_setopt(e, (CURLoption)9999, 1L), CURLE_OK);
	curl_easy_cleanup(e);
	assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
}

/* Runs fn in a child; returns its exit status and what it wrote on stderr. */
static int in_child(void (*fn)(void), char *msg, size_t size)
{
	int out[2];
	assert_int_equal(pipe(out), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 2);
		fn();
		_exit(0); /* not reached when fn exits as it should */
	}
	close(out[1]);
	memset(msg, 0, size);
	ssize_t n = read(out[0], msg, size - 1);
	close(out[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(n > 0);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void load_missing_library(void)
{
	struct knit_dynlib lib = KNIT_DYNLIB_INIT("libknit-no-such.so.9", "for the test");
	knit_dynlib_symbol(&lib, "anything");
}

static void load_missing_symbol(void)
{
	knit_dynlib_symbol(&knit_libcurl, "curl_no_such_function");
}

static void missing_library_exits_127_naming_it(void **state)
{
	(void)state;
	char msg[512];
	assert_int_equal(in_child(load_missing_library, msg, sizeof(msg)), 127);
	assert_non_null(strstr(msg, "knit: fatal: cannot load libknit-no-such.so.9, needed for the test"));
	char *newline = strchr(msg, '\n'); /* one line */
	assert_non_null(newline);
	assert_int_equal(newline[1], '\0');
}

static void missing_symbol_exits_127_naming_it(void **state)
{
	(void)state;
	char msg[512];
	assert_int_equal(in_child(load_missing_symbol, msg, sizeof(msg)), 127);
	assert_non_null(strstr(msg, "has no curl_no_such_function"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_on_first_call),
		cmocka_unit_test(missing_library_exits_127_naming_it),
		cmocka_unit_test(missing_symbol_exits_127_naming_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
