/*
 * knit registry index: prepares a folder registry for serving. A folder
 * published to through file:// names its tarballs with file:// URLs; a
 * static web server serving it needs them to name the server instead.
 */
#include "cli.h"
#include "options.h"
#include "registry/folder.h"
#include "registry_cmd.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const registry_usage[] = {
	"knit registry index [--base-url <url>] [<folder>]", NULL };

int cmd_registry(int argc, const char **argv, struct knit_cli *cli)
{
	const char *base_url = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "base-url", &base_url, "url",
				 "the URL the folder is served at (default: the folder's own file:// URL)"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, registry_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n < 1 || strcmp(argv[0], "index") || n > 2) {
		knit_error(cli, "usage: %s", registry_usage[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct strbuf root = STRBUF_INIT, err = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	struct knit_registry_cmd rc = { 0 };
	char *base = NULL;
	if (base_url && !(base = knit_registry_cmd_url(cli, base_url, "--base-url")))
		goto done;
	if (n == 2) {
		char *real = realpath(argv[1], NULL);
		if (!real) {
			knit_error(cli, "'%s' is not a folder", argv[1]);
			goto done;
		}
		strbuf_addstr(&root, real);
		free(real);
	} else {
		if (knit_registry_cmd_open(&rc, cli, NULL, NULL))
			goto done;
		if (!knit_folder_is(rc.registry)) {
			knit_error(cli, "the configured registry %s is not a folder: name one", rc.registry);
			goto done;
		}
		if (knit_folder_root(rc.registry, &root, &err)) {
			knit_error(cli, "%s", err.buf);
			goto done;
		}
	}
	size_t packages, versions;
	if (knit_folder_index(root.buf, base, &packages, &versions, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	fprintf(cli->out, "%zu package%s, %zu version%s: tarballs at %s/<name>/-/\n", packages,
		packages == 1 ? "" : "s", versions, versions == 1 ? "" : "s",
		base ? base : root.buf);
	status = KNIT_EXIT_OK;
done:
	knit_registry_cmd_close(&rc); /* nothing to close when never opened */
	strbuf_release(&root);
	strbuf_release(&err);
	free(base);
	return status;
}
