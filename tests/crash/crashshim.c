/*
 * The crash harness's shim, loaded with LD_PRELOAD into knit: it counts the
 * file-changing calls of the process (open/openat/creat with O_CREAT,
 * mkstemp/mkdtemp, rename/renameat/renameat2, unlink/unlinkat, link/linkat,
 * symlink/symlinkat, mkdir/mkdirat, and write on a regular file) and, when
 * KNIT_CRASH_AT=N is set, kills the whole process with SIGKILL just before
 * the Nth of them, as a power cut or an OOM kill would. With
 * KNIT_CRASH_COUNT=PATH it writes the number of such calls to PATH when the
 * process exits, so that a test knows the range of N.
 *
 * knit writes from several threads (the store pool, deps linking): the
 * counter is atomic and the kill takes every thread at once. Calls made by
 * libraries knit loads (libarchive, libcurl) go through the same symbols
 * and count too. glibc's own internal calls (mkstemp's open) do not reach
 * the symbols interposed here, hence mkstemp and mkdtemp are counted as
 * calls of their own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long crash_at;
static unsigned long calls; /* atomic */
static int finished;

__attribute__((constructor)) static void crash_init(void)
{
	const char *at = getenv("KNIT_CRASH_AT");
	if (at && *at)
		crash_at = strtoul(at, NULL, 10);
}

__attribute__((destructor)) static void crash_fini(void)
{
	const char *path = getenv("KNIT_CRASH_COUNT");
	__atomic_store_n(&finished, 1, __ATOMIC_SEQ_CST);
	if (!path || !*path)
		return;
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%lu\n", __atomic_load_n(&calls, __ATOMIC_SEQ_CST));
		fclose(f);
	}
}

/* One file-changing call is about to happen. */
static void step(void)
{
	if (__atomic_load_n(&finished, __ATOMIC_RELAXED))
		return;
	unsigned long n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	if (crash_at && n == crash_at)
		kill(getpid(), SIGKILL);
}

/* real: the next definition of fn, libc's (or the sanitizer's in front of it) */
#define REAL(fn) \
	static __typeof__(&fn) real; \
	if (!real) \
		real = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn)

static int creates(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/*
 * The mode argument of an open-like call, which is there when the flags
 * create a file; counts the call then.
 */
#define MODE_ARG(flags) \
	({ \
		va_list ap_; \
		va_start(ap_, flags); \
		mode_t m_ = creates(flags) ? (mode_t)va_arg(ap_, int) : 0; \
		va_end(ap_); \
		if (creates(flags)) \
			step(); \
		m_; \
	})

int open(const char *path, int flags, ...);
int open(const char *path, int flags, ...)
{
	REAL(open);
	mode_t mode = MODE_ARG(flags);
	return real(path, flags, mode);
}

int open64(const char *path, int flags, ...);
int open64(const char *path, int flags, ...)
{
	REAL(open64);
	mode_t mode = MODE_ARG(flags);
	return real(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...)
{
	REAL(openat);
	mode_t mode = MODE_ARG(flags);
	return real(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...)
{
	REAL(openat64);
	mode_t mode = MODE_ARG(flags);
	return real(dirfd, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	REAL(creat);
	step();
	return real(path, mode);
}

int mkstemp(char *tmpl)
{
	REAL(mkstemp);
	step();
	return real(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
	REAL(mkostemp);
	step();
	return real(tmpl, flags);
}

char *mkdtemp(char *tmpl)
{
	REAL(mkdtemp);
	step();
	return real(tmpl);
}

int rename(const char *from, const char *to)
{
	REAL(rename);
	step();
	return real(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	REAL(renameat);
	step();
	return real(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
	REAL(renameat2);
	step();
	return real(fromfd, from, tofd, to, flags);
}

int unlink(const char *path)
{
	REAL(unlink);
	step();
	return real(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	REAL(unlinkat);
	step();
	return real(dirfd, path, flags);
}

int rmdir(const char *path)
{
	REAL(rmdir);
	step();
	return real(path);
}

int link(const char *from, const char *to)
{
	REAL(link);
	step();
	return real(from, to);
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	REAL(linkat);
	step();
	return real(fromfd, from, tofd, to, flags);
}

int symlink(const char *target, const char *path)
{
	REAL(symlink);
	step();
	return real(target, path);
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	REAL(symlinkat);
	step();
	return real(target, dirfd, path);
}

int mkdir(const char *path, mode_t mode)
{
	REAL(mkdir);
	step();
	return real(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	REAL(mkdirat);
	step();
	return real(dirfd, path, mode);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(write);
	struct stat st;
	/* files only: not the terminal, pipes or sockets */
	if (fd > 2 && !fstat(fd, &st) && S_ISREG(st.st_mode))
		step();
	return real(fd, buf, len);
}
