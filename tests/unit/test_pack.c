/*
 * project/pack in-process: warnings reach the session's callback (links
 * left out, a `c` section whose files are not packed), the session's
 * secrets refuse a file holding one, `files` entries match from the
 * package root only, and the same tree gives the same bytes.
 */
#include "conformance.h"
#include "project/pack.h"
#include "project/session.h"
#include "util/error.h"
#include "util/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[256];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/knit-test-pack-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	knit_remove_tree(root);
	return 0;
}

struct lines {
	char text[2048];
	size_t n;
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;
	size_t used = strlen(l->text);
	snprintf(l->text + used, sizeof(l->text) - used, "%s\n", line);
	l->n++;
}

static bool packs(const struct knit_pack *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->files[i].path, path))
			return true;
	return false;
}

static void warnings_through_the_session(void **state)
{
	(void)state;
	test_sh("mkdir -p %s/w/include %s/w/src && cd %s/w && printf '%s' >knit.json"
		" && echo 'int x;' >include/w.h && echo 'int y;' >src/w.c && ln -s /etc/passwd src/link.c",
		root, root, root, "{\"name\": \"w\", \"version\": \"1.0.0\", \"files\": [\"src\"]}");
	struct lines got = { { 0 }, 0 };
	struct knit_session s = { .warn = collect, .ctx = &got };
	struct knit_pack p;
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/w", root);
	if (knit_pack_make(&p, dir.buf, &s, &err))
		fail_msg("%s", err.buf);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.text,
			    "'src/link.c' is a symbolic link: not packed (npm leaves links out too)\n"
			    "c.include 'include' is in the project but none of its files is packed; add it to "
			    "knit.json's files\n");
	assert_true(packs(&p, "src/w.c"));
	assert_false(packs(&p, "src/link.c"));
	knit_pack_release(&p);
	/* without a session: the same pack, the warnings dropped */
	assert_int_equal(knit_pack_make(&p, dir.buf, NULL, &err), 0);
	assert_true(packs(&p, "src/w.c"));
	knit_pack_release(&p);
	strbuf_release(&dir);
	strbuf_release(&err);
}

static void session_secrets_refuse(void **state)
{
	(void)state;
	test_sh("mkdir -p %s/s && cd %s/s && printf '%s' >knit.json && echo 'token=npm_s3cr3tvalue' >notes.txt",
		root, root, "{\"name\": \"s\", \"version\": \"1.0.0\"}");
	struct knit_session s = { 0 };
	knit_config_set(&s.cfg, "//registry.example/:_authToken", "npm_s3cr3tvalue", "test");
	struct knit_pack p;
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/s", root);
	assert_int_equal(knit_pack_make(&p, dir.buf, &s, &err), KNIT_EINVALID_ARG);
	if (!strstr(err.buf, "notes.txt") || strstr(err.buf, "npm_s3cr3tvalue"))
		fail_msg("the refusal should name notes.txt and never print the token: %s", err.buf);
	/* the same tree packs without that setting */
	strbuf_reset(&err);
	assert_int_equal(knit_pack_make(&p, dir.buf, NULL, &err), 0);
	assert_true(packs(&p, "notes.txt"));
	knit_pack_release(&p);
	knit_config_release(&s.cfg);
	strbuf_release(&dir);
	strbuf_release(&err);
}

static void files_from_the_root_and_same_bytes(void **state)
{
	(void)state;
	test_sh("mkdir -p %s/f/src %s/f/build/CMakeFiles/f.dir/src && cd %s/f && printf '%s' >knit.json"
		" && echo 'int f;' >src/f.c && echo obj >build/CMakeFiles/f.dir/src/f.c.o",
		root, root, root, "{\"name\": \"f\", \"version\": \"1.0.0\", \"files\": [\"src\"]}");
	struct knit_pack a, b;
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/f", root);
	assert_int_equal(knit_pack_make(&a, dir.buf, NULL, &err), 0);
	assert_true(packs(&a, "src/f.c"));
	assert_false(packs(&a, "build/CMakeFiles/f.dir/src/f.c.o"));
	test_sh("touch -d '2001-01-01' %s/f/src/f.c", root);
	assert_int_equal(knit_pack_make(&b, dir.buf, NULL, &err), 0);
	assert_int_equal(a.tgz.len, b.tgz.len);
	assert_memory_equal(a.tgz.buf, b.tgz.buf, a.tgz.len);
	knit_pack_release(&a);
	knit_pack_release(&b);
	strbuf_release(&dir);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(warnings_through_the_session),
		cmocka_unit_test(session_secrets_refuse),
		cmocka_unit_test(files_from_the_root_and_same_bytes),
	};
	return cmocka_run_group_tests_name("pack", tests, setup, teardown);
}
