#include "beneath.h"
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* set once openat2 proved missing or forbidden: later calls go straight to the walk */
static int no_openat2;

/* The folders from root to the current one, as names: '..' pops one and reopens from root. */
struct trail {
	char **names;
	size_t n, alloc;
};

static void trail_release(struct trail *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
}

/* root/names[0]/.../names[n-1], each opened with O_NOFOLLOW: real folders only. */
static int trail_open(int root, const struct trail *t)
{
	int fd = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; fd >= 0 && i < t->n; i++) {
		int next = openat(fd, t->names[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

/* The next component of todo from *at: its start and length, 0 when none is left. */
static size_t next_component(const struct strbuf *todo, size_t *at, const char **comp)
{
	while (*at < todo->len && todo->buf[*at] == '/')
		(*at)++;
	*comp = todo->buf + *at;
	size_t n = 0;
	while (*at + n < todo->len && todo->buf[*at + n] != '/')
		n++;
	*at += n;
	return n;
}

static bool only_slashes_left(const struct strbuf *todo, size_t at)
{
	while (at < todo->len && todo->buf[at] == '/')
		at++;
	return at == todo->len;
}

int knit_beneath_open_walk(int root, const char *rel, int oflags, unsigned how)
{
	if (rel[0] == '/') {
		errno = EXDEV;
		return -1;
	}
	struct strbuf todo = STRBUF_INIT, name = STRBUF_INIT;
	struct trail trail = { NULL, 0, 0 };
	char target[4096];
	unsigned hops = 0;
	size_t at = 0;
	int cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), result = -1, saved = 0;
	strbuf_addstr(&todo, rel);
	while (cur >= 0) {
		const char *comp;
		size_t n = next_component(&todo, &at, &comp);
		if (!n) { /* the folder reached is the answer */
			result = openat(cur, ".", oflags | O_CLOEXEC);
			saved = errno;
			break;
		}
		if (n == 1 && comp[0] == '.')
			continue;
		if (n == 2 && comp[0] == '.' && comp[1] == '.') {
			if (!trail.n) {
				saved = EXDEV;
				break;
			}
			free(trail.names[--trail.n]);
			close(cur);
			cur = trail_open(root, &trail);
			continue;
		}
		strbuf_reset(&name);
		strbuf_add(&name, comp, n);
		bool last = only_slashes_left(&todo, at);
		struct stat st;
		if (fstatat(cur, name.buf, &st, AT_SYMLINK_NOFOLLOW)) {
			saved = errno;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			if ((how & KNIT_BENEATH_NO_SYMLINKS) || ++hops > KNIT_BENEATH_MAX_HOPS) {
				saved = ELOOP;
				break;
			}
			ssize_t len = readlinkat(cur, name.buf, target, sizeof(target) - 1);
			if (len <= 0) {
				saved = len < 0 ? errno : ENOENT;
				break;
			}
			if (target[0] == '/') {
				saved = EXDEV;
				break;
			}
			/* the link's text takes its place: resolved from the folder holding it */
			struct strbuf rest = STRBUF_INIT;
			strbuf_add(&rest, target, (size_t)len); /* what follows starts with '/' or is empty */
			strbuf_add(&rest, todo.buf + at, todo.len - at);
			struct strbuf old = todo;
			todo = rest;
			strbuf_release(&old);
			at = 0;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int next = openat(cur, name.buf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(cur);
			cur = next;
			KNIT_ALLOC_GROW(trail.names, trail.n + 1, trail.alloc);
			trail.names[trail.n++] = strbuf_detach(&name, NULL);
			continue;
		}
		if (!last || (todo.len && todo.buf[todo.len - 1] == '/')) {
			saved = ENOTDIR;
			break;
		}
		/* O_NOFOLLOW: a file swapped for a link since fstatat is refused, not followed */
		result = openat(cur, name.buf, oflags | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		break;
	}
	if (cur < 0 && !saved)
		saved = errno;
	if (cur >= 0)
		close(cur);
	trail_release(&trail);
	strbuf_release(&todo);
	strbuf_release(&name);
	if (result < 0)
		errno = saved;
	return result;
}

int knit_beneath_open(int root, const char *rel, int oflags, unsigned how)
{
	if (!__atomic_load_n(&no_openat2, __ATOMIC_RELAXED)) {
		struct open_how oh = {
			.flags = (unsigned long long)(oflags | O_CLOEXEC),
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
				   (how & KNIT_BENEATH_NO_SYMLINKS ? RESOLVE_NO_SYMLINKS : 0),
		};
		/* "" means root itself, which openat2 spells "." */
		const char *path = rel[0] ? rel : ".";
		for (int tries = 0; tries < 8; tries++) {
			long fd = syscall(SYS_openat2, root, path, &oh, sizeof(oh));
			if (fd >= 0)
				return (int)fd;
			if (errno == ENOSYS || errno == EPERM) {
				__atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
				break;
			}
			if (errno != EAGAIN) /* EAGAIN: a rename raced a '..'; the kernel asks to retry */
				return -1;
		}
	}
	return knit_beneath_open_walk(root, rel, oflags, how);
}
