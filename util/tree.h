/* Folder trees: removing, and making a path's parents. */
#ifndef KNIT_UTIL_TREE_H
#define KNIT_UTIL_TREE_H

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

#endif
