#include "registry_cmd.h"
#include "registry/registry.h"
#include "util/pkgname.h"
#include "util/url.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

int knit_registry_cmd_open(struct knit_registry_cmd *rc, struct knit_cli *cli, const char *flag_registry,
			   const char *name)
{
	struct strbuf err = STRBUF_INIT;
	memset(rc, 0, sizeof(*rc));
	if (knit_config_load(&rc->cfg, ".", NULL, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	rc->registry = knit_registry_cmd_url(cli, flag_registry ? flag_registry : knit_config_registry(&rc->cfg, name),
					     "registry");
	if (!rc->registry) {
		knit_registry_cmd_close(rc);
		return -1;
	}
	struct knit_fetch_opts opts;
	knit_registry_fetch_opts(&rc->cfg, &opts);
	rc->fetch = knit_fetch_new(&opts);
	return 0;
}

void knit_registry_cmd_close(struct knit_registry_cmd *rc)
{
	knit_fetch_free(rc->fetch);
	knit_config_release(&rc->cfg);
	free(rc->registry);
	memset(rc, 0, sizeof(*rc));
}

char *knit_registry_cmd_url(struct knit_cli *cli, const char *url, const char *what)
{
	struct strbuf err = STRBUF_INIT;
	if (knit_url_check_registry(url, what, &err)) {
		knit_error(cli, "%s", err.buf);
		strbuf_release(&err);
		return NULL;
	}
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	return knit_xmemdupz(url, n);
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
