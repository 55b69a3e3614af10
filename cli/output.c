#include "cli.h"

#include <stdarg.h>

static void report(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	fprintf(f, "knit: %s", prefix);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void knit_error(struct knit_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(cli->err, "error: ", fmt, ap);
	va_end(ap);
}

void knit_warning(struct knit_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(cli->err, "warning: ", fmt, ap);
	va_end(ap);
}
