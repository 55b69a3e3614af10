/*
 * Colour on the terminal, decided once per run: --color=always|never|auto
 * (--no-color is never; a bare --color is always), else auto, where a
 * stream gets colour when it is a terminal, TERM is not "dumb" and
 * NO_COLOR is unset or empty (no-color.org). The functions return the
 * escape, or "" when the stream gets none, so that callers write
 *
 *   fprintf(f, "%serror:%s %s\n", knit_color(f, KNIT_COLOR_RED), knit_color_reset(f), msg);
 *
 * and never test for colour themselves.
 */
#ifndef KNIT_CLI_COLOR_H
#define KNIT_CLI_COLOR_H

#include <stdbool.h>
#include <stdio.h>

enum knit_color_when { KNIT_COLOR_AUTO, KNIT_COLOR_ALWAYS, KNIT_COLOR_NEVER };

enum knit_color {
	KNIT_COLOR_RED,    /* errors, removals */
	KNIT_COLOR_YELLOW, /* warnings */
	KNIT_COLOR_GREEN,  /* additions, checks passed */
	KNIT_COLOR_CYAN,   /* the status line's phase */
	KNIT_COLOR_BOLD,
	KNIT_COLOR_DIM,
};

/* "auto", "always", "never" into *out: 0, or -1 for anything else. */
int knit_color_parse(const char *s, enum knit_color_when *out);
/* Sets the choice for the rest of the run (knit_cli_run does, from the options). */
void knit_color_set(enum knit_color_when when);
/*
 * Takes --color[=<when>] and --no-color out of argv[1..argc-1] wherever
 * they are before "--" (npm accepts --color anywhere), the last one
 * winning, and sets the choice: 0 with *argc lowered, or -1 when a
 * --color value is not auto, always or never (*bad is it).
 */
int knit_color_options(int *argc, const char **argv, const char **bad);
/* Whether f gets colour; decided the first time f is asked about. */
bool knit_color_on(FILE *f);
/* The escape that starts c on f, or "". */
const char *knit_color(FILE *f, enum knit_color c);
/* The escape that ends a colour on f, or "". */
const char *knit_color_reset(FILE *f);

#endif
