/*
 * The sandbox without bubblewrap (builder.h): knit runs itself as
 * "knit --knit-sandbox-exec [--ro PATH]... [--rw PATH]... [--chdir DIR] -- ARGV",
 * and this process, before it becomes ARGV, makes the same sandbox through
 * Linux namespaces directly: its own mount, network, IPC and UTS
 * namespaces (and a user namespace when the plain ones are refused, as
 * they are to a user who is not root), every mount read-only
 * (mount_setattr, recursively), a fresh tmpfs on /tmp, and the folders
 * named mounted back at their paths: --ro read-only, --rw as they were.
 * The folders are cloned (open_tree) before /tmp is covered, so that those
 * under /tmp come back too. Loopback is brought up, as bubblewrap does.
 */
#include "builder.h"
#include "util/error.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(struct strbuf *err, const char *what, const char *path)
{
	int e = errno;
	strbuf_addf(err, "cannot make the sandbox: %s%s%s: %s", what, path ? " " : "", path ? path : "", strerror(e));
	return KNIT_EIO;
}

static int write_proc(const char *path, const char *text, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));
	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : fail(err, "writing", path);
}

/* The namespaces: plain ones when allowed (root), else inside a user namespace mapping this user to itself. */
static int enter_namespaces(struct strbuf *err)
{
	const int flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (!unshare(flags))
		return 0;
	if (errno != EPERM || unshare(flags | CLONE_NEWUSER))
		return fail(err, "unshare", NULL);
	char map[64];
	int rc = write_proc("/proc/self/setgroups", "deny", err);
	snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)uid, (unsigned long)uid);
	if (!rc)
		rc = write_proc("/proc/self/uid_map", map, err);
	snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)gid, (unsigned long)gid);
	if (!rc)
		rc = write_proc("/proc/self/gid_map", map, err);
	return rc;
}

static void loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (s >= 0 && !ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		(void)ioctl(s, SIOCSIFFLAGS, &ifr); /* best effort: builds rarely need it */
	}
	if (s >= 0)
		close(s);
}

struct folder {
	const char *path;
	bool writable;
	int tree; /* its clone, or -1 when it does not exist (a --ro that is not there is skipped) */
};

int knit_sandbox_enter(int argc, char **argv, struct strbuf *err)
{
	struct folder *folders = knit_xcalloc((size_t)argc, sizeof(*folders));
	size_t n = 0;
	const char *dir = NULL;
	int i = 1, rc = 0;
	for (; i < argc && strcmp(argv[i], "--"); i += 2) {
		if (i + 1 >= argc || (strcmp(argv[i], "--ro") && strcmp(argv[i], "--rw") && strcmp(argv[i], "--chdir"))) {
			strbuf_addf(err, "cannot make the sandbox: '%s' is not one of its options", argv[i]);
			free(folders);
			return KNIT_EPARSE;
		}
		if (!strcmp(argv[i], "--chdir"))
			dir = argv[i + 1];
		else
			folders[n++] = (struct folder){ argv[i + 1], !strcmp(argv[i], "--rw"), -1 };
	}
	if (i + 1 >= argc) {
		strbuf_addstr(err, "cannot make the sandbox: nothing to run in it");
		free(folders);
		return KNIT_EPARSE;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* as bubblewrap's --die-with-parent */
	rc = enter_namespaces(err);
	if (!rc && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		rc = fail(err, "making / private", NULL);
	/* each folder cloned as it is now, before anything is covered or made read-only */
	for (size_t k = 0; k < n && !rc; k++) {
		folders[k].tree = open_tree(AT_FDCWD, folders[k].path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (folders[k].tree < 0 && (folders[k].writable || errno != ENOENT))
			rc = fail(err, "cloning", folders[k].path);
	}
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	if (!rc && mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)))
		rc = fail(err, "making the file system read-only", NULL);
	if (!rc && mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"))
		rc = fail(err, "mounting a tmpfs on", "/tmp");
	/* read-only ones first, so that a writable folder inside one is mounted over it */
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t k = 0; k < n && !rc; k++) {
			struct folder *f = &folders[k];
			if (f->tree < 0 || f->writable != (pass == 1))
				continue;
			if (!f->writable && mount_setattr(f->tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)))
				rc = fail(err, "making read-only", f->path);
			else if (knit_make_dirs(f->path) && errno != EEXIST && errno != EROFS)
				rc = fail(err, "making", f->path);
			else if (move_mount(f->tree, "", AT_FDCWD, f->path, MOVE_MOUNT_F_EMPTY_PATH))
				rc = fail(err, "mounting", f->path);
		}
	for (size_t k = 0; k < n; k++)
		if (folders[k].tree >= 0)
			close(folders[k].tree);
	free(folders);
	if (rc)
		return rc;
	loopback_up();
	if (dir && chdir(dir))
		return fail(err, "entering", dir);
	execvp(argv[i + 1], argv + i + 1);
	strbuf_addf(err, "cannot run '%s' in the sandbox: %s", argv[i + 1], strerror(errno));
	return KNIT_EIO;
}
