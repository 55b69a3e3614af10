/*
 * knit init [<dir>] [--template server|lib] [--name <name>] [-y]: a new
 * project from one of the templates installed with knit (project/init.h).
 * On a terminal it asks for the name, version, description and license as
 * npm init does; with -y, or without a terminal, it takes the defaults.
 */
#include "cli.h"
#include "options.h"
#include "project/init.h"
#include "project/scripts.h"
#include "util/error.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const init_usage[] = {
	"knit init [<dir>] [--template <name>] [--name <name>] [-y]", NULL
};

static bool is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * The templates folder: $KNIT_TEMPLATES, else next to the binary as
 * installed (<prefix>/share/knit/templates) or as built in a checkout
 * (<checkout>/templates beside <checkout>/build), else the checkout knit was
 * built from.
 */
static void find_templates(struct strbuf *out)
{
	const char *env = getenv("KNIT_TEMPLATES");
	if (env && *env) {
		strbuf_addstr(out, env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		const char *bin = dirname(exe);
		const char *tries[] = { "%s/../share/knit/templates", "%s/../templates" };
		for (size_t i = 0; i < 2; i++) {
			strbuf_reset(out);
			strbuf_addf(out, tries[i], bin);
			if (is_dir(out->buf))
				return;
		}
	}
	strbuf_reset(out);
	strbuf_addstr(out, KNIT_SOURCE_TEMPLATES);
}

/* One answer from the terminal, or def when the line is empty; false at end of input. */
static bool ask(struct knit_cli *cli, const char *question, const char *def, struct strbuf *answer)
{
	fprintf(cli->out, "%s:%s%s%s ", question, *def ? " (" : "", def, *def ? ")" : "");
	fflush(cli->out);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	strbuf_reset(answer);
	if (n < 0) {
		free(line);
		fputc('\n', cli->out);
		return false;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	const char *start = line + strspn(line, " \t");
	strbuf_addstr(answer, *start ? start : def);
	free(line);
	return true;
}

int cmd_init(int argc, const char **argv, struct knit_cli *cli)
{
	const char *template = "server", *name = NULL;
	int yes = 0;
	const struct knit_option opts[] = {
		KNIT_OPT_STRING_('t', "template", &template, "name", "server (the default) or lib"),
		KNIT_OPT_STRING_(0, "name", &name, "name", "the package name (default: the folder's name)"),
		KNIT_OPT_BOOL_('y', "yes", &yes, "take the defaults without asking"),
		KNIT_OPT_END_(),
	};
	int n = knit_parse_options(argc, argv, opts, init_usage, cli);
	if (n == KNIT_PARSE_HELP)
		return KNIT_EXIT_OK;
	if (n < 0)
		return KNIT_EXIT_FAILURE;
	if (n > 1) {
		knit_error(cli, "init takes one folder, got '%s' and '%s'", argv[0], argv[1]);
		return KNIT_EXIT_FAILURE;
	}
	if (strcmp(template, "server") && strcmp(template, "lib")) {
		const char *names[] = { "server", "lib" };
		const char *best = knit_closest(template, names, 2);
		knit_error(cli, "there is no template '%s'; %s%s%s", template, best ? "did you mean '" : "",
			   best ? best : "the templates are server and lib", best ? "'?" : "");
		return KNIT_EXIT_FAILURE;
	}
	const char *dir = n ? argv[0] : ".";

	struct strbuf def_name = STRBUF_INIT, tdir = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf a_name = STRBUF_INIT, a_version = STRBUF_INIT, a_desc = STRBUF_INIT,
		      a_license = STRBUF_INIT;
	char *abs = realpath(dir, NULL);
	char *base_src = knit_xstrdup(abs ? abs : dir);
	knit_package_name_from(basename(base_src), &def_name);
	free(base_src);
	free(abs);
	strbuf_addstr(&a_name, name ? name : def_name.buf);
	strbuf_addstr(&a_version, "0.1.0");
	strbuf_addstr(&a_desc, !strcmp(template, "server") ? "An HTTP server in C on libuv"
							   : "A C library");
	strbuf_addstr(&a_license, "MIT");
	if (!yes && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		fprintf(cli->out, "This makes a knit.json and a %s project in %s. ^C to stop.\n\n",
			template, dir);
		struct strbuf def = STRBUF_INIT;
		bool more = true;
		if (!name) {
			strbuf_addstr(&def, a_name.buf);
			do {
				more = ask(cli, "package name", def.buf, &a_name);
				if (more && !knit_pkgname_valid(a_name.buf))
					knit_error(cli, "'%s' is not a valid package name: %s", a_name.buf,
						   knit_pkgname_check(a_name.buf));
			} while (more && !knit_pkgname_valid(a_name.buf));
		}
		strbuf_reset(&def);
		strbuf_addstr(&def, a_version.buf);
		more = more && ask(cli, "version", def.buf, &a_version);
		strbuf_reset(&def);
		strbuf_addstr(&def, a_desc.buf);
		more = more && ask(cli, "description", def.buf, &a_desc);
		strbuf_reset(&def);
		strbuf_addstr(&def, a_license.buf);
		more = more && ask(cli, "license", def.buf, &a_license);
		strbuf_release(&def);
		if (!more) {
			knit_error(cli, "no answer (end of input); nothing was written");
			return KNIT_EXIT_FAILURE;
		}
	}

	find_templates(&tdir);
	strbuf_addf(&tdir, "/%s", template);
	struct knit_init_opts o = { dir, tdir.buf, a_name.buf, a_version.buf, a_desc.buf, a_license.buf };
	struct knit_paths written = { 0 };
	int rc = knit_init(&o, &written, &err);
	if (rc) {
		knit_error(cli, "%s", err.buf);
	} else {
		fprintf(cli->out, "Created %s (%s template) in %s:\n", a_name.buf, template, dir);
		for (size_t i = 0; i < written.n; i++)
			fprintf(cli->out, "  %s\n", written.items[i]);
		fprintf(cli->out, "\nNext:\n");
		if (strcmp(dir, ".")) {
			struct strbuf word = STRBUF_INIT;
			knit_shell_word(&word, dir);
			fprintf(cli->out, "  cd %s\n", word.buf);
			strbuf_release(&word);
		}
		if (!strcmp(template, "server"))
			fprintf(cli->out, "  knit install    # the dependencies you add to knit.json\n"
					  "  knit start      # builds, then serves http://localhost:3000\n"
					  "  knit test       # builds and runs the tests\n");
		else
			fprintf(cli->out, "  knit test       # builds and runs the tests\n"
					  "  knit publish    # when it is ready for others\n");
	}
	knit_paths_release(&written);
	strbuf_release(&def_name);
	strbuf_release(&tdir);
	strbuf_release(&err);
	strbuf_release(&a_name);
	strbuf_release(&a_version);
	strbuf_release(&a_desc);
	strbuf_release(&a_license);
	return rc ? KNIT_EXIT_FAILURE : KNIT_EXIT_OK;
}
