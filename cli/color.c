#include "color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum knit_color_when color_when = KNIT_COLOR_AUTO;
/* auto's answer for standard output and standard error, once known: -1 not yet */
static int std_on[3] = { -1, -1, -1 };

int knit_color_parse(const char *s, enum knit_color_when *out)
{
	static const char *const names[] = { "auto", "always", "never" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum knit_color_when)i;
			return 0;
		}
	return -1;
}

void knit_color_set(enum knit_color_when when)
{
	color_when = when;
}

int knit_color_options(int *argc, const char **argv, const char **bad)
{
	enum knit_color_when when = KNIT_COLOR_AUTO;
	int kept = 1, i = 1;
	for (; i < *argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--no-color"))
			when = KNIT_COLOR_NEVER;
		else if (!strcmp(a, "--color"))
			when = KNIT_COLOR_ALWAYS;
		else if (!strncmp(a, "--color=", 8) && knit_color_parse(a + 8, &when)) {
			*bad = a + 8;
			return -1;
		} else if (strncmp(a, "--color=", 8))
			argv[kept++] = a;
	}
	for (; i < *argc; i++) /* "--" and what follows, as given */
		argv[kept++] = argv[i];
	*argc = kept;
	color_when = when;
	return 0;
}

static bool auto_on(int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	return !(no && *no) && fd >= 0 && isatty(fd) && !(term && !strcmp(term, "dumb"));
}

bool knit_color_on(FILE *f)
{
	if (color_when != KNIT_COLOR_AUTO)
		return color_when == KNIT_COLOR_ALWAYS;
	int fd = fileno(f);
	if (fd != 1 && fd != 2)
		return auto_on(fd); /* a test's stream, or a file: asked each time */
	if (std_on[fd] < 0)
		std_on[fd] = auto_on(fd);
	return std_on[fd];
}

const char *knit_color(FILE *f, enum knit_color c)
{
	static const char *const escapes[] = {
		[KNIT_COLOR_RED] = "\033[31m", [KNIT_COLOR_YELLOW] = "\033[33m", [KNIT_COLOR_GREEN] = "\033[32m",
		[KNIT_COLOR_CYAN] = "\033[36m", [KNIT_COLOR_BOLD] = "\033[1m",  [KNIT_COLOR_DIM] = "\033[2m",
	};
	return knit_color_on(f) ? escapes[c] : "";
}

const char *knit_color_reset(FILE *f)
{
	return knit_color_on(f) ? "\033[m" : "";
}
