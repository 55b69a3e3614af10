/*
 * project/deps: deps/ filled from the store by several threads, files hard
 * linked, folder packages as symbolic links, and a failure that leaves the
 * old deps/ whole and names the first package (in order) that failed.
 */
#include "conformance.h"
#include "project/depsdir.h"
#include "resolver/lockfile.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/tree.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { N = 40 };
static char root[256];
static char names[N][32], stores[N][512];
static struct knit_depsdir_link links[N];

static void write_file(const char *path, const char *text)
{
	bool changed;
	struct strbuf err = STRBUF_INIT;
	if (knit_make_parents(path) || knit_write_cache_file(path, text, strlen(text), &err))
		fail_msg("cannot write %s: %s", path, err.buf);
	(void)changed;
	strbuf_release(&err);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/knit-test-deps-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	for (int i = 0; i < N; i++) {
		/* every fifth package scoped, to race on deps/@scope/ */
		snprintf(names[i], sizeof(names[i]), i % 5 ? "pkg%02d" : "@s/pkg%02d", i);
		snprintf(stores[i], sizeof(stores[i]), "%s/store/p%02d", root, i);
		char path[600];
		snprintf(path, sizeof(path), "%s/include/p%02d.h", stores[i], i);
		write_file(path, "#define P 1\n");
		snprintf(path, sizeof(path), "%s/src/deep/er/p.c", stores[i]);
		write_file(path, "int p;\n");
		links[i] = (struct knit_depsdir_link){ .name = names[i], .version = "1.0.0", .integrity = "sha512-x",
						  .store_dir = stores[i] };
	}
	char project[300];
	snprintf(project, sizeof(project), "%s/project", root);
	mkdir(project, 0755);
	return 0;
}

static int teardown(void **state)
{
	knit_remove_tree(root);
	return 0;
}

static void test_sync(void **state)
{
	char project[300], path[700], store_file[700];
	struct strbuf err = STRBUF_INIT;
	bool changed;
	snprintf(project, sizeof(project), "%s/project", root);
	if (knit_depsdir_sync(project, links, N, NULL, NULL, &changed, &err))
		fail_msg("%s", err.buf);
	assert_true(changed);
	for (int i = 0; i < N; i++) {
		struct stat a, b;
		snprintf(path, sizeof(path), "%s/deps/%s/src/deep/er/p.c", project, names[i]);
		snprintf(store_file, sizeof(store_file), "%s/src/deep/er/p.c", stores[i]);
		assert_int_equal(stat(path, &a), 0);
		assert_int_equal(stat(store_file, &b), 0);
		assert_true(a.st_ino == b.st_ino); /* a hard link, not a copy */
	}
	assert_true(knit_depsdir_in_place(project, links, N));
	assert_int_equal(knit_depsdir_sync(project, links, N, NULL, NULL, &changed, &err), 0);
	assert_false(changed);

	/* a folder package: a symbolic link, as given */
	struct knit_depsdir_link more[N + 1];
	memcpy(more, links, sizeof(links));
	more[N] = (struct knit_depsdir_link){ .name = "zlocal", .version = "0.1.0", .integrity = "file:../x",
					  .store_dir = stores[0], .symlink_to = "../../store/p00" };
	assert_int_equal(knit_depsdir_sync(project, more, N + 1, NULL, NULL, &changed, &err), 0);
	snprintf(path, sizeof(path), "%s/deps/zlocal", project);
	char target[256];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../../store/p00");
	snprintf(path, sizeof(path), "%s/deps/zlocal/include/p00.h", project);
	assert_int_equal(access(path, F_OK), 0);

	/* two store folders gone: the error names the first in name order, deps/ stays as it was */
	char gone1[600], gone2[600];
	snprintf(gone1, sizeof(gone1), "%s.away", stores[7]);
	snprintf(gone2, sizeof(gone2), "%s.away", stores[31]);
	rename(stores[7], gone1);
	rename(stores[31], gone2);
	links[3].version = "1.0.1"; /* a change, so that a sync is due */
	strbuf_reset(&err);
	assert_int_equal(knit_depsdir_sync(project, links, N, NULL, NULL, &changed, &err), KNIT_EIO);
	if (!strstr(err.buf, stores[7]))
		fail_msg("error: %s", err.buf);
	assert_null(strstr(err.buf, stores[31]));
	assert_true(knit_depsdir_in_place(project, more, N + 1)); /* the old deps/ */
	rename(gone1, stores[7]);
	rename(gone2, stores[31]);
	links[3].version = "1.0.0";
	strbuf_release(&err);
}

/* a name that slipped past the entry checks still cannot place anything outside deps/ */
static void test_bad_names(void **state)
{
	char project[300], path[700];
	struct strbuf err = STRBUF_INIT;
	bool changed;
	snprintf(project, sizeof(project), "%s/project", root);
	const char *bad[] = { "../escaped", "@s/../../escaped", "@../escaped", ".." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct knit_depsdir_link one[2] = { links[1], { .name = bad[i], .version = "1.0.0",
							    .integrity = "sha512-y", .store_dir = stores[0] } };
		strbuf_reset(&err);
		assert_int_equal(knit_depsdir_sync(project, one, 2, NULL, NULL, &changed, &err), KNIT_EINVALID_ARG);
		assert_false(changed);
		if (!strstr(err.buf, "is not a valid package name"))
			fail_msg("%s: %s", bad[i], err.buf);
		snprintf(path, sizeof(path), "%s/escaped", project);
		assert_int_equal(access(path, F_OK), -1);
		snprintf(path, sizeof(path), "%s/escaped", root);
		assert_int_equal(access(path, F_OK), -1);
	}
	strbuf_release(&err);
}

static void sh(const char *script)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "set -e; cd %s && %s", root, script);
	if (system(cmd.buf))
		fail_msg("failed: %s", script);
	strbuf_release(&cmd);
}

/*
 * A store entry 2,000 folders deep (left by an older knit, or a tampered
 * store): linking it used to recurse once per folder and overflow the
 * stack; now it is refused with one line, and the tree can be removed.
 */
static void test_deep_store_entry(void **state)
{
	char project[300], deep[300];
	struct strbuf err = STRBUF_INIT;
	bool changed;
	snprintf(project, sizeof(project), "%s/project", root);
	snprintf(deep, sizeof(deep), "%s/store/deep", root);
	test_deep_tree(root, "store/deep", 2000, "f");
	struct knit_depsdir_link one = { .name = "deep", .version = "1.0.0", .integrity = "sha512-d",
				     .store_dir = deep };
	assert_int_equal(knit_depsdir_sync(project, &one, 1, NULL, NULL, &changed, &err), KNIT_EIO);
	if (!strstr(err.buf, "folders deep"))
		fail_msg("error: %s", err.buf);
	assert_false(changed);
	sh("test -z \"$(ls -A project)\""); /* no half-made deps folder left */
	assert_int_equal(knit_remove_tree(deep), 0);
	assert_int_equal(access(deep, F_OK), -1);
	strbuf_release(&err);
}

/*
 * A bin entry through a chain of links out of the package (a store entry
 * made before extraction checked links): refused, and the file outside
 * keeps its mode.
 */
static void test_bin_through_links(void **state)
{
	char project[300], pkg[300], outside[300], bin[400];
	struct strbuf err = STRBUF_INIT;
	struct knit_strmap bins = { 0 };
	bool changed;
	snprintf(project, sizeof(project), "%s/project", root);
	snprintf(pkg, sizeof(pkg), "%s/store/chain", root);
	snprintf(outside, sizeof(outside), "%s/outside", root);
	sh("echo secret > outside && chmod 0644 outside && mkdir -p store/chain && cd store/chain"
	   " && p=; u=; for i in $(seq 0 13); do p=$p/a$i; u=$u../; done; mkdir -p .$p"
	   " && ln -s $u .$p/L && ln -s ${p#/}/L/$u.. x && echo '#!/bin/sh' > tool");
	snprintf(bin, sizeof(bin), "x%s", outside);
	knit_strmap_set(&bins, "evil", bin);
	struct knit_depsdir_link one = { .name = "chain", .version = "1.0.0", .integrity = "sha512-c",
				     .store_dir = pkg, .bins = &bins };
	assert_int_equal(knit_depsdir_sync(project, &one, 1, NULL, NULL, &changed, &err), KNIT_EPARSE);
	if (!strstr(err.buf, "'bin.evil' points outside the package"))
		fail_msg("error: %s", err.buf);
	struct stat st;
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* a bin inside is made executable */
	knit_strmap_release(&bins);
	knit_strmap_set(&bins, "tool", "./tool");
	strbuf_reset(&err);
	if (knit_depsdir_sync(project, &one, 1, NULL, NULL, &changed, &err))
		fail_msg("%s", err.buf);
	snprintf(bin, sizeof(bin), "%s/deps/.bin/tool", project);
	assert_int_equal(stat(bin, &st), 0);
	assert_int_equal(st.st_mode & 0111, 0111);
	knit_strmap_release(&bins);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_store_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bin_through_links, setup, teardown),
	};
	return cmocka_run_group_tests_name("deps", tests, NULL, NULL);
}
