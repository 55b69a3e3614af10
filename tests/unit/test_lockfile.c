/*
 * knit.lock: the exact bytes written, reading them back, every malformed
 * input giving one line that names the file and the place, and atomic,
 * change-only writes.
 */
#include "conformance.h"
#include "resolver/lockfile.h"
#include "util/error.h"
#include "util/fs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const golden =
	"{\n"
	"  \"lockfileVersion\": 1,\n"
	"  \"packages\": {\n"
	"    \"@acme/libfoo\": {\n"
	"      \"dependencies\": {},\n"
	"      \"integrity\": \"sha512-AAAA\",\n"
	"      \"resolved\": \"https://registry.example/@acme/libfoo/-/libfoo-1.0.0.tgz\",\n"
	"      \"version\": \"1.0.0\"\n"
	"    },\n"
	"    \"libbar\": {\n"
	"      \"dependencies\": {\n"
	"        \"@acme/libfoo\": \"^1.0.0\",\n"
	"        \"libz\": \"~2 || 3.x\"\n"
	"      },\n"
	"      \"integrity\": \"sha512-BBBB\",\n"
	"      \"resolved\": \"file:../libbar\",\n"
	"      \"version\": \"2.1.0\"\n"
	"    },\n"
	"    \"libz\": {\n"
	"      \"dependencies\": {},\n"
	"      \"version\": \"3.0.0\"\n"
	"    }\n"
	"  },\n"
	"  \"root\": {\n"
	"    \"dependencies\": {\n"
	"      \"libbar\": \"^2.0.0\"\n"
	"    },\n"
	"    \"devDependencies\": {},\n"
	"    \"overrides\": {\n"
	"      \"libz\": \"3.0.0\"\n"
	"    }\n"
	"  }\n"
	"}\n";

static void build(struct knit_lockfile *lf)
{
	memset(lf, 0, sizeof(*lf));
	/* added out of order on purpose: the text is sorted */
	knit_lockfile_add(lf, "libz", "3.0.0", NULL, NULL);
	struct knit_lock_pkg *bar = knit_lockfile_add(lf, "libbar", "2.1.0", "file:../libbar", "sha512-BBBB");
	knit_deps_add(&bar->deps, "libz", "~2 || 3.x");
	knit_deps_add(&bar->deps, "@acme/libfoo", "^1.0.0");
	knit_lockfile_add(lf, "@acme/libfoo", "1.0.0",
			  "https://registry.example/@acme/libfoo/-/libfoo-1.0.0.tgz", "sha512-AAAA");
	knit_deps_add(&lf->root_deps, "libbar", "^2.0.0");
	knit_deps_add(&lf->root_overrides, "libz", "3.0.0");
}

static void test_format_is_canonical(void **state)
{
	struct knit_lockfile lf, again;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, err = STRBUF_INIT;
	build(&lf);
	knit_lockfile_format(&lf, &a);
	assert_string_equal(a.buf, golden);

	assert_int_equal(knit_lockfile_parse(&again, a.buf, a.len, "knit.lock", &err), 0);
	knit_lockfile_format(&again, &b);
	assert_string_equal(b.buf, golden);
	const struct knit_lock_pkg *bar = knit_lockfile_find(&again, "libbar");
	assert_non_null(bar);
	assert_string_equal(bar->resolved, "file:../libbar");
	assert_int_equal(bar->deps.n, 2);
	assert_null(knit_lockfile_find(&again, "root"));

	knit_lockfile_release(&lf);
	knit_lockfile_release(&again);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&err);
}

static void expect_error(const char *text, const char *message)
{
	struct knit_lockfile lf;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_lockfile_parse(&lf, text, strlen(text), "knit.lock", &err), KNIT_EPARSE);
	if (strcmp(err.buf, message))
		fail_msg("for %s\n  got:  %s\n  want: %s", text, err.buf, message);
	assert_null(strchr(err.buf, '\n'));
	strbuf_release(&err);
}

static void test_malformed(void **state)
{
	expect_error("{\n  \"lockfileVersion\": 1,\n  \"packages\": {,\n}", "knit.lock:3:16: malformed JSON");
	expect_error("", "knit.lock:1:1: malformed JSON");
	expect_error("[]", "knit.lock: the top level must be an object");
	expect_error("{}", "knit.lock: 'lockfileVersion' is missing or not a number");
	expect_error("{\"lockfileVersion\": 7}", "knit.lock: lockfileVersion 7 is not one this knit reads (it reads 1)");
	expect_error("{\"lockfileVersion\": 1, \"packages\": {\"a\": {}}}",
		     "knit.lock: package 'a' needs a string 'version'");
	expect_error("{\"lockfileVersion\": 1, \"packages\": {\"a\": {\"version\": 1}}}",
		     "knit.lock: package 'a' needs a string 'version' and string 'resolved' and 'integrity'");
	expect_error("{\"lockfileVersion\": 1, \"packages\": {\"a\": {\"version\": \"1.0.0\", "
		     "\"dependencies\": {\"b\": 2}}}}",
		     "knit.lock: 'packages.a.dependencies.b' must be a string");
	/* names become folders under deps/: each one checked (t0700 shows the attack) */
	expect_error("{\"lockfileVersion\": 1, \"packages\": {\"../../x\": {\"version\": \"1.0.0\"}}}",
		     "knit.lock: 'packages' names '../../x', which is not a valid package name: it starts with a period");
	expect_error("{\"lockfileVersion\": 1, \"packages\": {\"a\": {\"version\": \"1.0.0\", "
		     "\"dependencies\": {\"@x/../y\": \"1.0.0\"}}}}",
		     "knit.lock: package 'a' depends on '@x/../y', which is not a valid package name: it has more than one '/'");
	/* the name first: a message never prints an unchecked name raw */
	expect_error("{\"lockfileVersion\": 1, \"packages\": {\"a\": {\"version\": \"1.0.0\", "
		     "\"dependencies\": {\"b\\nc\": 2}}}}",
		     "knit.lock: package 'a' depends on 'b\\x0ac', which is not a valid package name: it has control characters");
	expect_error("{\"lockfileVersion\": 1, \"root\": {\"devDependencies\": {\"A\": \"1\"}}}",
		     "knit.lock: 'root.devDependencies' names 'A', which is not a valid package name: it has capital letters");
	expect_error("{\"lockfileVersion\": 1, \"root\": {\"overrides\": {\"a\\u001bb\": \"1\"}}}",
		     "knit.lock: 'root.overrides' names 'a\\x1bb', which is not a valid package name: it has control characters");
	expect_error("{\"lockfileVersion\": 1, \"root\": []}", "knit.lock: 'root' must be an object");
	expect_error("{\"lockfileVersion\": 1, \"root\": {\"overrides\": \"x\"}}",
		     "knit.lock: 'root.overrides' must be an object of name to range");
}

static size_t count_entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_atomic_change_only_writes(void **state)
{
	char dir[] = "/tmp/knit-lock-XXXXXX";
	char path[64];
	struct knit_lockfile lf;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	bool changed;
	struct stat st1, st2;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/knit.lock", dir);
	build(&lf);
	assert_int_equal(knit_lockfile_write(&lf, path, &changed, &err), 0);
	assert_true(changed);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(knit_read_file(path, &text, &err), 0);
	assert_string_equal(text.buf, golden);

	/* the same content: nothing written, not even the timestamp */
	sleep(1);
	assert_int_equal(knit_lockfile_write(&lf, path, &changed, &err), 0);
	assert_false(changed);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_mtime, st2.st_mtime);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(count_entries(dir), 1); /* no temporary file left */

	/* a change replaces the file: a new inode, never a half-written one */
	knit_deps_add(&lf.root_dev_deps, "cmocka-shim", "^1.0.0");
	assert_int_equal(knit_lockfile_write(&lf, path, &changed, &err), 0);
	assert_true(changed);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_not_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(count_entries(dir), 1);

	struct knit_lockfile back;
	assert_int_equal(knit_lockfile_read(&back, path, &err), 0);
	assert_int_equal(back.root_dev_deps.n, 1);
	knit_lockfile_release(&back);

	/* a folder that cannot be written: an error naming the file, the old file intact */
	assert_int_equal(chmod(dir, 0500), 0);
	if (geteuid() != 0) {
		knit_deps_add(&lf.root_deps, "x", "1");
		strbuf_reset(&err);
		assert_int_equal(knit_lockfile_write(&lf, path, &changed, &err), KNIT_EIO);
		assert_non_null(strstr(err.buf, "knit.lock"));
	}
	chmod(dir, 0700);
	assert_int_equal(knit_lockfile_read(&back, path, &err), 0);
	knit_lockfile_release(&back);

	assert_int_equal(knit_lockfile_read(&back, "/nonexistent/knit.lock", &err), KNIT_ENOTFOUND);
	knit_lockfile_release(&lf);
	strbuf_release(&err);
	strbuf_release(&text);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_is_canonical),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_atomic_change_only_writes),
	};
	return cmocka_run_group_tests_name("lockfile", tests, NULL, NULL);
}
