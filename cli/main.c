#include "cli.h"
#include "builder/builder.h"

#include <string.h>

int main(int argc, char **argv)
{
	struct knit_cli cli = { stdout, stderr, NULL, NULL };
	/* knit as the sandbox of a build step, where bubblewrap is missing (builder/sandbox_ns.c) */
	if (argc > 1 && !strcmp(argv[1], KNIT_SANDBOX_EXEC)) {
		struct strbuf err = STRBUF_INIT;
		knit_sandbox_enter(argc - 1, argv + 1, &err);
		knit_error(&cli, "%s", err.buf);
		strbuf_release(&err);
		return 127;
	}
	return knit_cli_run(argc, (const char **)argv, &cli);
}
