/*
 * What identifies the tools a build runs, for its key: the compiler's
 * resolved path, its --version line and -dumpmachine target, and the
 * version line of each build tool the kind runs.
 */
#include "builder.h"
#include "run.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VERSION_OUTPUT_MAX (64u << 10)

/* The first word of a CC-style variable, or fallback; *rest the words after it. */
static char *first_word(const char *var, const char *fallback, const char **rest)
{
	const char *v = knit_build_env_get(var);
	v += strspn(v, " \t");
	size_t n = strcspn(v, " \t");
	*rest = v + n + strspn(v + n, " \t");
	return n ? knit_xmemdupz(v, n) : knit_xstrdup(fallback);
}

/* command's path as PATH resolves it, links and all; the name itself when it is not found. */
static void resolved(const char *command, struct strbuf *out)
{
	if (strchr(command, '/')) {
		char *real = realpath(command, NULL);
		strbuf_addstr(out, real ? real : command);
		free(real);
		return;
	}
	const char *path = getenv("PATH");
	struct strbuf file = STRBUF_INIT;
	for (const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		strbuf_reset(&file);
		strbuf_add(&file, n ? p : ".", n ? n : 1);
		strbuf_addf(&file, "/%s", command);
		if (!access(file.buf, X_OK)) {
			char *real = realpath(file.buf, NULL);
			strbuf_addstr(out, real ? real : file.buf);
			free(real);
			strbuf_release(&file);
			return;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	strbuf_release(&file);
	strbuf_addstr(out, command);
}

/* The first line command prints for arg (its version), or "?" when it cannot run. */
static void first_line(const char *command, const char *arg, struct strbuf *out)
{
	const char *argv[] = { command, arg, NULL };
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct knit_build_status st = { 0 };
	struct knit_build_env none = { 0 };
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int rc = knit_build_capture(argv, &none, devnull >= 0 ? devnull : 2, VERSION_OUTPUT_MAX, &text, &st, &err);
	if (devnull >= 0)
		close(devnull);
	if (rc || st.exit_code || st.signal || !text.len)
		strbuf_addch(out, '?');
	else
		strbuf_add(out, text.buf, strcspn(text.buf, "\n"));
	strbuf_release(&text);
	strbuf_release(&err);
}

static void tool_line(const char *name, const char *command, const char *arg, struct strbuf *out)
{
	strbuf_addf(out, "%s ", name);
	first_line(command, arg, out);
	strbuf_addch(out, '\n');
}

void knit_build_toolchain(enum knit_build_kind kind, struct strbuf *out)
{
	const char *rest;
	char *cc = first_word("CC", "cc", &rest);
	strbuf_addstr(out, "compiler ");
	resolved(cc, out);
	strbuf_addch(out, '\n');
	if (*rest) /* CC="gcc -m32" */
		strbuf_addf(out, "compiler-words %s\n", rest);
	tool_line("compiler-version", cc, "--version", out);
	tool_line("compiler-target", cc, "-dumpmachine", out);
	free(cc);
	switch (kind) {
	case KNIT_BUILD_SOURCES: {
		char *ar = first_word("AR", "ar", &rest);
		strbuf_addstr(out, "tool ar ");
		resolved(ar, out);
		strbuf_addch(out, ' ');
		first_line(ar, "--version", out);
		strbuf_addch(out, '\n');
		free(ar);
		break;
	}
	case KNIT_BUILD_CMAKE:
		tool_line("tool cmake", "cmake", "--version", out);
		if (knit_build_on_path("ninja"))
			tool_line("tool ninja", "ninja", "--version", out);
		break;
	case KNIT_BUILD_MESON:
		tool_line("tool meson", "meson", "--version", out);
		tool_line("tool ninja", "ninja", "--version", out);
		break;
	case KNIT_BUILD_AUTOTOOLS:
		tool_line("tool autoconf", "autoconf", "--version", out);
		tool_line("tool automake", "automake", "--version", out);
		tool_line("tool libtool", "libtoolize", "--version", out);
		tool_line("tool make", "make", "--version", out);
		break;
	case KNIT_BUILD_MAKE:
		tool_line("tool make", "make", "--version", out);
		break;
	}
}
