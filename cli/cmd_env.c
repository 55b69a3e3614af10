/*
 * knit env: the compiler and linker flags for deps/, as shell assignments:
 *   eval "$(knit env)"; cc $KNIT_CFLAGS main.c $KNIT_LIBS
 * Prints deps/knit.env, which every install writes (project/buildfiles.h).
 */
#include "cli.h"
#include "options.h"
#include "project/txn.h"
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
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	/* first, under the project lock: finish or undo an interrupted install */
	if (knit_txn_recover_project(".", &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	int rc = knit_read_file("deps/knit.env", &text, &err);
	if (rc) {
		knit_error(cli, "%s", rc == KNIT_ENOTFOUND ? "no deps/knit.env here; 'knit install' writes it"
							   : err.buf);
		strbuf_release(&text);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
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
