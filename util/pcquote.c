#include "pcquote.h"

#include <string.h>

bool knit_plain_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("_@%+=:,./-", c));
}

void knit_pc_quote(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!knit_plain_byte(c))
			strbuf_addch(out, '\\');
		strbuf_addch(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
}
