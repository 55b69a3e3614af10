#define _GNU_SOURCE /* memmem */
/* The server's HTTP handling, without a network: tests/ is built by CMake and run by CTest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http.h"

static size_t run(const char *in, struct http_buf *out, bool *close)
{
	out->len = 0;
	return http_handle(in, strlen(in), out, close);
}

static bool contains(const struct http_buf *b, const char *s)
{
	return b->len >= strlen(s) && memmem(b->data, b->len, s, strlen(s)) != NULL;
}

static int count(const struct http_buf *b, const char *s)
{
	int n = 0;
	for (const char *p = b->data; (p = memmem(p, b->len - (size_t)(p - b->data), s, strlen(s))); p++)
		n++;
	return n;
}

static void hello(void **state)
{
	(void)state;
	struct http_buf out = { 0 };
	bool close;
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	assert_int_equal(run(req, &out, &close), strlen(req));
	assert_false(close);
	assert_true(contains(&out, "HTTP/1.1 200 OK\r\n"));
	assert_true(contains(&out, "Content-Length: 13\r\n"));
	assert_true(contains(&out, "\r\n\r\nHello, World!"));
	http_buf_release(&out);
}

static void pipelined_and_partial(void **state)
{
	(void)state;
	struct http_buf out = { 0 };
	bool close;
	const char *two = "GET / HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\nGET / HTT";
	size_t used = run(two, &out, &close);
	assert_int_equal(used, strlen(two) - strlen("GET / HTT")); /* the partial one waits */
	assert_int_equal(count(&out, "HTTP/1.1 200 OK"), 1);
	assert_int_equal(count(&out, "HTTP/1.1 404 Not Found"), 1);
	assert_true(strstr(out.data, "200 OK") < strstr(out.data, "404")); /* in order */
	http_buf_release(&out);
}

static void keep_alive_rules(void **state)
{
	(void)state;
	struct http_buf out = { 0 };
	bool close;
	run("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &out, &close);
	assert_true(close);
	assert_true(contains(&out, "Connection: close"));
	run("GET / HTTP/1.0\r\n\r\n", &out, &close);
	assert_true(close);
	run("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &out, &close);
	assert_false(close);
	assert_true(contains(&out, "Connection: keep-alive"));
	http_buf_release(&out);
}

static void bodies_and_methods(void **state)
{
	(void)state;
	struct http_buf out = { 0 };
	bool close;
	const char *post = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
	assert_int_equal(run(post, &out, &close), strlen(post));
	assert_true(contains(&out, "405 Method Not Allowed"));
	assert_true(contains(&out, "Allow: GET, HEAD"));
	assert_int_equal(run("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel", &out, &close), 0);
	run("HEAD / HTTP/1.1\r\n\r\n", &out, &close);
	assert_true(contains(&out, "Content-Length: 13"));
	assert_false(contains(&out, "Hello"));
	run("GET /?q=1 HTTP/1.1\r\n\r\n", &out, &close);
	assert_true(contains(&out, "Hello, World!"));
	http_buf_release(&out);
}

static void malformed(void **state)
{
	(void)state;
	const char *bad[][2] = {
		{ "GARBAGE\r\n\r\n", "400 Bad Request" },
		{ "GET  / HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nName : v\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "400 Bad Request" },
		{ "GET / HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported" },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "501 Not Implemented" },
		{ "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", "413 Content Too Large" },
		{ "GET http://x/ HTTP/1.1\r\n\r\n", "400 Bad Request" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_buf out = { 0 };
		bool close;
		assert_int_equal(run(bad[i][0], &out, &close), strlen(bad[i][0]));
		assert_true(close);
		if (!contains(&out, bad[i][1]))
			fail_msg("case %zu: no '%s'", i, bad[i][1]);
		http_buf_release(&out);
	}
	/* headers that never end */
	char big[HTTP_MAX_HEADER + 10];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	struct http_buf out = { 0 };
	bool close;
	run(big, &out, &close);
	assert_true(close);
	assert_true(contains(&out, "431"));
	http_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello),
		cmocka_unit_test(pipelined_and_partial),
		cmocka_unit_test(keep_alive_rules),
		cmocka_unit_test(bodies_and_methods),
		cmocka_unit_test(malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
