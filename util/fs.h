/*
 * Files that matter are written atomically: a temporary file beside the
 * target, fsync, rename, fsync of the folder. A reader sees the old file or
 * the new one, never half of either, whatever interrupts the writer.
 */
#ifndef KNIT_UTIL_FS_H
#define KNIT_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

/*
 * Reads path into *out. Returns 0, KNIT_ENOTFOUND when it does not exist,
 * or KNIT_EIO with a one-line message naming the file in *err.
 */
int knit_read_file(const char *path, struct strbuf *out, struct strbuf *err);
/*
 * The same for a file that must be a regular file reached without a
 * symbolic link as its last component (O_NOFOLLOW): a link, a folder or a
 * FIFO there is KNIT_EIO, "cannot open 'x': ..." or "not a regular file".
 */
int knit_read_regular_file(const char *path, struct strbuf *out, struct strbuf *err);
/*
 * Replaces path with data atomically; does nothing when the file already
 * holds exactly data (*changed says which). 0, or KNIT_EIO and a message.
 */
int knit_write_file_atomic(const char *path, const char *data, size_t len, bool *changed,
			   struct strbuf *err);
/* The same, giving the file mode (0600 for a file that holds tokens) from the start. */
int knit_write_file_atomic_mode(const char *path, const char *data, size_t len, unsigned mode,
				bool *changed, struct strbuf *err);
/*
 * For caches: replaces path atomically (temporary file and rename) but
 * without fsync, so a crash may leave the old file, the new one, or an
 * empty one; readers must check what they read. 0, or KNIT_EIO and a message.
 */
int knit_write_cache_file(const char *path, const char *data, size_t len, struct strbuf *err);
/*
 * Creates path holding data, with exactly mode, never over anything there
 * (O_EXCL, O_NOFOLLOW: an existing file or link is KNIT_EEXIST), without
 * fsync: for the files of a folder that is made whole and then put in
 * place, or that is derived data. 0, or KNIT_EEXIST / KNIT_EIO with
 * "cannot write '<path>': <reason>" in *err, and errno kept; a file
 * half written is removed.
 */
int knit_write_file_new(const char *path, const char *data, size_t len, unsigned mode, struct strbuf *err);
/* fsync(2) of the folder at path: the names made in it survive a power cut. 0 or -1 with errno. */
int knit_fsync_folder(const char *path);
/*
 * Temporaries carry their owner's PID: "<prefix><pid>-...". Whether name
 * holds prefix; *pid is the PID after it, 0 for an older name without one.
 */
bool knit_temp_pid(const char *name, const char *prefix, long *pid);
/* Whether process pid may be alive (kill(pid, 0) does not say ESRCH): true for our own. */
bool knit_pid_alive(long pid);
/* Whether path is a regular file this process may execute: what execve and a shell's PATH search take. */
bool knit_is_program(const char *path);

#endif
