/* knit whoami: the user name the registry knows the configured token by. */
#include "cli.h"
#include "options.h"
#include "registry/account.h"
#include "registry_cmd.h"

static const char *const whoami_usage[] = { "knit whoami [--registry <url>]", NULL };

int cmd_whoami(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "ask this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, whoami_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "whoami takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_registry_cmd rc;
	if (knit_registry_cmd_open(&rc, cli, registry, NULL))
		return KNIT_EXIT_FAILURE;
	struct strbuf user = STRBUF_INIT, err = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	if (knit_account_whoami(&rc.s->cfg, rc.s->fetch, rc.registry, &user, &err))
		knit_error(cli, "%s", err.buf);
	else {
		fprintf(cli->out, "%s\n", user.buf);
		status = KNIT_EXIT_OK;
	}
	knit_registry_cmd_close(&rc);
	strbuf_release(&user);
	strbuf_release(&err);
	return status;
}
