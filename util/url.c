#include "url.h"

#include <string.h>

void knit_url_encode(const char *s, const char *keep, struct strbuf *out)
{
	static const char digits[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p) || strchr(keep, *p)) {
			strbuf_addch(out, *p);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, digits[*p >> 4]);
			strbuf_addch(out, digits[*p & 15]);
		}
	}
}
