#ifndef KNIT_UTIL_GLOB_H
#define KNIT_UTIL_GLOB_H

#include <stddef.h>

/* Owned paths, relative to the folder searched. */
struct knit_paths {
	char **items;
	size_t n, alloc;
};

/*
 * Adds to out the regular files under dir whose relative path matches
 * pattern: segments separated by '/', each matched by fnmatch(3) (a leading
 * dot must be matched explicitly), and a "**" segment matching any number
 * of folders, none included. Symbolic links are not followed. out is sorted
 * and without duplicates afterwards.
 */
void knit_glob(const char *dir, const char *pattern, struct knit_paths *out);
/*
 * As knit_glob, over a list of the regular files of a folder (relative
 * paths, as a store entry's index has them) instead of the folder itself:
 * the same matches, without reading a folder.
 */
void knit_glob_files(const char *const *files, size_t n, const char *pattern, struct knit_paths *out);
void knit_paths_release(struct knit_paths *p);

#endif
