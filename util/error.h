/*
 * knit's error codes: negative ints from one table, as libuv's UV_ERRNO_MAP.
 * Library code returns them; only cli/ turns them into messages and exit codes.
 */
#ifndef KNIT_UTIL_ERROR_H
#define KNIT_UTIL_ERROR_H

#include <stdbool.h>

#define KNIT_ERRNO_MAP(XX)                                        \
	XX(EINVALID_VERSION, "invalid version")                   \
	XX(EINVALID_RANGE, "invalid range")                       \
	XX(EINVALID_ARG, "invalid argument")                      \
	XX(ENOMATCH, "no matching version")                       \
	XX(ENOTFOUND, "no such package")                          \
	XX(ENOSOLUTION, "version solving failed")                 \
	XX(EPARSE, "malformed file")                              \
	XX(EIO, "input/output error")                             \
	XX(EEXIST, "already exists")                         \
	XX(EAUTH, "not authorized")                          \
	XX(EINTR, "interrupted")

enum knit_errno {
	KNIT_OK = 0,
	KNIT__ERRNO_BASE = -1000,
#define XX(code, msg) KNIT_##code,
	KNIT_ERRNO_MAP(XX)
#undef XX
};

/* Returns a static message for a knit_errno value. */
const char *knit_strerror(int err);
/* Returns the symbolic name ("EINVALID_RANGE") of a knit_errno value. */
const char *knit_err_name(int err);

/*
 * An interruption (SIGINT, SIGTERM) the command line asked for: its signal
 * handler calls knit_interrupt (async-signal-safe: it sets one flag), and
 * the core checks knit_interrupted at safe points (the fetch's rounds,
 * between an install's stages) and stops there with KNIT_EINTR, before
 * anything of the project changes.
 */
void knit_interrupt(void);
bool knit_interrupted(void);

#endif
