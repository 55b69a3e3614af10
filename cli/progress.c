#include "progress.h"
#include "color.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void knit_progress_line_init(struct knit_progress_line *pl, FILE *to)
{
	const char *term = getenv("TERM");
	*pl = (struct knit_progress_line){ .to = to, .last_phase = KNIT_PHASE_DONE };
	pl->enabled = isatty(fileno(to)) && !(term && !strcmp(term, "dumb"));
}

static void human_bytes(unsigned long long n, char *buf, size_t size)
{
	if (n < 1024)
		snprintf(buf, size, "%llu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void knit_progress_line_draw(struct knit_progress_line *pl, const struct knit_progress *p)
{
	if (!pl->enabled) {
		/* logs still learn why nothing happens for a while */
		if (p->phase == KNIT_PHASE_WAIT) {
			fputs("knit: waiting for another knit process in this project to finish\n", pl->to);
			fflush(pl->to);
		}
		return;
	}
	double t = now_s();
	/* builds start and end seldom: each of their events is drawn */
	if (p->phase == pl->last_phase && t - pl->last_draw < 0.08 && p->phase != KNIT_PHASE_BUILD)
		return;
	pl->last_phase = p->phase;
	pl->last_draw = t;
	char bytes[32];
	/* the phase's word in colour */
	const char *on = knit_color(pl->to, KNIT_COLOR_CYAN), *off = knit_color_reset(pl->to);
	switch (p->phase) {
	case KNIT_PHASE_WAIT:
		fprintf(pl->to, "\r\033[K%swaiting%s for another knit process in this project", on, off);
		break;
	case KNIT_PHASE_RESOLVE:
		fprintf(pl->to, "\r\033[K%sresolving%s: %zu/%zu packuments", on, off, p->packuments_done, p->packuments);
		break;
	case KNIT_PHASE_FETCH:
		if (!p->tarballs) {
			fprintf(pl->to, "\r\033[K%zu package%s resolved, all in the store", p->packages, plural(p->packages));
			break;
		}
		human_bytes(p->bytes, bytes, sizeof(bytes));
		fprintf(pl->to, "\r\033[K%zu package%s resolved; %sfetching%s %zu/%zu tarball%s, %s", p->packages,
			plural(p->packages), on, off, p->tarballs_done, p->tarballs, plural(p->tarballs), bytes);
		break;
	case KNIT_PHASE_LINK:
		fprintf(pl->to, "\r\033[K%slinking%s %zu package%s into deps/", on, off, p->packages, plural(p->packages));
		break;
	case KNIT_PHASE_BUILD:
		fprintf(pl->to, "\r\033[K%sbuilding%s %zu/%zu: %.60s", on, off, p->builds_done, p->builds,
			p->building ? p->building : "");
		break;
	case KNIT_PHASE_DONE:
		knit_progress_line_clear(pl);
		return;
	}
	pl->drawn = true;
	fflush(pl->to);
}

void knit_progress_line_clear(struct knit_progress_line *pl)
{
	if (!pl->drawn)
		return;
	fputs("\r\033[K", pl->to);
	fflush(pl->to);
	pl->drawn = false;
}
