/* util/redact: credentials hidden in URLs and messages, everything else kept. */
#include "conformance.h"
#include "util/redact.h"

static void url_is(const char *url, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	knit_redact_url(url, &out);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void test_url(void **state)
{
	(void)state;
	url_is("http://alice:secret@127.0.0.1:8080/x", "http://alice:***@127.0.0.1:8080/x");
	url_is("https://ghp_TOKEN@github.com/org/repo.git", "https://***@github.com/org/repo.git");
	url_is("git+https://u:p%40ss@host/a@b", "git+https://u:***@host/a@b");
	url_is("http://a:p@ss@host/", "http://a:***@host/"); /* the last '@' ends the userinfo */
	url_is("ssh://git@github.com/org/repo.git", "ssh://git@github.com/org/repo.git");
	url_is("git+ssh://git:pw@host/r", "git+ssh://git:***@host/r");
	url_is("http://127.0.0.1/@scope%2fname", "http://127.0.0.1/@scope%2fname");
	url_is("file:///srv/reg", "file:///srv/reg");
	url_is("not a url", "not a url");
}

static void msg_is(const char *msg, const char *want)
{
	struct strbuf m = STRBUF_INIT;
	strbuf_addstr(&m, msg);
	knit_redact(&m);
	assert_string_equal(m.buf, want);
	strbuf_release(&m);
}

static void test_message(void **state)
{
	(void)state;
	msg_is("cannot fetch x@1.0.0: http://alice:secret@127.0.0.1:9/x/-/x-1.0.0.tgz: Couldn't connect",
	       "cannot fetch x@1.0.0: http://alice:***@127.0.0.1:9/x/-/x-1.0.0.tgz: Couldn't connect");
	msg_is("registry 'https://tok@host/' and 'http://u:p@h/'", "registry 'https://***@host/' and 'http://u:***@h/'");
	msg_is("//host/:_authToken=abc.def-123 set", "//host/:_authToken=*** set");
	msg_is("sent Authorization: Bearer abc123", "sent Authorization: Bearer ***");
	msg_is("sent authorization: token1234", "sent authorization: ***");
	msg_is("//h/:_auth=YWxpY2U6c2VjcmV0", "//h/:_auth=***");
	/* words that only look like keys stay */
	msg_is("basic auth is refused; Bearer", "basic auth is refused; Bearer");
	msg_is("x@1.0.0 is not in the store", "x@1.0.0 is not in the store");
	msg_is("", "");
}

static void test_secrets(void **state)
{
	(void)state;
	knit_redact_add_secret("s3cr3t-token");
	knit_redact_add_secret("abc"); /* too short to hide */
	knit_redact_add_secret("s3cr3t-token");
	msg_is("the token s3cr3t-token was refused; s3cr3t-token", "the token *** was refused; ***");
	msg_is("abc", "abc");
	knit_redact_forget();
	msg_is("s3cr3t-token", "s3cr3t-token");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_secrets),
	};
	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
