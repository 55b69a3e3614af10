/*
 * One status line on a terminal while an install runs: what phase it is in,
 * packuments read, tarballs downloaded (count and bytes), packages linked;
 * while knit build runs, the packages building and how many are done.
 * Redrawn in place at most every 80 ms and at every phase change, erased at
 * the end. When standard error is not a terminal (or TERM is dumb) it draws
 * nothing, so logs and pipes see only knit's ordinary output, except one
 * line when knit must wait for another knit process in the same project.
 */
#ifndef KNIT_CLI_PROGRESS_H
#define KNIT_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "project/session.h"

struct knit_progress_line {
	FILE *to;
	bool enabled, drawn;
	double last_draw;
	enum knit_phase last_phase;
};

void knit_progress_line_init(struct knit_progress_line *pl, FILE *to);
/* Draws p, unless the last drawing is under 80 ms old and of the same phase. */
void knit_progress_line_draw(struct knit_progress_line *pl, const struct knit_progress *p);
/* Erases the line, if one is drawn, before other output. */
void knit_progress_line_clear(struct knit_progress_line *pl);

#endif
