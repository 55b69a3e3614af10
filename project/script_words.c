/*
 * A script line that is one simple command (a program and its words, as
 * knit's own quoting of extra arguments leaves it) runs without a shell in
 * between, as bash -c runs such a line: the program is knit's child, so its
 * exit status and its signals are the script's. dash stays between knit and
 * the program otherwise, and on ^C it waits for a server's clean shutdown
 * and then dies of the SIGINT itself, which turned status 0 into 130.
 *
 * Anything a shell would read differently from plain words goes to
 * /bin/sh: expansions, globs, redirections, operators, assignments,
 * reserved words, and dash's builtins (its echo is not /bin/echo).
 */
#include "scripts.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* dash 0.5.12's builtins and reserved words: a first word among them is not a program */
static const char *const shell_words[] = {
	".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval",
	"exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local",
	"printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap",
	"true", "type", "ulimit", "umask", "unalias", "unset", "wait",
	"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in",
	"then", "until", "while",
};

static bool plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_@%+=:,./-", c);
}

void knit_script_argv_release(struct knit_script_argv *a)
{
	for (size_t i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	free(a->program);
	memset(a, 0, sizeof(*a));
}

static void push(struct knit_script_argv *a, size_t *alloc, struct strbuf *word)
{
	if (a->argc + 2 > *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		a->argv = knit_xrealloc(a->argv, *alloc * sizeof(*a->argv));
	}
	a->argv[a->argc++] = strbuf_detach(word, NULL);
	a->argv[a->argc] = NULL;
}

/* Splits line into words; false at the first thing that is not a plain word or 'quoted' text. */
static bool split(const char *line, struct knit_script_argv *a)
{
	struct strbuf word = STRBUF_INIT;
	size_t alloc = 0;
	const char *p = line;
	bool ok = true;
	while (ok) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		bool quoted = false;
		while (ok && *p && *p != ' ' && *p != '\t') {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					ok = false;
					break;
				}
				strbuf_add(&word, p + 1, (size_t)(end - p - 1));
				p = end + 1;
				quoted = true;
			} else if (p[0] == '\\' && p[1] == '\'') {
				strbuf_addch(&word, '\'');
				p += 2;
				quoted = true;
			} else if (plain(*p)) {
				strbuf_addch(&word, *p++);
			} else {
				ok = false;
			}
		}
		if (!ok)
			break;
		/* the program: unquoted, not an assignment, not the shell's own */
		if (!a->argc) {
			if (quoted || strchr(word.buf, '='))
				ok = false;
			for (size_t i = 0; ok && i < sizeof(shell_words) / sizeof(shell_words[0]); i++)
				if (!strcmp(word.buf, shell_words[i]))
					ok = false;
		}
		if (ok)
			push(a, &alloc, &word);
	}
	strbuf_release(&word);
	return ok && a->argc;
}

/* The file argv[0] names: as written when it holds a '/', else the first executable on path. */
static bool locate(const char *root, const char *path, struct knit_script_argv *a)
{
	const char *name = a->argv[0];
	struct strbuf file = STRBUF_INIT;
	bool found = false;
	if (strchr(name, '/')) {
		if (*name == '/')
			strbuf_addstr(&file, name);
		else
			strbuf_addf(&file, "%s/%s", root, name);
		found = knit_is_program(file.buf);
		strbuf_reset(&file);
		strbuf_addstr(&file, name); /* the child runs in root */
	} else {
		for (const char *dir = path; dir && !found;) {
			const char *end = strchrnul(dir, ':');
			size_t len = (size_t)(end - dir);
			if (!len || *dir != '/') /* the shell would look in a folder relative to root */
				break;
			strbuf_reset(&file);
			strbuf_addf(&file, "%.*s/%s", (int)len, dir, name);
			found = knit_is_program(file.buf);
			dir = *end ? end + 1 : NULL;
		}
	}
	if (found)
		a->program = strbuf_detach(&file, NULL);
	strbuf_release(&file);
	return found;
}

bool knit_script_argv(const char *line, const char *root, const char *path, struct knit_script_argv *out)
{
	memset(out, 0, sizeof(*out));
	if (split(line, out) && locate(root, path, out))
		return true;
	knit_script_argv_release(out);
	return false;
}
