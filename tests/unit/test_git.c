/*
 * registry/git: specs, and a real repository made with git(1): the default
 * branch, tags, branches, short and full ids, #semver:, reading a file,
 * exporting a commit, links kept inside, and a known commit offline.
 */
#include "conformance.h"
#include "store/git.h"
#include "util/lazy.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256], cache[300], repo[300], url[320];


static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/knit-test-git-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	snprintf(repo, sizeof(repo), "%s/src", tmp);
	snprintf(url, sizeof(url), "file://%s/src", tmp);
	test_sh("set -e; export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t;"
	   " git init -q -b main %s; cd %s;"
	   " echo '{\"name\": \"g\", \"version\": \"1.0.0\"}' > knit.json; git add .; git commit -qm one; git tag v1.0.0;"
	   " echo '{\"name\": \"g\", \"version\": \"1.2.0\"}' > knit.json; ln -s ../../../etc/passwd link;"
	   " git add .; git commit -qm two; git tag v1.2.0; git tag not-a-version;"
	   " git checkout -qb next; echo '{\"name\": \"g\", \"version\": \"2.0.0-rc.1\"}' > knit.json;"
	   " git commit -qam three; git tag -a v2.0.0-rc.1 -m rc; git checkout -q main",
	   repo, repo);
	return 0;
}

static int teardown(void **state)
{
	knit_remove_tree(tmp);
	return 0;
}

static void test_specs(void **state)
{
	struct knit_git_spec s;
	struct strbuf err = STRBUF_INIT;
	assert_true(knit_git_is_spec("git+https://h/o/r.git#v1"));
	assert_true(knit_git_is_spec("github:o/r"));
	assert_false(knit_git_is_spec("^1.2.0"));
	assert_false(knit_git_is_spec("file:../x"));
	assert_int_equal(knit_git_parse_spec("git+https://h/o/r.git#v1.2.0", &s, &err), 0);
	assert_string_equal(s.url, "https://h/o/r.git");
	assert_string_equal(s.committish, "v1.2.0");
	assert_null(s.range);
	knit_git_spec_release(&s);
	assert_int_equal(knit_git_parse_spec("github:org/repo#tag", &s, &err), 0);
	assert_string_equal(s.url, "https://github.com/org/repo.git");
	assert_string_equal(s.committish, "tag");
	knit_git_spec_release(&s);
	assert_int_equal(knit_git_parse_spec("git+file:///srv/r.git#semver:^1.2", &s, &err), 0);
	assert_string_equal(s.url, "file:///srv/r.git");
	assert_string_equal(s.range, "^1.2");
	assert_null(s.committish);
	knit_git_spec_release(&s);
	assert_int_equal(knit_git_parse_spec("git+ssh://git@h/o/r.git", &s, &err), 0);
	assert_null(s.committish);
	knit_git_spec_release(&s);
	assert_int_equal(knit_git_parse_spec("git+ftp://h/r", &s, &err), KNIT_EINVALID_ARG);
	assert_int_equal(knit_git_parse_spec("github:justone", &s, &err), KNIT_EINVALID_ARG);
	assert_int_equal(knit_git_parse_spec("git+https://h/r.git#semver:^^", &s, &err), KNIT_EINVALID_ARG);
	strbuf_release(&err);
}

static void resolve_to(const char *spec_text, const char *want_rev)
{
	struct knit_git_spec s;
	struct strbuf err = STRBUF_INIT, tag = STRBUF_INIT;
	char commit[41], want[64], cmd[512];
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse '%s^{commit}'", repo, want_rev);
	test_capture(want, sizeof(want), cmd);
	assert_int_equal(knit_git_parse_spec(spec_text, &s, &err), 0);
	if (knit_git_resolve(cache, &s, commit, &tag, &err))
		fail_msg("%s: %s", spec_text, err.buf);
	if (strcmp(commit, want))
		fail_msg("%s resolved to %s, want %s (%s)", spec_text, commit, want, want_rev);
	knit_git_spec_release(&s);
	strbuf_release(&err);
	strbuf_release(&tag);
}

static void test_resolve(void **state)
{
	char spec[512], id[64], cmd[512];
	snprintf(spec, sizeof(spec), "git+%s", url);
	resolve_to(spec, "main");
	snprintf(spec, sizeof(spec), "git+%s#v1.0.0", url);
	resolve_to(spec, "v1.0.0");
	snprintf(spec, sizeof(spec), "git+%s#next", url);
	resolve_to(spec, "next");
	snprintf(spec, sizeof(spec), "git+%s#semver:^1", url);
	resolve_to(spec, "v1.2.0");
	snprintf(spec, sizeof(spec), "git+%s#semver:>=2.0.0-rc.0", url);
	resolve_to(spec, "v2.0.0-rc.1"); /* an annotated tag, peeled to its commit */
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse --short=8 v1.0.0", repo);
	test_capture(id, sizeof(id), cmd);
	snprintf(spec, sizeof(spec), "git+%s#%s", url, id);
	resolve_to(spec, "v1.0.0");

	struct knit_git_spec s;
	struct strbuf err = STRBUF_INIT, tag = STRBUF_INIT;
	char commit[41];
	snprintf(spec, sizeof(spec), "git+%s#nope", url);
	knit_git_parse_spec(spec, &s, &err);
	assert_int_equal(knit_git_resolve(cache, &s, commit, &tag, &err), KNIT_ENOTFOUND);
	assert_non_null(strstr(err.buf, "no tag, branch or commit 'nope'"));
	knit_git_spec_release(&s);
	strbuf_reset(&err);
	snprintf(spec, sizeof(spec), "git+%s#semver:^3", url);
	knit_git_parse_spec(spec, &s, &err);
	assert_int_equal(knit_git_resolve(cache, &s, commit, &tag, &err), KNIT_ENOMATCH);
	knit_git_spec_release(&s);
	strbuf_reset(&err);
	knit_git_parse_spec("git+file:///nonexistent/repo.git", &s, &err);
	assert_int_equal(knit_git_resolve(cache, &s, commit, &tag, &err), KNIT_EIO);
	assert_non_null(strstr(err.buf, "file:///nonexistent/repo.git: cannot fetch"));
	knit_git_spec_release(&s);
	strbuf_release(&err);
	strbuf_release(&tag);
}

static void test_read_export_offline(void **state)
{
	char spec[512], dir[400], path[512], commit[41];
	struct knit_git_spec s;
	struct strbuf err = STRBUF_INIT, tag = STRBUF_INIT, text = STRBUF_INIT;
	snprintf(spec, sizeof(spec), "git+%s#v1.2.0", url);
	knit_git_parse_spec(spec, &s, &err);
	assert_int_equal(knit_git_resolve(cache, &s, commit, &tag, &err), 0);
	assert_int_equal(knit_git_read(cache, s.url, commit, "knit.json", &text, &err), 0);
	assert_non_null(strstr(text.buf, "\"1.2.0\""));
	assert_int_equal(knit_git_read(cache, s.url, commit, "nope.json", &text, &err), KNIT_ENOTFOUND);

	snprintf(dir, sizeof(dir), "%s/export", tmp);
	if (knit_git_export(cache, s.url, commit, dir, &err))
		fail_msg("%s", err.buf);
	snprintf(path, sizeof(path), "%s/knit.json", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	/* the link is a file holding its target: nothing points out of the package */
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	snprintf(path, sizeof(path), "%s/.git", dir);
	assert_int_not_equal(lstat(path, &st), 0);
	/* a second export of the same commit to the same place loses quietly */
	assert_int_equal(knit_git_export(cache, s.url, commit, dir, &err), 0);

	/* the source gone: a commit the mirror holds still resolves and exports */
	knit_remove_tree(repo);
	knit_git_spec_release(&s);
	snprintf(spec, sizeof(spec), "git+%s#%s", url, commit);
	knit_git_parse_spec(spec, &s, &err);
	char again[41];
	if (knit_git_resolve(cache, &s, again, &tag, &err))
		fail_msg("offline: %s", err.buf);
	assert_string_equal(again, commit);
	snprintf(dir, sizeof(dir), "%s/export2", tmp);
	assert_int_equal(knit_git_export(cache, s.url, commit, dir, &err), 0);
	knit_git_spec_release(&s);
	strbuf_release(&err);
	strbuf_release(&tag);
	strbuf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specs),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_export_offline, setup, teardown),
	};
	return cmocka_run_group_tests_name("git", tests, NULL, NULL);
}
