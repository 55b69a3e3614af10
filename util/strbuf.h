/*
 * A growable string, after git's strbuf.
 *
 * Invariants: buf is never NULL (it points at a shared empty string until the
 * first growth), buf[len] is always '\0', and after strbuf_detach() the caller
 * owns the storage and the strbuf is empty again.
 */
#ifndef KNIT_UTIL_STRBUF_H
#define KNIT_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Returns the string; the caller owns it and must free() it. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/*
 * Appends s for a one-line message: control characters (below 0x20, and
 * 0x7f) as \n, \t, \r or \xHH, a backslash as \\; everything else as is.
 */
void strbuf_add_visible(struct strbuf *sb, const char *s);

#endif
