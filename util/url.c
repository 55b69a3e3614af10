#include "url.h"
#include "error.h"
#include "pkgname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

bool knit_url_is_path(const char *value)
{
	return value[0] == '/' || !strncmp(value, "./", 2) || !strncmp(value, "../", 3) || !strcmp(value, ".") ||
	       !strcmp(value, "..");
}

int knit_url_registry(const char *value, const char *what, struct strbuf *url, struct strbuf *err)
{
	if (!strncmp(value, "http://", 7) || !strncmp(value, "https://", 8) || !strncmp(value, "file://", 7)) {
		strbuf_addstr(url, value);
		return 0;
	}
	if (knit_url_is_path(value)) {
		strbuf_addstr(url, "file://");
		if (value[0] != '/') {
			char *cwd = getcwd(NULL, 0);
			if (!cwd) {
				strbuf_addf(err, "%s '%s': cannot tell the current folder: %s", what, value, strerror(errno));
				return KNIT_EIO;
			}
			knit_url_encode(cwd, "/@+", url);
			free(cwd);
			while (!strncmp(value, "./", 2))
				value += 2 + strspn(value + 2, "/");
			if (strcmp(value, "."))
				strbuf_addch(url, '/');
			else
				value = "";
		}
		knit_url_encode(value, "/@+", url);
		return 0;
	}
	strbuf_addf(err, "%s ", what);
	knit_pkgname_quote(value, err);
	strbuf_addstr(err, " is not an http://, https:// or file:// URL, or a folder's path");
	return KNIT_EINVALID_ARG;
}
