#include "fs.h"
#include "error.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* regular: refuse a link in path's last component and anything but a regular file */
static int read_file(const char *path, bool regular, struct strbuf *out, struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (regular ? O_NOFOLLOW | O_NONBLOCK : 0));
	if (fd < 0) {
		if (errno == ENOENT)
			return KNIT_ENOTFOUND;
		strbuf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		return KNIT_EIO;
	}
	/* sized by fstat, so that a small file costs one small allocation; a file
	 * that grows while read still reads whole */
	struct stat st;
	bool is_reg = !fstat(fd, &st) && S_ISREG(st.st_mode);
	if (regular && !is_reg) {
		strbuf_addf(err, "cannot read '%s': not a regular file", path);
		close(fd);
		return KNIT_EIO;
	}
	size_t want = is_reg ? (size_t)st.st_size + 1 : 65536;
	strbuf_grow(out, want);
	for (;;) {
		if (out->alloc - out->len <= 1)
			strbuf_grow(out, 65536);
		ssize_t n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			strbuf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			return KNIT_EIO;
		}
		if (!n)
			break;
		strbuf_setlen(out, out->len + (size_t)n);
	}
	close(fd);
	return 0;
}

int knit_read_file(const char *path, struct strbuf *out, struct strbuf *err)
{
	return read_file(path, false, out, err);
}

int knit_read_regular_file(const char *path, struct strbuf *out, struct strbuf *err)
{
	return read_file(path, true, out, err);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int knit_write_file_new(const char *path, const char *data, size_t len, unsigned mode, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = fd < 0 || fchmod(fd, (mode_t)mode) || write_all(fd, data, len) ? -1 : 0;
	int saved = errno;
	if (fd >= 0 && close(fd) && !rc) {
		rc = -1;
		saved = errno;
	}
	if (!rc)
		return 0;
	if (fd >= 0)
		unlink(path); /* ours, half written */
	strbuf_addf(err, "cannot write '%s': %s", path, strerror(saved));
	errno = saved;
	return saved == EEXIST ? KNIT_EEXIST : KNIT_EIO;
}

/*
 * A temporary file beside path with data (mode: the one given, else path's
 * when it exists, else 0644), fsync'ed when durable, renamed over path. 0,
 * or KNIT_EIO and a message.
 */
static int replace_file(const char *path, const char *data, size_t len, mode_t want, bool durable,
			struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	/* the owner's PID in the name: a later run can tell a killed run's file (project/txn.h) */
	strbuf_addf(&tmp, "%s.tmp-%ld-XXXXXX", path, (long)getpid());
	int rc = 0, fd = mkstemp(tmp.buf);
	if (fd < 0) {
		strbuf_addf(err, "cannot create a file beside '%s': %s", path, strerror(errno));
		strbuf_release(&tmp);
		return KNIT_EIO;
	}
	struct stat st;
	mode_t mode = want ? want : !stat(path, &st) ? st.st_mode & 07777 : 0644;
	if (fchmod(fd, mode) || write_all(fd, data, len) || (durable && fsync(fd))) {
		strbuf_addf(err, "cannot write '%s': %s", tmp.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	close(fd);
	if (!rc && rename(tmp.buf, path)) {
		strbuf_addf(err, "cannot replace '%s': %s", path, strerror(errno));
		rc = KNIT_EIO;
	}
	if (rc)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}

int knit_write_file_atomic(const char *path, const char *data, size_t len, bool *changed,
			   struct strbuf *err)
{
	return knit_write_file_atomic_mode(path, data, len, 0, changed, err);
}

int knit_write_file_atomic_mode(const char *path, const char *data, size_t len, unsigned mode,
				bool *changed, struct strbuf *err)
{
	struct strbuf old = STRBUF_INIT, scratch = STRBUF_INIT;
	int rc = 0;

	*changed = false;
	struct stat st;
	if (!knit_read_file(path, &old, &scratch) && old.len == len && !memcmp(old.buf, data, len) &&
	    (!mode || (!stat(path, &st) && (st.st_mode & 07777) == mode)))
		goto done;
	if ((rc = replace_file(path, data, len, mode, true, err)))
		goto done;
	*changed = true;
	/* the rename itself must reach the disk */
	char *dir_copy = strdup(path);
	if (dir_copy)
		knit_fsync_folder(dirname(dir_copy));
	free(dir_copy);
done:
	strbuf_release(&old);
	strbuf_release(&scratch);
	return rc;
}

int knit_write_cache_file(const char *path, const char *data, size_t len, struct strbuf *err)
{
	return replace_file(path, data, len, 0, false, err);
}

int knit_fsync_folder(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 || fsync(fd) ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

bool knit_temp_pid(const char *name, const char *prefix, long *pid)
{
	const char *at = strstr(name, prefix);
	*pid = 0;
	if (!at)
		return false;
	at += strlen(prefix);
	char *stop;
	long v = strtol(at, &stop, 10);
	if (stop != at && *stop == '-' && v > 0)
		*pid = v;
	return true;
}

bool knit_pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH);
}

bool knit_is_program(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}
