/*
 * knit env: the compiler and linker flags for deps/, as shell assignments:
 *   eval "$(knit env)"; cc $KNIT_CFLAGS main.c $KNIT_LIBS
 * Builds what is not up to date first (knit build --deps, whose lines go to
 * stderr), then prints deps/knit.env, which that build writes
 * (project/build_deps.h).
 */
#include "cli.h"
#include "cli_session.h"
#include "options.h"
#include "project/build_deps.h"
#include "util/error.h"
#include "util/fs.h"

#include <string.h>

static const char *const env_usage[] = { "knit env", NULL };

int cmd_env(int argc, const char **argv, struct knit_cli *cli)
{
	const struct knit_option opts[] = { KNIT_OPT_END_() };
	int n = knit_parse_options(argc, argv, opts, env_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "env takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT, tail = STRBUF_INIT;
	struct knit_cli_session cs;
	if (knit_cli_session_open(&cs, cli, NULL, KNIT_CACHE_REVALIDATE))
		return KNIT_EXIT_FAILURE;
	struct knit_build_opts o = { ".", false, false, 0, false, false };
	int rc = knit_build_deps(&cs.session, &o, &err, &tail);
	if (!rc)
		knit_cli_session_built_summary(&cs);
	knit_cli_session_close(&cs);
	if (!rc)
		rc = knit_read_file("deps/knit.env", &text, &err);
	if (rc) {
		knit_error(cli, "%s", err.buf);
		if (tail.len)
			fprintf(cli->err, "%s%s", tail.buf, tail.buf[tail.len - 1] == '\n' ? "" : "\n");
		strbuf_release(&text);
		strbuf_release(&err);
		strbuf_release(&tail);
		return KNIT_EXIT_FAILURE;
	}
	strbuf_release(&tail);
	for (const char *line = text.buf; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len)
			fprintf(cli->out, "export %.*s\n", (int)len, line);
		line += len + (end ? 1 : 0);
	}
	strbuf_release(&text);
	strbuf_release(&err);
	return KNIT_EXIT_OK;
}
