/*
 * knit pack: the project as <name>-<version>.tgz, the tarball knit publish
 * would upload (project/pack.h says what goes in). Prints the file list,
 * sizes, shasum and integrity, then the file name on the last line.
 */
#include "cli.h"
#include "cli_session.h"
#include "options.h"
#include "pack_report.h"
#include "project/pack.h"
#include "util/fs.h"

#include <string.h>

static const char *const pack_usage[] = {
	"knit pack [--dry-run] [--pack-destination <dir>]", NULL };

int cmd_pack(int argc, const char **argv, struct knit_cli *cli)
{
	int dry_run = 0;
	const char *dest = ".";
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "dry-run", &dry_run, "list what would be packed; write nothing"),
		KNIT_OPT_STRING_(0, "pack-destination", &dest, "dir", "write the tarball into this folder"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, pack_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "pack takes no arguments, got '%s'; it packs the project here", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_pack p;
	struct knit_cli_session cs;
	struct strbuf err = STRBUF_INIT, file = STRBUF_INIT, path = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	/* the session: the settings' tokens, which no packed file may hold, and the warnings */
	if (knit_cli_session_open(&cs, cli, NULL, KNIT_CACHE_REVALIDATE)) {
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	if (knit_pack_make(&p, ".", &cs.session, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	knit_pack_filename(p.name, p.version, &file);
	knit_pack_report(cli, &p, file.buf);
	if (!dry_run) {
		bool changed;
		struct strbuf at = STRBUF_INIT; /* the folder as the project root reads it (knit pack from src/) */
		knit_cli_path(cli, dest, &at);
		strbuf_addf(&path, "%s/%s", at.buf, file.buf);
		strbuf_release(&at);
		if (knit_write_file_atomic(path.buf, p.tgz.buf, p.tgz.len, &changed, &err)) {
			knit_error(cli, "%s", err.buf);
			knit_pack_release(&p);
			goto done;
		}
	}
	if (!dry_run) { /* as the user's folder reads it */
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dest, file.buf);
	}
	fprintf(cli->out, "%s\n", dry_run ? file.buf : path.buf);
	knit_pack_release(&p);
	status = KNIT_EXIT_OK;
done:
	knit_cli_session_close(&cs);
	strbuf_release(&err);
	strbuf_release(&file);
	strbuf_release(&path);
	return status;
}
