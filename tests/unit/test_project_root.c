/* project/project_root: the walk up to knit.json, and paths from a sub-folder as the root reads them. */
#include "conformance.h"
#include "project/project_root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void rebased(const char *sub, const char *path, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	knit_project_rebase(sub, path, &out);
	if (strcmp(out.buf, want))
		fail_msg("'%s' from '%s': expected '%s', got '%s'", path, sub, want, out.buf);
	strbuf_release(&out);
}

static void test_rebase(void **state)
{
	(void)state;
	rebased("", "../lib", "../lib");
	rebased("", "lib", "lib");
	rebased("src", "../lib", "lib");
	rebased("src", "lib", "src/lib");
	rebased("src", ".", "src");
	rebased("src", "..", ".");
	rebased("src", "../..", "..");
	rebased("src", "../../x/./y/", "../x/y");
	rebased("src/net", "../../../a/../b", "../b");
	rebased("src/net", "./x//y", "src/net/x/y");
	rebased("src", "/abs/path", "/abs/path");
	rebased("a", "../../../..", "../../..");
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{}\n", f);
	fclose(f);
}

static void found(const char *start, const char *want_root, const char *want_sub)
{
	struct strbuf root = STRBUF_INIT, sub = STRBUF_INIT;
	bool ok = knit_project_find(start, &root, &sub);
	if (!want_root && ok)
		fail_msg("'%s': found '%s', expected nothing", start, root.buf);
	if (want_root && (!ok || strcmp(root.buf, want_root) || strcmp(sub.buf, want_sub)))
		fail_msg("'%s': expected '%s' + '%s', got %d '%s' + '%s'", start, want_root, want_sub, ok, root.buf,
			 sub.buf);
	strbuf_release(&root);
	strbuf_release(&sub);
}

static void test_find(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/knit-root-XXXXXX";
	char *top = mkdtemp(tmpl);
	assert_non_null(top);
	char p[256], q[256];
	snprintf(q, sizeof(q), "%s/app", top);
	assert_int_equal(mkdir(q, 0755), 0);
	snprintf(p, sizeof(p), "%s/app/src", top);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/app/src/net", top);
	assert_int_equal(mkdir(p, 0755), 0);

	char app_json[512], net_json[512];
	snprintf(app_json, sizeof(app_json), "%s/knit.json", q);
	touch(app_json);
	found(p, q, "src/net");
	found(q, q, "");
	char slashed[512];
	snprintf(slashed, sizeof(slashed), "%s/src//", q);
	found(slashed, q, "src");

	/* the nearest wins */
	snprintf(net_json, sizeof(net_json), "%s/knit.json", p);
	touch(net_json);
	found(p, p, "");
	unlink(net_json);

	/* a folder named knit.json is not a manifest */
	assert_int_equal(mkdir(net_json, 0755), 0);
	found(p, q, "src/net");
	rmdir(net_json);

	found("relative/path", NULL, NULL);
	unlink(app_json);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/app/src", top);
	rmdir(p);
	rmdir(q);
	rmdir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebase),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests_name("project_root", tests, NULL, NULL);
}
