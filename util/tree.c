#include "tree.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int knit_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS);
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
