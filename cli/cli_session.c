#include "cli_session.h"

#include <string.h>
#include <time.h>

static void on_warning(void *ctx, const char *line)
{
	struct knit_cli_session *cs = ctx;
	knit_progress_line_clear(&cs->line);
	knit_warning(cs->cli, "%s", line);
}

static void on_built(void *ctx, const struct knit_build_event *e)
{
	struct knit_cli_session *cs = ctx;
	knit_progress_line_clear(&cs->line);
	if (e->up_to_date)
		cs->up_to_date++;
	else if (e->from_cache)
		fprintf(cs->cli->err, "restored %s %s (%s) from the %sbuild cache\n", e->name, e->version, e->kind,
			e->remote ? "remote " : "");
	else
		fprintf(cs->cli->err, "built %s %s (%s) in %.1f s\n", e->name, e->version, e->kind, e->seconds);
}

/* What install changed, one line a package, as pnpm and Cargo list it: + added, ~ moved, - removed. */
static void on_changed(void *ctx, const struct knit_change_event *e)
{
	struct knit_cli_session *cs = ctx;
	knit_progress_line_clear(&cs->line);
	if (!e->from)
		fprintf(cs->cli->out, "+ %s %s\n", e->name, e->to);
	else if (!e->to)
		fprintf(cs->cli->out, "- %s %s\n", e->name, e->from);
	else
		fprintf(cs->cli->out, "~ %s %s -> %s\n", e->name, e->from, e->to);
}

void knit_cli_session_built_summary(struct knit_cli_session *cs)
{
	if (cs->up_to_date)
		fprintf(cs->cli->err, "%zu package%s up to date\n", cs->up_to_date, cs->up_to_date == 1 ? "" : "s");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The phase under way ends at t. */
static void phase_end(struct knit_cli_session *cs, double t)
{
	if (cs->phase < 0)
		cs->setup_seconds = t - cs->opened_at;
	else
		cs->phase_seconds[cs->phase] += t - cs->phase_since;
	cs->phase_since = t;
}

static void on_progress(void *ctx, const struct knit_progress *p)
{
	struct knit_cli_session *cs = ctx;
	if ((int)p->phase != cs->phase) {
		phase_end(cs, now());
		cs->phase = (int)p->phase;
	}
	knit_progress_line_draw(&cs->line, p);
}

void knit_cli_session_phases(struct knit_cli_session *cs, struct strbuf *out)
{
	static const char *const names[] = { "waiting for the project lock", "resolve", "fetch", "link", "build", "done" };
	double t = now();
	phase_end(cs, t);
	strbuf_addf(out, "setup %.1f ms", cs->setup_seconds * 1e3);
	for (int k = 0; k < KNIT_PHASE_DONE; k++)
		if (cs->phase_seconds[k] > 0)
			strbuf_addf(out, ", %s %.1f ms", names[k], cs->phase_seconds[k] * 1e3);
	strbuf_addf(out, "; %.1f ms in all", (t - cs->opened_at) * 1e3);
}

int knit_cli_session_open(struct knit_cli_session *cs, struct knit_cli *cli, const char *registry,
			  enum knit_cache_mode mode)
{
	struct strbuf err = STRBUF_INIT;
	memset(cs, 0, sizeof(*cs));
	cs->cli = cli;
	cs->phase = -1;
	cs->opened_at = cs->phase_since = now();
	knit_progress_line_init(&cs->line, cli->err);
	struct strbuf at = STRBUF_INIT;
	if (registry)
		knit_cli_registry(cli, registry, &at);
	struct knit_session_opts o = { ".", registry ? at.buf : NULL, mode, on_warning, on_progress, cs, on_built,
				       on_changed };
	int rc = knit_session_open(&cs->session, &o, &err);
	strbuf_release(&at);
	if (rc) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	return 0;
}

void knit_cli_session_quiet(struct knit_cli_session *cs)
{
	knit_progress_line_clear(&cs->line);
}

void knit_cli_session_close(struct knit_cli_session *cs)
{
	knit_progress_line_clear(&cs->line);
	knit_session_close(&cs->session);
}
