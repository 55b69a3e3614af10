/*
 * knit doctor: checks what installs and builds need (project/doctor.h) and
 * prints one line per finding, its fix after a semicolon:
 *
 *   ok    registry https://registry.npmjs.org: answered /-/ping in 12 ms
 *   fail  cache /home/me/.cache/knit: not a folder; remove what is in the way, ...
 *
 * then a summary. Exits 1 when a check failed; a warning alone does not.
 */
#include "cli.h"
#include "color.h"
#include "options.h"
#include "project/doctor.h"

#include <stdlib.h>
#include <string.h>

static const char *const doctor_usage[] = { "knit doctor [--registry <url>]", NULL };

static void print_finding(void *ctx, const struct knit_doctor_finding *f)
{
	struct knit_cli *cli = ctx;
	static const char *const words[] = { "ok  ", "warn", "fail" };
	static const enum knit_color colors[] = { KNIT_COLOR_GREEN, KNIT_COLOR_YELLOW, KNIT_COLOR_RED };
	fprintf(cli->out, "%s%s%s  %s %s: %s%s%s\n", knit_color(cli->out, colors[f->status]), words[f->status],
		knit_color_reset(cli->out), f->check, f->subject, f->detail,
		f->fix ? "; " : "", f->fix ? f->fix : "");
	fflush(cli->out); /* a registry may take seconds: each line as it is known */
}

int cmd_doctor(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "check this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, doctor_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "doctor takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_config cfg;
	struct strbuf err = STRBUF_INIT;
	if (knit_config_load(&cfg, ".", registry, &err)) {
		/* settings that do not load are a finding too, the first one */
		fprintf(cli->out, "fail  settings: %s; correct it\n", err.buf);
		strbuf_release(&err);
		return KNIT_EXIT_FAILURE;
	}
	strbuf_release(&err);
	char *here = realpath(".", NULL); /* named whole in what is printed */
	struct knit_doctor_opts o = { .cfg = &cfg, .project_dir = here ? here : "." };
	size_t failed, warned;
	knit_doctor_run(&o, print_finding, cli, &failed, &warned);
	knit_config_release(&cfg);
	free(here);
	if (failed)
		fprintf(cli->out, "%zu check%s failed%s\n", failed, failed == 1 ? "" : "s",
			warned ? ", and a warning" : "");
	else if (warned)
		fprintf(cli->out, "no check failed; %zu warning%s\n", warned, warned == 1 ? "" : "s");
	else
		fputs("every check passed\n", cli->out);
	return failed ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
}
