/*
 * knit publish: packs the project (as knit pack does) and publishes that
 * version to its registry: a folder registry directly, an HTTP one with
 * npm's PUT and the token from the settings. A published version is never
 * replaced; what may be published at all is knit_pack_publish_req's to
 * decide (project/pack.h).
 */
#include "cli.h"
#include "options.h"
#include "pack_report.h"
#include "project/pack.h"
#include "project/publish_verify.h"
#include "registry/publish.h"
#include "registry_cmd.h"

static const char *const publish_usage[] = {
	"knit publish [--tag <tag>] [--registry <url>] [--dry-run] [--no-verify]", NULL };

int cmd_publish(int argc, const char **argv, struct knit_cli *cli)
{
	int dry_run = 0, no_verify = 0;
	const char *tag = NULL, *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "tag", &tag, "tag", "the dist-tag to point at this version (default latest)"),
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "publish there instead of the configured registry"),
		KNIT_OPT_BOOL_(0, "dry-run", &dry_run, "pack, verify and report, publish nothing"),
		KNIT_OPT_BOOL_(0, "no-verify", &no_verify, "do not build the package from its tarball first"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, publish_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "publish takes no arguments, got '%s'; it publishes the project here", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_pack p;
	struct knit_registry_cmd rc = { 0 };
	struct knit_publish_req req;
	struct strbuf err = STRBUF_INIT, file = STRBUF_INIT, sri = STRBUF_INIT, url = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	/* the session first: its settings' tokens no packed file may hold, and it takes the warnings */
	if (knit_registry_cmd_open_session(&rc, cli))
		return KNIT_EXIT_FAILURE;
	if (knit_pack_make(&p, ".", rc.s, &err)) {
		knit_error(cli, "%s", err.buf);
		knit_registry_cmd_close(&rc);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	if (knit_pack_publish_req(&p, tag, &req, &sri, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	if (knit_registry_cmd_pick(&rc, cli, registry, p.name))
		goto done;
	if (!no_verify) {
		struct strbuf tail = STRBUF_INIT;
		int vrc = knit_publish_verify(&p, ".", rc.s, &err, &tail);
		if (vrc) {
			knit_error(cli, "%s", err.buf);
			if (tail.len)
				fprintf(cli->err, "%s%s", tail.buf, tail.buf[tail.len - 1] == '\n' ? "" : "\n");
		}
		strbuf_release(&tail);
		if (vrc)
			goto done;
	}
	knit_pack_filename(p.name, p.version, &file);
	knit_pack_report(cli, &p, file.buf);
	if (dry_run) {
		fprintf(cli->out, "would publish %s@%s to %s with tag %s (--dry-run)\n", p.name, p.version,
			rc.registry, tag ? tag : "latest");
		status = KNIT_EXIT_OK;
	} else if (knit_publish(&rc.s->cfg, rc.s->fetch, rc.registry, &req, &url, &err)) {
		knit_error(cli, "%s", err.buf);
	} else {
		fprintf(cli->out, "+ %s@%s\npublished to %s with tag %s\n", p.name, p.version, rc.registry,
			tag ? tag : "latest");
		status = KNIT_EXIT_OK;
	}
done:
	knit_registry_cmd_close(&rc); /* nothing to close when never opened */
	knit_pack_release(&p);
	strbuf_release(&err);
	strbuf_release(&file);
	strbuf_release(&sri);
	strbuf_release(&url);
	return status;
}
