#include "url.h"
#include "error.h"
#include "pkgname.h"

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

int knit_url_check_registry(const char *url, const char *what, struct strbuf *err)
{
	if (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8) || !strncmp(url, "file://", 7))
		return 0;
	strbuf_addf(err, "%s ", what);
	knit_pkgname_quote(url, err);
	strbuf_addstr(err, " is not an http://, https:// or file:// URL");
	return KNIT_EINVALID_ARG;
}
