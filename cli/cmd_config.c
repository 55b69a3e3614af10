/*
 * knit config get|set|delete|list: the .npmrc-syntax settings files.
 * set and delete edit the user's file (KNIT_CONFIG, else ~/.knitrc), or
 * the project's .knitrc with --project, line by line, keeping comments and
 * every other line as they are. Tokens are never printed, nor are URL
 * passwords in list.
 */
#include "cli.h"
#include "options.h"
#include "util/config.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"

#include <stdlib.h>
#include <string.h>

static const char *const config_usage[] = {
	"knit config [--project] get|set|delete|list [<key> [<value>]]", NULL };

int cmd_config(int argc, const char **argv, struct knit_cli *cli)
{
	int project = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_BOOL_(0, "project", &project, "set and delete in the project's .knitrc, not ~/.knitrc"),
		KNIT_OPT_END_(),
	};
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	struct knit_config cfg;
	int n = knit_parse_options(argc, argv, opts, config_usage, cli), status = KNIT_EXIT_FAILURE;

	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	const char *verb = n ? argv[0] : "";
	int want = !strcmp(verb, "get") || !strcmp(verb, "delete") ? 2 : !strcmp(verb, "set") ? 3
		 : !strcmp(verb, "list") ? 1 : -1;
	if (want < 0) {
		const char *verbs[] = { "get", "set", "delete", "list" };
		const char *best = knit_closest(verb, verbs, 4);
		if (best)
			knit_error(cli, "'%s' is not a config action; did you mean '%s'?", verb, best);
		else
			knit_error(cli, "config needs an action: get, set, delete or list");
		return KNIT_EXIT_FAILURE;
	}
	if (n != want) {
		knit_error(cli, "config %s takes %s", verb,
			   want == 1 ? "no key" : want == 2 ? "one key" : "a key and a value");
		return KNIT_EXIT_FAILURE;
	}

	if (!strcmp(verb, "get") || !strcmp(verb, "list")) {
		if (knit_config_load(&cfg, ".", NULL, &err)) {
			knit_error(cli, "%s", err.buf);
			goto done;
		}
		if (!strcmp(verb, "get")) {
			const char *v = knit_config_get(&cfg, argv[1]);
			if (v && knit_config_is_secret(argv[1]))
				fprintf(cli->out, "(protected)\n");
			else if (v)
				fprintf(cli->out, "%s\n", v);
			status = v ? KNIT_EXIT_OK : KNIT_EXIT_FAILURE;
		} else {
			/* the value in force for each key, and where it comes from */
			for (size_t i = 0; i < cfg.n; i++) {
				bool later = false;
				for (size_t k = i + 1; k < cfg.n && !later; k++)
					later = !strcmp(cfg.items[k].key, cfg.items[i].key);
				if (later)
					continue;
				/* a URL's password is a secret too */
				struct strbuf value = STRBUF_INIT;
				strbuf_addstr(&value, knit_config_is_secret(cfg.items[i].key) ? "(protected)" : cfg.items[i].value);
				knit_redact(&value);
				fprintf(cli->out, "%s=%s    ; %s\n", cfg.items[i].key, value.buf, cfg.items[i].origin);
				strbuf_release(&value);
			}
			fprintf(cli->out, "; store: %s\n", cfg.cache_dir);
			status = KNIT_EXIT_OK;
		}
		knit_config_release(&cfg);
		goto done;
	}

	if (project)
		strbuf_addstr(&path, ".knitrc");
	else if (knit_config_user_file(&path, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	bool found;
	if (strchr(argv[1], '\n') || (want == 3 && strchr(argv[2], '\n'))) {
		knit_error(cli, "a key or value cannot hold a line break");
		goto done;
	}
	if (knit_config_edit(path.buf, argv[1], want == 3 ? argv[2] : NULL, &found, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	if (!strcmp(verb, "delete") && !found)
		knit_warning(cli, "'%s' was not set in %s", argv[1], path.buf);
	status = KNIT_EXIT_OK;
done:
	strbuf_release(&err);
	strbuf_release(&path);
	return status;
}
