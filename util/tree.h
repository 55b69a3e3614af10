/* Folder trees: removing, measuring, and making a path's parents. */
#ifndef KNIT_UTIL_TREE_H
#define KNIT_UTIL_TREE_H

#include <stdbool.h>

/*
 * Removes path and everything below it, never following symlinks, at any
 * depth (no recursion, one descriptor open), read-only folders too. 0, or
 * -1 with errno.
 */
int knit_remove_tree(const char *path);
/* mkdir -p of the folder that will hold path (not path itself). 0 or -1 with errno. */
int knit_make_parents(const char *path);
/* mkdir -p of path. */
int knit_make_dirs(const char *path);

/* What a folder's tree holds, as knit_tree_usage counts it. */
struct knit_tree_usage {
	unsigned long long bytes; /* disk blocks of its files and links (st_blocks), each inode once */
	unsigned long long files; /* regular files */
	bool linked_outside;      /* a file of it has a hard link outside the tree */
};
/*
 * Measures the tree at path without following links, at any depth (no
 * recursion): a file whose link count exceeds the names it has in the
 * tree is linked from elsewhere (a project's deps/). 0, or -1 with errno.
 */
int knit_tree_usage(const char *path, struct knit_tree_usage *out);

#endif
