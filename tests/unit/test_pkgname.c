/* util/pkgname: every rule from both sides, the messages, and the paths made from names. */
#include "conformance.h"
#include "util/error.h"
#include "util/pkgname.h"

#include <stdlib.h>
#include <string.h>

static void accept(const char *name)
{
	const char *why = knit_pkgname_check(name);
	if (why)
		fail_msg("'%s' was refused: %s", name, why);
	assert_true(knit_pkgname_valid(name));
}

static void refuse(const char *name, const char *rule)
{
	const char *why = knit_pkgname_check(name);
	if (!why)
		fail_msg("'%s' was taken as valid", name);
	if (strcmp(why, rule))
		fail_msg("'%s': expected \"%s\", got \"%s\"", name, rule, why);
	assert_false(knit_pkgname_valid(name));
}

/* validate-npm-package-name's own cases, valid for new packages there and here */
static void test_npm_valid(void **state)
{
	const char *good[] = { "some-package", "example.com", "under_score", "period.js", "123numeric",
			       "@npm/thingy", "node-downloader-helper", "a", "x1", "@acme/lib.foo",
			       "@a/b", "a.b_c-d", "@_x/y", "@-x/y", "@x/_y", "@x/-y", "@x/node_modules",
			       "a..b", "a.", "a-", "a_",
			       /* core module names: npm refuses them for new packages, knit takes them */
			       "http", "crypto", "zlib", "fs" };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		accept(good[i]);
	char longest[KNIT_PKGNAME_MAX + 1];
	memset(longest, 'a', KNIT_PKGNAME_MAX);
	longest[KNIT_PKGNAME_MAX] = '\0';
	accept(longest);
}

static void test_npm_invalid(void **state)
{
	refuse("", "it is empty");
	refuse(".start-with-period", "it starts with a period");
	refuse(".", "it starts with a period");
	refuse("..", "it starts with a period");
	refuse("_start-with-underscore", "it starts with an underscore");
	refuse("-start-with-hyphen", "it starts with a hyphen");
	refuse(" leading-space", "it has leading or trailing spaces");
	refuse("trailing-space ", "it has leading or trailing spaces");
	refuse("trailing-tab\t", "it has leading or trailing spaces");
	refuse("node_modules", "it is a reserved name");
	refuse("favicon.ico", "it is a reserved name");
	refuse("Node_Modules", "it is a reserved name");
	refuse("CAPITAL-LETTERS", "it has capital letters");
	refuse("jsonStream", "it has capital letters");
	refuse("crazy!", "it has one of the characters ~'!()*");
	refuse("@npm-zors/money!time.js", "it has one of the characters ~'!()*");
	refuse("a~b", "it has one of the characters ~'!()*");
	refuse("a'b", "it has one of the characters ~'!()*");
	refuse("f(x)", "it has one of the characters ~'!()*");
	refuse("a*", "it has one of the characters ~'!()*");
	refuse("contain:colons", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("my app", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("a%2e", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("a@b", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("caf\xc3\xa9", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("s/l/a/s/h/e/s", "it has a '/' but no @scope in front");
	refuse("a/b", "it has a '/' but no @scope in front");
	char longer[KNIT_PKGNAME_MAX + 2];
	memset(longer, 'a', KNIT_PKGNAME_MAX + 1);
	longer[KNIT_PKGNAME_MAX + 1] = '\0';
	refuse(longer, "it is longer than 214 characters");
}

/* knit's own: no control characters, one '/' after a scope, no '.'/'..' components */
static void test_knit_rules(void **state)
{
	refuse("a\nb", "it has control characters");
	refuse("a\x1b[31m", "it has control characters");
	refuse("a\x7f", "it has control characters");
	refuse("../../pwned", "it starts with a period");
	refuse("@x/../../y", "it has more than one '/'");
	refuse("@x/..", "its name after the @scope starts with a period");
	refuse("@x/.", "its name after the @scope starts with a period");
	refuse("@x/.hidden", "its name after the @scope starts with a period");
	refuse("@../x", "its @scope starts with a period");
	refuse("@./x", "its @scope starts with a period");
	refuse("@.x/y", "its @scope starts with a period");
	refuse("@x", "it has an @scope but no '/name' after it");
	refuse("@", "it has an @scope but no '/name' after it");
	refuse("@/x", "its @scope is empty");
	refuse("@x/", "it has no name after its @scope");
	refuse("@x//y", "it has more than one '/'");
	refuse("@a@b/c", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("@a/b@c", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("@s~x/y", "it has one of the characters ~'!()*");
	refuse("@a b/c", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
	refuse("/etc", "it has a '/' but no @scope in front");
	refuse("a\\b", "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)");
}

static void test_require(void **state)
{
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_pkgname_require("ok", &err, "package '%s' depends on ", "evil@1.0.0"), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(knit_pkgname_require("../../pwned", &err, "package '%s' depends on ", "evil@1.0.0"),
			 KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "package 'evil@1.0.0' depends on '../../pwned', which is not a valid "
				     "package name: it starts with a period");
	/* one line, whatever the name holds, and bounded */
	strbuf_reset(&err);
	assert_int_equal(knit_pkgname_require("a\nb\x1b", &err, "x: "), KNIT_EINVALID_ARG);
	assert_string_equal(err.buf, "x: 'a\\x0ab\\x1b', which is not a valid package name: it has control characters");
	char huge[4096];
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	strbuf_reset(&err);
	knit_pkgname_require(huge, &err, "%s", "");
	assert_true(err.len < 200);
	assert_non_null(strstr(err.buf, "aaa...', which"));
	strbuf_release(&err);
}

static void test_path(void **state)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	assert_int_equal(knit_pkgname_path("deps", "foo", NULL, &out, &err), 0);
	assert_string_equal(out.buf, "deps/foo");
	strbuf_reset(&out);
	assert_int_equal(knit_pkgname_path("/p/deps", "@acme/foo", "/bin/x", &out, &err), 0);
	assert_string_equal(out.buf, "/p/deps/@acme/foo/bin/x");
	strbuf_reset(&out);
	assert_int_equal(knit_pkgname_path(NULL, "foo", ".pc", &out, &err), 0);
	assert_string_equal(out.buf, "foo.pc");
	assert_int_equal(err.len, 0);

	const char *bad[] = { "../x", "@x/../../y", "..", ".", "@../x", "@x/..", "a/b", "", "/abs", "@x//y" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		strbuf_reset(&out);
		strbuf_addstr(&out, "kept");
		strbuf_reset(&err);
		assert_int_equal(knit_pkgname_path("deps", bad[i], NULL, &out, &err), KNIT_EINVALID_ARG);
		assert_string_equal(out.buf, "kept"); /* unchanged */
		assert_non_null(strstr(err.buf, "is not a valid package name: "));
		assert_null(strchr(err.buf, '\n'));
	}
	strbuf_reset(&err);
	strbuf_reset(&out);
	knit_pkgname_path("deps", "../x", NULL, &out, &err);
	assert_string_equal(err.buf, "'../x' is not a valid package name: it starts with a period");
	strbuf_release(&out);
	strbuf_release(&err);
}

static void test_up(void **state)
{
	struct strbuf out = STRBUF_INIT;
	knit_pkgname_up("foo", &out);
	assert_string_equal(out.buf, "../");
	strbuf_reset(&out);
	knit_pkgname_up("@acme/foo", &out);
	assert_string_equal(out.buf, "../../");
	strbuf_release(&out);
}

/* arg splits into name and rest (NULL: no '@' of its own) */
static void split_ok(const char *arg, const char *name, const char *rest)
{
	struct strbuf err = STRBUF_INIT;
	char *n;
	const char *r;
	if (knit_spec_split(arg, &n, &r, &err))
		fail_msg("'%s' was refused: %s", arg, err.buf);
	assert_string_equal(n, name);
	if (rest)
		assert_string_equal(r, rest);
	else
		assert_null(r);
	assert_string_equal(err.buf, "");
	free(n);
	strbuf_release(&err);
}

static void split_bad(const char *arg, const char *message)
{
	struct strbuf err = STRBUF_INIT;
	char *n = (char *)"untouched";
	const char *r = "untouched";
	assert_int_equal(knit_spec_split(arg, &n, &r, &err), KNIT_EINVALID_ARG);
	assert_null(n);
	assert_null(r);
	assert_string_equal(err.buf, message);
	assert_null(strchr(err.buf, '\n'));
	strbuf_release(&err);
}

static void test_spec_split(void **state)
{
	split_ok("foo", "foo", NULL);
	split_ok("foo@^1.2.0", "foo", "^1.2.0");
	split_ok("foo@latest", "foo", "latest");
	split_ok("foo@", "foo", "");
	split_ok("@acme/foo", "@acme/foo", NULL);
	split_ok("@acme/foo@1.x", "@acme/foo", "1.x");
	split_ok("@acme/foo@", "@acme/foo", "");
	/* the rest keeps its own '@'s */
	split_ok("foo@git+ssh://git@host/foo.git#v1", "foo", "git+ssh://git@host/foo.git#v1");
	split_ok("foo@@", "foo", "@");

	/* defect 2: "" was read past its end (strchr from arg + 1) */
	split_bad("", "'' is not a valid package name: it is empty");
	split_bad("@", "'@' is not a valid package name: it has an @scope but no '/name' after it");
	split_bad("@@", "'@@': '@' is not a valid package name: it has an @scope but no '/name' after it");
	split_bad("@scope", "'@scope' is not a valid package name: it has an @scope but no '/name' after it");
	split_bad("@scope/", "'@scope/' is not a valid package name: it has no name after its @scope");
	split_bad("@scope/@1", "'@scope/@1': '@scope/' is not a valid package name: it has no name after its @scope");
	split_bad("@scope@1", "'@scope@1': '@scope' is not a valid package name: it has an @scope but no '/name' after it");
	split_bad("@/x", "'@/x' is not a valid package name: its @scope is empty");
	split_bad("Foo@^1", "'Foo@^1': 'Foo' is not a valid package name: it has capital letters");
	split_bad("../x@1", "'../x@1': '../x' is not a valid package name: it starts with a period");
	split_bad("a\nb", "'a\\x0ab' is not a valid package name: it has control characters");
	/* a source without the name it binds */
	split_bad("github:acme/foo", "'github:acme/foo' needs the package's name in front: <name>@github:acme/foo");
	split_bad("git+ssh://git@host/foo.git",
		  "'git+ssh://git@host/foo.git' needs the package's name in front: <name>@git+ssh://git@host/foo.git");
	split_bad("file:../foo", "'file:../foo' needs the package's name in front: <name>@file:../foo");

	/* a megabyte: refused in a line of some 120 bytes, the argument cut after 64 */
	size_t mb = 1u << 20;
	char *big = malloc(mb + 3);
	memset(big, 'a', mb);
	big[mb] = '\0';
	struct strbuf err = STRBUF_INIT;
	char *n;
	const char *r;
	assert_int_equal(knit_spec_split(big, &n, &r, &err), KNIT_EINVALID_ARG);
	assert_true(err.len < 200);
	assert_non_null(strstr(err.buf, "...' is not a valid package name: it is longer than 214 characters"));
	strbuf_reset(&err);
	memcpy(big, "x@", 2); /* a short name and a megabyte of range: the range is the command's to judge */
	assert_int_equal(knit_spec_split(big, &n, &r, &err), 0);
	assert_string_equal(n, "x");
	assert_int_equal(strlen(r), mb - 2);
	free(n);
	big[0] = '@';
	big[1] = 's';
	big[2] = '/'; /* @s/aaaa...: a scoped name of a megabyte */
	assert_int_equal(knit_spec_split(big, &n, &r, &err), KNIT_EINVALID_ARG);
	assert_true(err.len < 200);
	strbuf_release(&err);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_npm_valid),
		cmocka_unit_test(test_npm_invalid),
		cmocka_unit_test(test_knit_rules),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_up),
		cmocka_unit_test(test_spec_split),
	};
	return cmocka_run_group_tests_name("pkgname", tests, NULL, NULL);
}
