/*
 * project/txn: a commit puts deps/, knit.lock and knit.json in place; a
 * journal left by a killed run is finished by knit_txn_recover from any
 * point, again and again; a journal that names anything else is refused;
 * temporaries of dead processes go, those of live ones stay.
 */
#include "conformance.h"
#include "project/depsdir.h"
#include "project/txn.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/tree.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[256], project[300], store[300];
static struct knit_depsdir_link pkg = { .name = "libfoo", .version = "1.0.0", .integrity = "sha512-x" };

static void put(const char *rel, const char *text)
{
	char path[600];
	struct strbuf err = STRBUF_INIT;
	snprintf(path, sizeof(path), "%s/%s", project, rel);
	if (knit_make_parents(path) || knit_write_cache_file(path, text, strlen(text), &err))
		fail_msg("cannot write %s: %s", path, err.buf);
	strbuf_release(&err);
}

static char *get(const char *rel)
{
	char path[600];
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	snprintf(path, sizeof(path), "%s/%s", project, rel);
	int rc = knit_read_file(path, &text, &err);
	strbuf_release(&err);
	if (rc) {
		strbuf_release(&text);
		return NULL;
	}
	return strbuf_detach(&text, NULL);
}

static bool exists(const char *rel)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", project, rel);
	return !access(path, F_OK);
}

static void assert_file(const char *rel, const char *want)
{
	char *text = get(rel);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/knit-test-txn-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(project, sizeof(project), "%s/p", root);
	snprintf(store, sizeof(store), "%s/store/libfoo", root);
	pkg.store_dir = store;
	put("knit.json", "old json\n");
	put("knit.lock", "old lock\n");
	char path[600];
	snprintf(path, sizeof(path), "%s/foo.h", store);
	knit_make_parents(path);
	struct strbuf err = STRBUF_INIT;
	knit_write_cache_file(path, "#define FOO\n", 12, &err);
	strbuf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	knit_remove_tree(root);
	return 0;
}

/* A prepared deps/ with libfoo, and the journal text that commits it with the two files. */
static void prepare(struct knit_txn *t)
{
	struct strbuf err = STRBUF_INIT;
	knit_txn_init(t);
	assert_int_equal(knit_depsdir_prepare(project, &pkg, 1, NULL, NULL, &t->deps_tmp, &t->deps_state, NULL, &err), 0);
	assert_true(t->deps_tmp.len > 0);
	knit_txn_add_file(t, "knit.lock", "new lock\n", 9);
	knit_txn_add_file(t, "knit.json", "new json\n", 9);
	strbuf_release(&err);
}

static void write_journal(const struct knit_txn *t)
{
	struct strbuf j = STRBUF_INIT;
	strbuf_addf(&j, "knit txn 1\ndeps %s %zu\n%s\n", t->deps_tmp.buf, t->deps_state.len, t->deps_state.buf);
	for (size_t i = 0; i < t->n; i++) {
		const char *was = !strcmp(t->files[i].path, "knit.lock") ? "old lock\n" : "old json\n";
		strbuf_addf(&j, "file %zu %016" PRIx64 " %s\n%s\n", t->files[i].text.len,
			    knit_hash_bytes(KNIT_HASH_SEED, was, strlen(was)), t->files[i].path, t->files[i].text.buf);
	}
	strbuf_addstr(&j, "end\n");
	put(KNIT_TXN_JOURNAL, j.buf);
	strbuf_release(&j);
}

static void assert_new(const struct knit_txn *t)
{
	assert_file("knit.lock", "new lock\n");
	assert_file("knit.json", "new json\n");
	assert_true(exists("deps/libfoo/foo.h"));
	assert_false(exists(t->deps_tmp.buf));
	assert_false(exists(KNIT_TXN_JOURNAL));
}

static void test_commit(void **state)
{
	struct knit_txn t;
	struct strbuf err = STRBUF_INIT;
	prepare(&t);
	assert_int_equal(knit_txn_commit(project, &t, &err), 0);
	assert_true(t.deps_changed && t.files[0].changed && t.files[1].changed);
	assert_new(&t);
	knit_txn_release(&t);
	strbuf_release(&err);
}

/* Killed after the journal, at each later step: recovery finishes it, and a second one changes nothing. */
static void test_recover_each_step(void **state)
{
	for (int step = 0; step < 4; step++) {
		struct knit_txn t;
		struct strbuf err = STRBUF_INIT;
		knit_remove_tree(project);
		put("knit.json", "old json\n");
		put("knit.lock", "old lock\n");
		put("deps/.knit-state", "knit deps state 1\n");
		prepare(&t);
		write_journal(&t);
		if (step >= 1) { /* deps/ exchanged, the old one still under the prepared name */
			char a[600], b[600];
			snprintf(a, sizeof(a), "%s/%s", project, t.deps_tmp.buf);
			snprintf(b, sizeof(b), "%s/deps", project);
			assert_int_equal(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE), 0);
		}
		if (step >= 2) { /* the old deps/ half removed */
			char a[600];
			snprintf(a, sizeof(a), "%s/%s/.knit-state", project, t.deps_tmp.buf);
			unlink(a);
		}
		if (step >= 3)
			put("knit.lock", "new lock\n");
		assert_int_equal(knit_txn_recover(project, &err), 0);
		assert_new(&t);
		assert_int_equal(knit_txn_recover(project, &err), 0);
		assert_new(&t);
		knit_txn_release(&t);
		strbuf_release(&err);
	}
}

/* knit.json edited after the crash, before recovery: the edit stays, the rest is finished. */
static void test_edited_since(void **state)
{
	struct knit_txn t;
	struct strbuf err = STRBUF_INIT;
	prepare(&t);
	write_journal(&t);
	put("knit.json", "the user's json\n");
	assert_int_equal(knit_txn_recover(project, &err), 0);
	assert_file("knit.json", "the user's json\n");
	assert_file("knit.lock", "new lock\n");
	assert_true(exists("deps/libfoo/foo.h"));
	assert_false(exists(KNIT_TXN_JOURNAL));
	knit_txn_release(&t);
	strbuf_release(&err);
}

/* Without a journal, a prepared folder is a killed run's: rolled back. */
static void test_roll_back(void **state)
{
	struct knit_txn t;
	struct strbuf err = STRBUF_INIT;
	prepare(&t);
	assert_true(exists(t.deps_tmp.buf));
	assert_int_equal(knit_txn_recover(project, &err), 0);
	assert_false(exists(t.deps_tmp.buf));
	assert_file("knit.lock", "old lock\n");
	knit_txn_release(&t);
	strbuf_release(&err);
}

static void test_hostile_journal(void **state)
{
	static const char *const bad[] = {
		"knit txn 1\nfile 2 - ../x\nab\nend\n",
		"knit txn 1\nfile 2 - /tmp/x\nab\nend\n",
		"knit txn 1\nfile 2 - deps/../../x\nab\nend\n",
		"knit txn 1\nfile 2 - deps/.pkgconfig/../../x.pc\nab\nend\n",
		"knit txn 1\ndeps ../deps 2\nab\nend\n",
		"knit txn 1\nfile 99 - knit.lock\nab\nend\n",
		"knit txn 1\nfile 2 12 knit.lock\nab\nend\n", /* a short hash */
		"knit txn 1\nfile 2 knit.lock\nab\nend\n",    /* no hash */
		"knit txn 1\nfile 2 - knit.lock\nab\n",        /* no end */
		"knit txn 1\nfile 2 - knit.lock\nab\nend\nx", /* bytes after it */
		"knit txn 2\nend\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct strbuf err = STRBUF_INIT;
		put(KNIT_TXN_JOURNAL, bad[i]);
		assert_int_equal(knit_txn_recover(project, &err), KNIT_EPARSE);
		assert_non_null(strstr(err.buf, "is not a journal of knit's"));
		assert_false(exists("../x"));
		assert_file("knit.lock", "old lock\n");
		strbuf_release(&err);
	}
	/* deps/ a link planted to send a build file elsewhere */
	struct strbuf err = STRBUF_INIT;
	char link_path[600], outside[600];
	snprintf(outside, sizeof(outside), "%s/outside", root);
	mkdir(outside, 0755);
	snprintf(link_path, sizeof(link_path), "%s/deps", project);
	knit_remove_tree(link_path);
	assert_int_equal(symlink(outside, link_path), 0);
	put(KNIT_TXN_JOURNAL, "knit txn 1\nfile 2 - deps/knit.env\nab\nend\n");
	assert_int_equal(knit_txn_recover(project, &err), KNIT_EIO);
	char leaked[700];
	snprintf(leaked, sizeof(leaked), "%s/knit.env", outside);
	assert_int_equal(access(leaked, F_OK), -1);
	unlink(link_path);
	snprintf(link_path, sizeof(link_path), "%s/%s", project, KNIT_TXN_JOURNAL);
	unlink(link_path);
	strbuf_release(&err);
}

static void test_stale(void **state)
{
	pid_t child = fork();
	if (!child)
		_exit(0);
	waitpid(child, NULL, 0); /* a PID nobody has now */
	char dead[64], live[64], user[64];
	snprintf(dead, sizeof(dead), "knit.lock.tmp-%ld-abc", (long)child);
	snprintf(live, sizeof(live), "knit.lock.tmp-%ld-abc", (long)getppid());
	snprintf(user, sizeof(user), "notes.tmp-%ld-abc", (long)child);
	put(dead, "x");
	put(live, "x");
	put(user, "x");
	struct strbuf err = STRBUF_INIT;
	put("deps/.keep", "");
	assert_int_equal(knit_txn_recover(project, &err), 0);
	assert_false(exists(dead));
	assert_true(exists(live));
	assert_true(exists(user));
	long pid;
	assert_true(knit_temp_pid(".deps-123-abc", "-", &pid));
	assert_int_equal(pid, 123);
	assert_true(knit_temp_pid(".deps-abcdef", "-", &pid));
	assert_int_equal(pid, 0);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_each_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roll_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
