#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t size)
{
	if (!p && size) {
		fprintf(stderr, "knit: fatal: out of memory allocating %zu bytes\n", size);
		abort();
	}
	return p;
}

void *knit_xmalloc(size_t size)
{
	return check(malloc(size ? size : 1), size);
}

void *knit_xcalloc(size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size)
		return check(NULL, (size_t)-1);
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1), nmemb * size);
}

void *knit_xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1), size);
}

char *knit_xmemdupz(const char *s, size_t len)
{
	char *p = knit_xmalloc(len + 1);
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *knit_xstrdup(const char *s)
{
	return knit_xmemdupz(s, strlen(s));
}
