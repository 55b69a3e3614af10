/*
 * knit config get|set|delete|list: the .npmrc-syntax settings files.
 * set and delete edit the user's file (KNIT_CONFIG, else ~/.knitrc), or
 * the project's .knitrc with --project, line by line, keeping comments and
 * every other line as they are. Tokens are never printed.
 */
#include "cli.h"
#include "options.h"
#include "registry/config.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const config_usage[] = {
	"knit config [--project] get|set|delete|list [<key> [<value>]]", NULL };

static bool secret(const char *key)
{
	size_t n = strlen(key);
	return (n >= 10 && !strcmp(key + n - 10, "_authToken")) || (n >= 9 && !strcmp(key + n - 9, "_password")) ||
	       (n >= 5 && !strcmp(key + n - 5, "_auth"));
}

/* The key of a "key = value" line, trimmed, or NULL for comments and blanks. */
static char *line_key(const char *line, size_t len)
{
	while (len && strchr(" \t", *line))
		line++, len--;
	if (!len || *line == '#' || *line == ';')
		return NULL;
	const char *eq = memchr(line, '=', len);
	if (!eq)
		return NULL;
	size_t k = (size_t)(eq - line);
	while (k && strchr(" \t", line[k - 1]))
		k--;
	return strndup(line, k);
}

/* Rewrites path without every line setting key, then with "key=value" when value is given. */
static int edit_file(const char *path, const char *key, const char *value, bool *found,
		     struct strbuf *err)
{
	struct strbuf old = STRBUF_INIT, out = STRBUF_INIT;
	bool changed;
	int rc = knit_read_file(path, &old, err);
	if (rc && rc != KNIT_ENOTFOUND)
		return rc;
	*found = false;
	for (const char *p = old.buf; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *k = line_key(p, len);
		if (k && !strcmp(k, key)) {
			*found = true;
		} else {
			strbuf_add(&out, p, len);
			strbuf_addch(&out, '\n');
		}
		free(k);
		p += len + (eol ? 1 : 0);
	}
	if (value)
		strbuf_addf(&out, "%s=%s\n", key, value);
	rc = knit_write_file_atomic(path, out.buf, out.len, &changed, err);
	if (!rc)
		chmod(path, 0600); /* it may hold tokens */
	strbuf_release(&old);
	strbuf_release(&out);
	return rc;
}

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
			if (v && secret(argv[1]))
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
				fprintf(cli->out, "%s=%s    ; %s\n", cfg.items[i].key,
					secret(cfg.items[i].key) ? "(protected)" : cfg.items[i].value, cfg.items[i].origin);
			}
			fprintf(cli->out, "; store: %s\n", cfg.cache_dir);
			status = KNIT_EXIT_OK;
		}
		knit_config_release(&cfg);
		goto done;
	}

	const char *user = getenv("KNIT_CONFIG"), *home = getenv("HOME");
	if (project)
		strbuf_addstr(&path, ".knitrc");
	else if (user && *user)
		strbuf_addstr(&path, user);
	else if (home)
		strbuf_addf(&path, "%s/.knitrc", home);
	else {
		knit_error(cli, "no HOME and no KNIT_CONFIG: nowhere to keep the setting");
		goto done;
	}
	bool found;
	if (strchr(argv[1], '\n') || (want == 3 && strchr(argv[2], '\n'))) {
		knit_error(cli, "a key or value cannot hold a line break");
		goto done;
	}
	if (edit_file(path.buf, argv[1], want == 3 ? argv[2] : NULL, &found, &err)) {
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
