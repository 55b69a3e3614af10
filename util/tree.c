#include "tree.h"

#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * One folder being emptied: the names it held when it was read (read whole
 * and closed, so that only one descriptor is open however deep the tree),
 * the next to remove, and its own name and identity in its parent.
 */
struct level {
	char **names;
	size_t n, next;
	char *self;
	dev_t dev;
	ino_t ino;
};

static int read_names(int fd, struct level *l)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	size_t alloc = 0;
	struct dirent *e;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		KNIT_ALLOC_GROW(l->names, l->n + 1, alloc);
		l->names[l->n++] = knit_xstrdup(e->d_name);
	}
	closedir(d);
	return 0;
}

/*
 * unlinkat, and when the folder refuses (store entries have read-only
 * folders, 0555: a user who is not root cannot remove what they hold)
 * again after making the folder writable.
 */
static int unlink_in(int dir, const char *name, int flags)
{
	if (!unlinkat(dir, name, flags))
		return 0;
	if ((errno != EACCES && errno != EPERM) || fchmod(dir, 0700))
		return -1;
	return unlinkat(dir, name, flags);
}

static void level_release(struct level *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->self);
}

/*
 * Iterative, with one descriptor open: a folder is entered by name with
 * O_NOFOLLOW and left through "..", checked to be the parent it was
 * entered from (its entry still names the folder just emptied), so a tree
 * thousands of folders deep, longer than PATH_MAX, is removed too, and a
 * folder moved away meanwhile stops the removal rather than sending it
 * elsewhere.
 */
static int remove_dir(const char *path)
{
	struct level *stack = NULL;
	size_t depth = 0, alloc = 0;
	int rc = 0, saved = 0;
	struct stat st;
	int cur = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cur < 0)
		return -1;
	KNIT_ALLOC_GROW(stack, 1, alloc);
	stack[depth++] = (struct level){ 0 };
	if (read_names(cur, &stack[0]))
		goto fail;
	while (depth) {
		struct level *l = &stack[depth - 1];
		if (l->next < l->n) {
			const char *name = l->names[l->next++];
			if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW)) {
				if (errno == ENOENT)
					continue;
				goto fail;
			}
			if (!S_ISDIR(st.st_mode)) {
				if (unlink_in(cur, name, 0) && errno != ENOENT)
					goto fail;
				continue;
			}
			int next = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				goto fail;
			close(cur);
			cur = next;
			KNIT_ALLOC_GROW(stack, depth + 1, alloc);
			stack[depth] = (struct level){ NULL, 0, 0, knit_xstrdup(name), st.st_dev, st.st_ino };
			depth++;
			if (read_names(cur, &stack[depth - 1]))
				goto fail;
			continue;
		}
		if (depth == 1)
			break;
		int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (up < 0)
			goto fail;
		close(cur);
		cur = up;
		if (fstatat(cur, l->self, &st, AT_SYMLINK_NOFOLLOW) || st.st_dev != l->dev || st.st_ino != l->ino) {
			errno = ESTALE;
			goto fail;
		}
		if (unlink_in(cur, l->self, AT_REMOVEDIR))
			goto fail;
		level_release(l);
		depth--;
	}
	close(cur);
	cur = -1;
	rc = rmdir(path);
	saved = errno;
	goto done;
fail:
	saved = errno;
	rc = -1;
done:
	if (cur >= 0)
		close(cur);
	while (depth)
		level_release(&stack[--depth]);
	free(stack);
	errno = saved;
	return rc;
}

int knit_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return remove_dir(path);
}

/* mkdir -p, deepest first: a folder that exists (the common case) costs one call. */
int knit_make_dirs(const char *path)
{
	if (!mkdir(path, 0755) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	char *p = strdup(path);
	if (!p)
		return -1;
	char *slash = strrchr(p, '/');
	while (slash && slash > p && slash[1] == '\0') { /* a trailing slash */
		*slash = '\0';
		slash = strrchr(p, '/');
	}
	int rc = -1;
	if (slash && slash != p) {
		*slash = '\0';
		rc = knit_make_dirs(p);
	}
	free(p);
	if (rc)
		return -1;
	return !mkdir(path, 0755) || errno == EEXIST ? 0 : -1;
}

int knit_make_parents(const char *path)
{
	char *p = strdup(path), *slash;
	if (!p)
		return -1;
	slash = strrchr(p, '/');
	int rc = 0;
	if (slash && slash != p) {
		*slash = '\0';
		rc = knit_make_dirs(p);
	}
	free(p);
	return rc;
}

/* A file of the tree with more than one link: its inode, and how many names of the tree it has. */
struct shared_inode {
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	unsigned long long bytes;
};

static int by_inode(const void *a, const void *b)
{
	const struct shared_inode *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * The inodes with more than one link, sorted so that each one's names are
 * adjacent: each counted once into out->bytes, and linked outside when it
 * has more links than the names the walk met.
 */
static void add_shared(struct shared_inode *v, size_t n, struct knit_tree_usage *out)
{
	if (n)
		qsort(v, n, sizeof(*v), by_inode);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && v[j].dev == v[i].dev && v[j].ino == v[i].ino)
			j++;
		out->bytes += v[i].bytes;
		if (v[i].nlink > (nlink_t)(j - i))
			out->linked_outside = true;
		i = j;
	}
}

int knit_tree_usage(const char *path, struct knit_tree_usage *out)
{
	memset(out, 0, sizeof(*out));
	char **stack = NULL;
	size_t depth = 0, alloc = 0, nshared = 0, shared_alloc = 0;
	struct shared_inode *shared = NULL;
	KNIT_ALLOC_GROW(stack, depth + 1, alloc);
	stack[depth++] = knit_xstrdup(path);
	int rc = 0, saved = 0;
	while (depth) {
		char *dir = stack[--depth];
		DIR *d = rc ? NULL : opendir(dir);
		if (!d && !rc) {
			rc = -1;
			saved = errno;
		}
		for (struct dirent *e; d && (e = readdir(d));) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue; /* gone meanwhile: nothing to count */
			if (S_ISDIR(st.st_mode)) {
				size_t len = strlen(dir) + strlen(e->d_name) + 2;
				char *sub = knit_xmalloc(len);
				snprintf(sub, len, "%s/%s", dir, e->d_name);
				KNIT_ALLOC_GROW(stack, depth + 1, alloc);
				stack[depth++] = sub;
				continue;
			}
			if (S_ISREG(st.st_mode))
				out->files++;
			if (st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
				KNIT_ALLOC_GROW(shared, nshared + 1, shared_alloc);
				shared[nshared++] = (struct shared_inode){ st.st_dev, st.st_ino, st.st_nlink,
									   (unsigned long long)st.st_blocks * 512 };
			} else {
				out->bytes += (unsigned long long)st.st_blocks * 512;
			}
		}
		if (d)
			closedir(d);
		free(dir);
	}
	free(stack);
	add_shared(shared, nshared, out);
	free(shared);
	errno = saved;
	return rc;
}
