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

int knit_make_dirs(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
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
