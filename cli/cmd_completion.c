/*
 * knit completion bash|zsh|fish: a completion script for the shell, and
 * the hidden entry point the scripts call, as clap's and cobra's do:
 *
 *   knit --knit-complete -- <words after "knit", the last one being completed>
 *
 * prints the candidates that start with the last word, one a line. They
 * come from the code: the commands from knit_commands[], a command's
 * options from its own option table (knit_parse_options answers
 * KNIT_COMPLETION_HELPER), script names from ./knit.json for run, package
 * names from ./knit.lock for uninstall, update and why. It never prints an
 * error, never touches the network and always exits 0.
 */
#include "cli.h"
#include "options.h"
#include "project/manifest.h"
#include "resolver/lockfile.h"

#include <stdlib.h>
#include <string.h>

static const char *const completion_usage[] = { "knit completion <shell>", NULL };

static const char *const shells[] = { "bash", "zsh", "fish", NULL };

/* Each script hands the words after "knit" up to the cursor to knit --knit-complete. */
static const char bash_script[] =
	"# knit completion for bash: source it, or put it in\n"
	"# ~/.local/share/bash-completion/completions/knit\n"
	"_knit() {\n"
	"\tlocal IFS=$'\\n'\n"
	"\tCOMPREPLY=($(command knit --knit-complete -- \"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null))\n"
	"\t# an option that takes a value: no space after its '='\n"
	"\t[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null\n"
	"\treturn 0\n"
	"}\n"
	"complete -o default -F _knit knit\n";

static const char zsh_script[] =
	"#compdef knit\n"
	"# knit completion for zsh: source it, or put it as _knit in a folder of $fpath\n"
	"_knit() {\n"
	"\tlocal -a candidates\n"
	"\tcandidates=(${(f)\"$(command knit --knit-complete -- \"${(@)words[2,CURRENT]}\" 2>/dev/null)\"})\n"
	"\tif (( ${#candidates} )); then\n"
	"\t\tcompadd -S '' -- ${(M)candidates:#*=}\n"
	"\t\tcompadd -- ${candidates:#*=}\n"
	"\telse\n"
	"\t\t_files\n"
	"\tfi\n"
	"}\n"
	"if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	"\t_knit \"$@\"\n"
	"else\n"
	"\tcompdef _knit knit\n"
	"fi\n";

static const char fish_script[] =
	"# knit completion for fish: source it, or put it in\n"
	"# ~/.config/fish/completions/knit.fish\n"
	"function __knit_complete\n"
	"\tset -l words (commandline -opc) (commandline -ct)\n"
	"\tcommand knit --knit-complete -- $words[2..-1] 2>/dev/null\n"
	"end\n"
	"complete -c knit -f -a '(__knit_complete)'\n";

int cmd_completion(int argc, const char **argv, struct knit_cli *cli)
{
	const struct knit_option opts[] = { KNIT_OPT_END_() };
	int n = knit_parse_options(argc, argv, opts, completion_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n != 1) {
		knit_error(cli, "completion takes one shell: bash, zsh or fish");
		return KNIT_EXIT_FAILURE;
	}
	const char *const scripts[] = { bash_script, zsh_script, fish_script };
	for (int i = 0; shells[i]; i++)
		if (!strcmp(argv[0], shells[i])) {
			fputs(scripts[i], cli->out);
			return KNIT_EXIT_OK;
		}
	knit_error(cli, "'%s' is not a shell knit completes; the shells are bash, zsh and fish", argv[0]);
	return KNIT_EXIT_FAILURE;
}

static void candidate(struct knit_cli *cli, const char *cur, const char *word)
{
	if (!strncmp(word, cur, strlen(cur)))
		fprintf(cli->out, "%s\n", word);
}

/* The command's long options ("--name", "--name=") from its table, in *out, one a line. */
static void command_options(const struct knit_command *cmd, struct strbuf *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len), *null = fopen("/dev/null", "w");
	if (mem && null) {
		struct knit_cli quiet = { mem, null, NULL, NULL };
		const char *args[] = { cmd->name, KNIT_COMPLETION_HELPER, NULL };
		cmd->fn(2, args, &quiet);
	}
	if (mem)
		fclose(mem);
	if (null)
		fclose(null);
	/* a command that parses its own arguments (semver) printed its help, not options: only "--" lines count */
	for (const char *line = text ? text : ""; *line;) {
		size_t n = strcspn(line, "\n");
		if (n > 2 && !strncmp(line, "--", 2) && !memchr(line, ' ', n)) {
			strbuf_add(out, line, n);
			strbuf_addch(out, '\n');
		}
		line += n + (line[n] == '\n');
	}
	free(text);
}

/* Whether word is one of the options (a line of opts) that takes a value: "--registry" for "--registry=". */
static bool takes_value(const char *opts, const char *word)
{
	size_t n = strlen(word);
	for (const char *line = opts; *line; line += strcspn(line, "\n") + 1)
		if (!strncmp(line, word, n) && line[n] == '=')
			return true;
	return false;
}

static void scripts(struct knit_cli *cli, const char *cur)
{
	struct knit_manifest m;
	struct strbuf err = STRBUF_INIT;
	if (!knit_manifest_read(&m, "knit.json", &err)) {
		for (size_t i = 0; i < m.nscripts; i++)
			candidate(cli, cur, m.scripts[i].name);
		knit_manifest_release(&m);
	}
	strbuf_release(&err);
}

/* The lock's packages: the project's own dependencies when direct, else every one. */
static void locked(struct knit_cli *cli, const char *cur, bool direct)
{
	struct knit_lockfile lf;
	struct strbuf err = STRBUF_INIT;
	if (!knit_lockfile_read(&lf, "knit.lock", &err)) {
		if (direct) {
			for (size_t i = 0; i < lf.root_deps.n; i++)
				candidate(cli, cur, lf.root_deps.items[i].name);
			for (size_t i = 0; i < lf.root_dev_deps.n; i++)
				candidate(cli, cur, lf.root_dev_deps.items[i].name);
		} else {
			for (size_t i = 0; i < lf.n; i++)
				candidate(cli, cur, lf.pkgs[i].name);
		}
		knit_lockfile_release(&lf);
	}
	strbuf_release(&err);
}

static void operands(struct knit_cli *cli, const struct knit_command *cmd, const char *cur)
{
	const char *name = cmd->name;
	if (!strcmp(name, "run"))
		scripts(cli, cur);
	else if (!strcmp(name, "uninstall"))
		locked(cli, cur, true);
	else if (!strcmp(name, "update") || !strcmp(name, "why"))
		locked(cli, cur, false);
	else if (!strcmp(name, "help"))
		for (const struct knit_command *c = knit_commands; c->name; c++)
			candidate(cli, cur, c->name);
	else if (!strcmp(name, "completion"))
		for (int i = 0; shells[i]; i++)
			candidate(cli, cur, shells[i]);
}

int knit_complete(int argc, const char **argv, struct knit_cli *cli)
{
	int i = 0;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	const char **words = argv + i;
	int n = argc - i;
	const char *cur = n ? words[n - 1] : "";
	const struct knit_command *cmd = NULL;
	int at = 0;
	for (; at < n - 1; at++)
		if (words[at][0] != '-')
			break;
	if (at < n - 1 && !(cmd = knit_command_find(words[at])))
		return KNIT_EXIT_OK; /* not a command: nothing to offer */
	if (!cmd) {
		if (cur[0] == '-') {
			candidate(cli, cur, "--color=");
			candidate(cli, cur, "--help");
			candidate(cli, cur, "--no-color");
			candidate(cli, cur, "--version");
		} else {
			for (const struct knit_command *c = knit_commands; c->name; c++)
				candidate(cli, cur, c->name);
		}
		return KNIT_EXIT_OK;
	}
	for (int k = at + 1; k < n - 1; k++)
		if (!strcmp(words[k], "--"))
			return KNIT_EXIT_OK; /* the script's own arguments */
	struct strbuf opts = STRBUF_INIT;
	command_options(cmd, &opts);
	/* bash splits "--registry=" into "--registry" "=" "" */
	bool value = (n - 2 > at && takes_value(opts.buf, words[n - 2])) ||
		     (n - 3 > at && !strcmp(words[n - 2], "=") && takes_value(opts.buf, words[n - 3]));
	if (value) {
		/* an option's value: the shell's own (file names) */
	} else if (cur[0] == '-') {
		for (const char *line = opts.buf; *line; line += strcspn(line, "\n") + 1) {
			size_t len = strcspn(line, "\n");
			if (!strncmp(line, cur, strlen(cur)))
				fprintf(cli->out, "%.*s\n", (int)len, line);
		}
		candidate(cli, cur, "--help");
	} else {
		operands(cli, cmd, cur);
	}
	strbuf_release(&opts);
	return KNIT_EXIT_OK;
}
