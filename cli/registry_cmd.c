#include "registry_cmd.h"
#include "util/pkgname.h"
#include "util/url.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

int knit_registry_cmd_open_session(struct knit_registry_cmd *rc, struct knit_cli *cli)
{
	memset(rc, 0, sizeof(*rc));
	if (knit_cli_session_open(&rc->cs, cli, NULL, KNIT_CACHE_REVALIDATE))
		return -1;
	rc->s = &rc->cs.session;
	return 0;
}

int knit_registry_cmd_pick(struct knit_registry_cmd *rc, struct knit_cli *cli, const char *flag_registry,
			   const char *name)
{
	struct strbuf flag = STRBUF_INIT; /* from where the user stood */
	if (flag_registry)
		knit_cli_registry(cli, flag_registry, &flag);
	rc->registry = knit_registry_cmd_url(cli, flag_registry ? flag.buf : knit_config_registry(&rc->s->cfg, name),
					     "registry");
	strbuf_release(&flag);
	return rc->registry ? 0 : -1;
}

int knit_registry_cmd_open(struct knit_registry_cmd *rc, struct knit_cli *cli, const char *flag_registry,
			   const char *name)
{
	if (knit_registry_cmd_open_session(rc, cli))
		return -1;
	if (knit_registry_cmd_pick(rc, cli, flag_registry, name)) {
		knit_registry_cmd_close(rc);
		return -1;
	}
	return 0;
}

void knit_registry_cmd_close(struct knit_registry_cmd *rc)
{
	if (rc->s)
		knit_cli_session_close(&rc->cs);
	free(rc->registry);
	memset(rc, 0, sizeof(*rc));
}

char *knit_registry_cmd_url(struct knit_cli *cli, const char *url, const char *what)
{
	struct strbuf err = STRBUF_INIT, made = STRBUF_INIT;
	if (knit_url_registry(url, what, &made, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		strbuf_release(&made);
		return NULL;
	}
	size_t n = made.len;
	while (n && made.buf[n - 1] == '/')
		n--;
	char *out = knit_xmemdupz(made.buf, n);
	strbuf_release(&made);
	return out;
}

int knit_registry_cmd_spec(struct knit_cli *cli, const char *arg, char **name, const char **spec)
{
	struct strbuf err = STRBUF_INIT;
	int rc = knit_spec_split(arg, name, spec, &err);
	if (rc)
		knit_error(cli, "%s", err.buf);
	strbuf_release(&err);
	return rc ? -1 : 0;
}
