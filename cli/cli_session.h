/*
 * The session every command that reads settings or talks to a registry
 * works with (project/session.h), made here once per command: warnings
 * print as "knit: warning: ..." (erasing the progress line first), and
 * progress draws the status line of progress.h.
 */
#ifndef KNIT_CLI_CLI_SESSION_H
#define KNIT_CLI_CLI_SESSION_H

#include "cli.h"
#include "progress.h"
#include "project/session.h"

struct knit_cli_session {
	struct knit_session session;
	struct knit_progress_line line;
	struct knit_cli *cli;
	size_t up_to_date; /* knit build's packages found up to date: one summary line, not one each */
	/* --timing: the wall time of each phase the core reported, and before the first ("setup") */
	double phase_seconds[KNIT_PHASE_DONE + 1], setup_seconds, phase_since, opened_at;
	int phase; /* the phase under way, -1 before the first */
};

/*
 * Loads the settings of the project in "." (with --registry when given) and
 * makes the fetch. 0, or -1 after printing the error. cs must not move
 * while open: the callbacks point at it.
 */
int knit_cli_session_open(struct knit_cli_session *cs, struct knit_cli *cli, const char *registry,
			  enum knit_cache_mode mode);
/* "N packages up to date", when knit build found any. */
void knit_cli_session_built_summary(struct knit_cli_session *cs);
/*
 * "setup 1.2 ms, resolve 40.1 ms, fetch 30.5 ms, link 9.8 ms; 81.6 ms in
 * all": each phase's wall time so far (the one under way ends now).
 */
void knit_cli_session_phases(struct knit_cli_session *cs, struct strbuf *out);
/* Erases the progress line, if drawn, before other output. */
void knit_cli_session_quiet(struct knit_cli_session *cs);
void knit_cli_session_close(struct knit_cli_session *cs);

#endif
