/*
 * knit logout: asks the registry to forget the token (where it can) and
 * takes //host/path/:_authToken out of the user's settings.
 */
#include "cli.h"
#include "options.h"
#include "registry/account.h"
#include "registry_cmd.h"

#include <string.h>

static const char *const logout_usage[] = { "knit logout [--registry <url>]", NULL };

int cmd_logout(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "log out of this registry instead of the configured one"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, logout_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "logout takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_registry_cmd rc;
	if (knit_registry_cmd_open(&rc, cli, registry, NULL))
		return KNIT_EXIT_FAILURE;
	struct strbuf file = STRBUF_INIT, key = STRBUF_INIT, err = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	knit_config_auth_key(rc.registry, &key);
	strbuf_addstr(&key, ":_authToken");
	const char *token = knit_config_get(&rc.s->cfg, key.buf);
	bool found = false;
	if (!token) {
		knit_error(cli, "not logged in to %s (no %s in the settings)", rc.registry, key.buf);
		goto done;
	}
	if (knit_account_logout(rc.s->fetch, rc.registry, token, &err)) {
		knit_warning(cli, "%s", err.buf);
		strbuf_reset(&err);
	}
	if (knit_config_user_file(&file, &err) || knit_config_edit(file.buf, key.buf, NULL, &found, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	if (!found) {
		knit_error(cli, "the token for %s is not set in %s but elsewhere ('knit config list' shows where)",
			   rc.registry, file.buf);
		goto done;
	}
	fprintf(cli->out, "logged out of %s\n", rc.registry);
	status = KNIT_EXIT_OK;
done:
	knit_registry_cmd_close(&rc);
	strbuf_release(&file);
	strbuf_release(&key);
	strbuf_release(&err);
	return status;
}
