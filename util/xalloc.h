/*
 * Allocation helpers. knit treats running out of memory as fatal, as git does
 * with xmalloc(): every caller would otherwise grow an error path that no test
 * can reach. These print one line and abort.
 */
#ifndef KNIT_UTIL_XALLOC_H
#define KNIT_UTIL_XALLOC_H

#include <stddef.h>

void *knit_xmalloc(size_t size);
void *knit_xcalloc(size_t nmemb, size_t size);
void *knit_xrealloc(void *ptr, size_t size);
/* Returns a malloc'd copy of the first len bytes of s, NUL-terminated. */
char *knit_xmemdupz(const char *s, size_t len);
char *knit_xstrdup(const char *s);

#define KNIT_ALLOC_GROW(ptr, nr, alloc)                                      \
	do {                                                                 \
		if ((nr) > (alloc)) {                                        \
			size_t knit__a = (alloc) ? (alloc) * 2 : 8;          \
			if (knit__a < (nr))                                  \
				knit__a = (nr);                              \
			(ptr) = knit_xrealloc((ptr), knit__a * sizeof(*(ptr))); \
			(alloc) = knit__a;                                   \
		}                                                            \
	} while (0)

#endif
