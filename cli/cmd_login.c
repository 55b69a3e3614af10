/*
 * knit login: gets a token from an npm registry (npm's CouchDB user
 * protocol) and keeps it in the user's settings as
 * //host/path/:_authToken, in a file only its owner can read. On a
 * terminal it asks for the user name and the password (not echoed);
 * scripts give --username and the password as the first line of standard
 * input. The password and the token are never printed.
 */
#include "cli.h"
#include "options.h"
#include "registry/account.h"
#include "registry_cmd.h"

#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char *const login_usage[] = {
	"knit login [--registry <url>] [--username <name>]", NULL };

/* One line from in, without its line break; false at end of input. Echo off on a terminal. */
static bool read_line(FILE *in, FILE *prompt_to, const char *prompt, bool secret, struct strbuf *out)
{
	struct termios old, quiet;
	bool tty = isatty(fileno(in)), restore = false;
	if (tty) {
		fprintf(prompt_to, "%s", prompt);
		fflush(prompt_to);
		if (secret && !tcgetattr(fileno(in), &old)) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = !tcsetattr(fileno(in), TCSANOW, &quiet);
		}
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, in);
	if (restore) {
		tcsetattr(fileno(in), TCSANOW, &old);
		fputc('\n', prompt_to);
	}
	if (n < 0) {
		free(line);
		return false;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	strbuf_addstr(out, line);
	explicit_bzero(line, cap);
	free(line);
	return true;
}

int cmd_login(int argc, const char **argv, struct knit_cli *cli)
{
	const char *registry = NULL, *username = NULL;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_(0, "registry", &registry, "url", "log in there instead of the configured registry"),
		KNIT_OPT_STRING_(0, "username", &username, "name", "the user name (asked on a terminal otherwise)"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, login_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 0) {
		knit_error(cli, "login takes no arguments, got '%s'", argv[0]);
		return KNIT_EXIT_FAILURE;
	}
	struct knit_registry_cmd rc;
	if (knit_registry_cmd_open(&rc, cli, registry, NULL))
		return KNIT_EXIT_FAILURE;
	struct strbuf user = STRBUF_INIT, password = STRBUF_INIT, token = STRBUF_INIT, err = STRBUF_INIT,
		      file = STRBUF_INIT, key = STRBUF_INIT;
	int status = KNIT_EXIT_FAILURE;
	bool tty = isatty(STDIN_FILENO);
	if (knit_account_supported(rc.registry, &err)) { /* before asking for a password */
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	if (username)
		strbuf_addstr(&user, username);
	else if (!tty) {
		knit_error(cli, "login needs --username when standard input is not a terminal");
		goto done;
	} else if (!read_line(stdin, cli->err, "Username: ", false, &user) || !user.len) {
		knit_error(cli, "login needs a user name");
		goto done;
	}
	if (!read_line(stdin, cli->err, "Password: ", true, &password) || !password.len) {
		knit_error(cli, "login needs a password%s", tty ? "" : " on the first line of standard input");
		goto done;
	}
	if (strpbrk(user.buf, ":\r\n")) {
		knit_error(cli, "'%s' is not a valid user name", user.buf);
		goto done;
	}
	if (knit_config_user_file(&file, &err) ||
	    knit_account_login(rc.s->fetch, rc.registry, user.buf, password.buf, &token, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	bool found;
	knit_config_auth_key(rc.registry, &key);
	strbuf_addstr(&key, ":_authToken");
	if (knit_config_edit(file.buf, key.buf, token.buf, &found, &err)) {
		knit_error(cli, "%s", err.buf);
		goto done;
	}
	fprintf(cli->out, "logged in as %s on %s (token kept in %s)\n", user.buf, rc.registry, file.buf);
	status = KNIT_EXIT_OK;
done:
	explicit_bzero(password.buf, password.len);
	explicit_bzero(token.buf, token.len);
	knit_registry_cmd_close(&rc);
	strbuf_release(&user);
	strbuf_release(&password);
	strbuf_release(&token);
	strbuf_release(&err);
	strbuf_release(&file);
	strbuf_release(&key);
	return status;
}
