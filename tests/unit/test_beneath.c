/*
 * util/beneath: every case through openat2 (knit_beneath_open) and through
 * the component walk that stands in for it (knit_beneath_open_walk), which
 * must agree: links inside followed, '..' and links climbing out, absolute
 * links, the 14/15-deep chain of issue 11, loops and the hop limit refused.
 */
#include "conformance.h"
#include "util/beneath.h"
#include "util/strbuf.h"
#include "util/tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/knit-beneath-XXXXXX";
static int root = -1;

static void sh(const char *script)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "set -e; cd %s/root && %s", tmp, script);
	assert_int_equal(system(cmd.buf), 0);
	strbuf_release(&cmd);
}

/* rel opens (both ways) to the same file as want, opened plainly; or fails with err. */
static void expect(const char *rel, unsigned how, int err, const char *want)
{
	for (int walk = 0; walk < 2; walk++) {
		errno = 0;
		int fd = walk ? knit_beneath_open_walk(root, rel, O_RDONLY, how)
			      : knit_beneath_open(root, rel, O_RDONLY, how);
		if (err) {
			if (fd >= 0 || errno != err)
				fail_msg("'%s' (%s): want errno %d, got fd %d errno %d", rel,
					 walk ? "walk" : "openat2", err, fd, errno);
			continue;
		}
		if (fd < 0)
			fail_msg("'%s' (%s): %s", rel, walk ? "walk" : "openat2", strerror(errno));
		struct stat got, exp;
		int w = openat(root, want, O_RDONLY);
		assert_true(w >= 0);
		assert_int_equal(fstat(fd, &got), 0);
		assert_int_equal(fstat(w, &exp), 0);
		assert_true(got.st_ino == exp.st_ino && got.st_dev == exp.st_dev);
		close(w);
		close(fd);
	}
}

static void plain_paths(void **state)
{
	expect("f", 0, 0, "f");
	expect("./d//g", 0, 0, "d/g");
	expect("d/../f", 0, 0, "f");
	expect("", 0, 0, ".");
	expect("d/..", 0, 0, ".");
	expect("missing", 0, ENOENT, NULL);
	expect("f/x", 0, ENOTDIR, NULL);
	expect("d/g", KNIT_BENEATH_NO_SYMLINKS, 0, "d/g");
}

static void climbs_out(void **state)
{
	expect("..", 0, EXDEV, NULL);
	expect("../outside", 0, EXDEV, NULL);
	expect("d/../../outside", 0, EXDEV, NULL);
	expect("/etc/passwd", 0, EXDEV, NULL);
}

static void links_inside(void **state)
{
	expect("in", 0, 0, "d/g");
	expect("ld/g", 0, 0, "d/g");
	expect("d/back/f", 0, 0, "f"); /* d/back -> .. */
	expect("in", KNIT_BENEATH_NO_SYMLINKS, ELOOP, NULL);
	expect("ld/g", KNIT_BENEATH_NO_SYMLINKS, ELOOP, NULL);
	expect("dangling", 0, ENOENT, NULL);
}

static void links_out(void **state)
{
	expect("up", 0, EXDEV, NULL);
	expect("abs", 0, EXDEV, NULL);
	expect("absdir/passwd", 0, EXDEV, NULL);
	expect("d/out/outside", 0, EXDEV, NULL);
}

/* issue 11: L resolves to the root, and x climbs 15 folders above L: the textual check passed */
static void deep_chain(void **state)
{
	struct strbuf p = STRBUF_INIT;
	for (int i = 0; i < 14; i++)
		strbuf_addf(&p, "a%d/", i);
	expect(p.buf, 0, 0, p.buf);
	strbuf_addstr(&p, "L");
	expect(p.buf, 0, 0, ".");
	expect("x", 0, EXDEV, NULL);
	expect("x/outside", 0, EXDEV, NULL);
	strbuf_release(&p);
}

static void loops_and_hops(void **state)
{
	expect("loop1", 0, ELOOP, NULL);
	expect("self/f", 0, ELOOP, NULL);
	expect("h39", 0, 0, "f");  /* 40 links: the kernel's limit */
	expect("h40", 0, ELOOP, NULL); /* 41 */
}

static int setup(void **state)
{
	if (!mkdtemp(tmp))
		return -1;
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "mkdir %s/root && echo secret > %s/outside", tmp, tmp);
	if (system(cmd.buf))
		return -1;
	sh("echo f > f && mkdir d && echo g > d/g && ln -s d/g in && ln -s d ld && ln -s .. d/back"
	   " && ln -s ../outside up && ln -s /etc/passwd abs && ln -s /etc absdir && ln -s ../.. d/out"
	   " && ln -s nothing dangling && ln -s loop2 loop1 && ln -s loop1 loop2 && ln -s self/f self");
	/* a0/.../a13/L -> 14 x '..', x -> a0/.../a13/L/ + 15 x '..' */
	sh("p=; u=; for i in $(seq 0 13); do p=$p/a$i; u=$u../; done; mkdir -p .$p"
	   " && ln -s $u .$p/L && ln -s ${p#/}/L/$u.. x");
	sh("ln -s f h0 && for i in $(seq 1 40); do ln -s h$((i-1)) h$i; done");
	strbuf_release(&cmd);
	struct strbuf r = STRBUF_INIT;
	strbuf_addf(&r, "%s/root", tmp);
	root = open(r.buf, O_RDONLY | O_DIRECTORY);
	strbuf_release(&r);
	return root >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	close(root);
	return knit_remove_tree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_paths),
		cmocka_unit_test(climbs_out),
		cmocka_unit_test(links_inside),
		cmocka_unit_test(links_out),
		cmocka_unit_test(deep_chain),
		cmocka_unit_test(loops_and_hops),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
