#include "cli.h"
#include "color.h"
#include "util/pkgname.h"
#include "util/redact.h"

#include <stdarg.h>

/* Every message goes through knit_redact: no URL's password or configured token reaches the terminal. */
static void report(FILE *f, enum knit_color color, const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	strbuf_vaddf(&msg, fmt, ap);
	knit_redact(&msg);
	fprintf(f, "%sknit: %s%s %s\n", knit_color(f, color), prefix, knit_color_reset(f), msg.buf);
	fflush(f);
	strbuf_release(&msg);
}

void knit_error(struct knit_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(cli->err, KNIT_COLOR_RED, "error:", fmt, ap);
	va_end(ap);
}

void knit_warning(struct knit_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(cli->err, KNIT_COLOR_YELLOW, "warning:", fmt, ap);
	va_end(ap);
}

bool knit_cli_names_valid(struct knit_cli *cli, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strbuf why = STRBUF_INIT;
		if (knit_pkgname_verify(names[i], &why)) {
			knit_error(cli, "%s", why.buf);
			strbuf_release(&why);
			return false;
		}
	}
	return true;
}

void knit_human_size(unsigned long long n, char *buf, size_t size)
{
	if (n < 1000)
		snprintf(buf, size, "%llu B", n);
	else if (n < 1000000)
		snprintf(buf, size, "%.1f kB", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, size, "%.1f MB", (double)n / 1e6);
	else
		snprintf(buf, size, "%.1f GB", (double)n / 1e9);
}
