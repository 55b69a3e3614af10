#include "pkgname.h"
#include "error.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* What encodeURIComponent keeps, less the capitals and ~'!()* refused before. */
static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static bool all_name_chars(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

/* "@scope/name": one '/', a scope and a name, neither starting with '.' (so neither is '.' or '..'). */
static const char *check_scoped(const char *name)
{
	const char *slash = strchr(name, '/');
	if (!slash)
		return "it has an @scope but no '/name' after it";
	if (slash == name + 1)
		return "its @scope is empty";
	if (!slash[1])
		return "it has no name after its @scope";
	if (strchr(slash + 1, '/'))
		return "it has more than one '/'";
	if (name[1] == '.')
		return "its @scope starts with a period";
	if (slash[1] == '.')
		return "its name after the @scope starts with a period";
	if (!all_name_chars(name + 1, (size_t)(slash - name - 1)) || !all_name_chars(slash + 1, strlen(slash + 1)))
		return "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)";
	return NULL;
}

const char *knit_pkgname_check(const char *name)
{
	size_t len = strlen(name);
	if (!len)
		return "it is empty";
	if (len > KNIT_PKGNAME_MAX)
		return "it is longer than 214 characters";
	if (name[0] == '.')
		return "it starts with a period";
	if (name[0] == '-')
		return "it starts with a hyphen";
	if (name[0] == '_')
		return "it starts with an underscore";
	if (is_space(name[0]) || is_space(name[len - 1]))
		return "it has leading or trailing spaces";
	for (size_t i = 0; i < len; i++)
		if (is_control((unsigned char)name[i]))
			return "it has control characters";
	if (!strcasecmp(name, "node_modules") || !strcasecmp(name, "favicon.ico"))
		return "it is a reserved name";
	for (size_t i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			return "it has capital letters";
	if (strpbrk(name, "~'!()*"))
		return "it has one of the characters ~'!()*";
	if (name[0] == '@')
		return check_scoped(name);
	if (strchr(name, '/'))
		return "it has a '/' but no @scope in front";
	if (!all_name_chars(name, len))
		return "it has characters other than a-z 0-9 - . _ (and one @scope/ in front)";
	return NULL;
}

bool knit_pkgname_valid(const char *name)
{
	return !knit_pkgname_check(name);
}

/* name as one line: control characters as \xNN, cut after 64 bytes with "..." when longer than 80 */
static void add_shown(const char *name, struct strbuf *out)
{
	size_t len = strlen(name), shown = len > 80 ? 64 : len;
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)name[i];
		if (is_control(c))
			strbuf_addf(out, "\\x%02x", c);
		else
			strbuf_addch(out, (char)c);
	}
	if (shown < len)
		strbuf_addstr(out, "...");
}

void knit_pkgname_quote(const char *name, struct strbuf *out)
{
	strbuf_addch(out, '\'');
	add_shown(name, out);
	strbuf_addch(out, '\'');
}

int knit_pkgname_require(const char *name, struct strbuf *err, const char *fmt, ...)
{
	const char *why = knit_pkgname_check(name);
	if (!why)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	knit_pkgname_quote(name, err);
	strbuf_addf(err, ", which is not a valid package name: %s", why);
	return KNIT_EINVALID_ARG;
}

/* The backstop beneath the rules: a component that is empty, '.' or '..'. */
static bool has_dot_component(const char *name)
{
	for (const char *seg = name;;) {
		size_t n = strcspn(seg, "/");
		if (!n || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		if (!seg[n])
			return false;
		seg += n + 1;
	}
}

static int refuse(const char *name, const char *why, struct strbuf *err)
{
	knit_pkgname_quote(name, err);
	strbuf_addf(err, " is not a valid package name: %s", why);
	return KNIT_EINVALID_ARG;
}

int knit_pkgname_verify(const char *name, struct strbuf *err)
{
	const char *why = knit_pkgname_check(name);
	return why ? refuse(name, why, err) : 0;
}

int knit_pkgname_path(const char *base, const char *name, const char *suffix, struct strbuf *out,
		      struct strbuf *err)
{
	const char *why = knit_pkgname_check(name);
	if (!why && has_dot_component(name))
		why = "it has a '.' or '..' component";
	if (why)
		return refuse(name, why, err);
	if (base) {
		strbuf_addstr(out, base);
		strbuf_addch(out, '/');
	}
	strbuf_addstr(out, name);
	if (suffix)
		strbuf_addstr(out, suffix);
	return 0;
}

void knit_pkgname_up(const char *name, struct strbuf *out)
{
	strbuf_addstr(out, "../");
	for (const char *p = name; (p = strchr(p, '/')); p++)
		strbuf_addstr(out, "../");
}

int knit_spec_split(const char *arg, char **name, const char **rest, struct strbuf *err)
{
	/* arg + 1 only when there is a first byte: "" has none (it is its own terminator) */
	const char *at = *arg ? strchr(arg + 1, '@') : NULL;
	char *n = at ? knit_xmemdupz(arg, (size_t)(at - arg)) : knit_xstrdup(arg);
	const char *why = knit_pkgname_check(n);
	*name = NULL;
	*rest = NULL;
	if (!why) {
		*name = n;
		*rest = at ? at + 1 : NULL;
		return 0;
	}
	knit_pkgname_quote(arg, err);
	if (strchr(n, ':')) {
		strbuf_addstr(err, " needs the package's name in front: <name>@");
		add_shown(arg, err);
	} else if (at) {
		strbuf_addstr(err, ": ");
		knit_pkgname_quote(n, err);
		strbuf_addf(err, " is not a valid package name: %s", why);
	} else {
		strbuf_addf(err, " is not a valid package name: %s", why);
	}
	free(n);
	return KNIT_EINVALID_ARG;
}
