/*
 * Opening a path beneath a root folder, never leaving it: what a package's
 * own paths (bin entries, c.include, c.sources, link targets in a tarball)
 * may name. '..' never climbs above the root, an absolute path or link is
 * refused, and the package's symbolic links are followed only while they
 * stay inside, as openat2(2) does with RESOLVE_BENEATH. Where the kernel
 * lacks openat2 (ENOSYS) or a seccomp filter refuses it (EPERM), a
 * component walk does the same: each component opened with O_NOFOLLOW and
 * each link read and resolved against the root by knit itself, at most
 * KNIT_BENEATH_MAX_HOPS links per path (the kernel's limit).
 */
#ifndef KNIT_UTIL_BENEATH_H
#define KNIT_UTIL_BENEATH_H

#define KNIT_BENEATH_MAX_HOPS 40

/* how: */
#define KNIT_BENEATH_NO_SYMLINKS 1u /* refuse any symbolic link on the way (RESOLVE_NO_SYMLINKS) */

/*
 * Opens rel (relative; "" or "." is root itself) beneath the folder open as
 * root, with open(2) flags oflags (O_RDONLY, O_PATH, O_DIRECTORY...; not
 * O_CREAT). Returns a new descriptor the caller closes, or -1 with errno:
 * EXDEV when rel or a link on the way leaves root (an absolute link too),
 * ELOOP for a link under KNIT_BENEATH_NO_SYMLINKS or past the hop limit,
 * or what open(2) says (ENOENT, ENOTDIR...).
 */
int knit_beneath_open(int root, const char *rel, int oflags, unsigned how);
/*
 * The same through the component walk only, whatever the kernel offers:
 * knit_beneath_open's fallback, public so that tests check both agree.
 */
int knit_beneath_open_walk(int root, const char *rel, int oflags, unsigned how);

#endif
