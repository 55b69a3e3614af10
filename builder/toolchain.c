/*
 * What identifies the tools a build runs, for its key: the compiler's
 * resolved path, its --version line and -dumpmachine target, and the
 * version line of each build tool the kind runs.
 */
#include "builder.h"
#include "run.h"
#include "util/error.h"
#include "util/xalloc.h"

#include "util/fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

#define TOOL_CACHE_MAX (1u << 20)

struct knit_tool_cache {
	char *path;
	struct strbuf text;  /* "<resolved path>\t<identity>\t<arg>\t<first line>\n" lines */
	bool dirty;
};

struct knit_tool_cache *knit_tool_cache_open(const char *path)
{
	struct knit_tool_cache *tc = knit_xcalloc(1, sizeof(*tc));
	strbuf_init(&tc->text, 0);
	if (path) {
		struct strbuf err = STRBUF_INIT;
		tc->path = knit_xstrdup(path);
		if (knit_read_file(path, &tc->text, &err) || tc->text.len > TOOL_CACHE_MAX ||
		    memchr(tc->text.buf, '\0', tc->text.len) || (tc->text.len && tc->text.buf[tc->text.len - 1] != '\n'))
			strbuf_reset(&tc->text); /* none yet, or not one knit wrote whole: asked again */
		strbuf_release(&err);
	}
	return tc;
}

void knit_tool_cache_close(struct knit_tool_cache *tc)
{
	if (!tc)
		return;
	if (tc->dirty && tc->path && tc->text.len <= TOOL_CACHE_MAX) {
		struct strbuf err = STRBUF_INIT;
		bool changed;
		(void)knit_write_file_atomic(tc->path, tc->text.buf, tc->text.len, &changed, &err);
		strbuf_release(&err);
	}
	free(tc->path);
	strbuf_release(&tc->text);
	free(tc);
}

/* "<path>\t<dev>:<ino>:<size>:<mtime>:<ctime>\t<arg>\t" for the file at path, or false when it cannot be read. */
static bool tool_identity(const char *path, const char *arg, struct strbuf *out)
{
	struct stat st;
	if (strchr(path, '\t') || strchr(path, '\n') || stat(path, &st) || !S_ISREG(st.st_mode))
		return false;
	strbuf_addf(out, "%s\t%llu:%llu:%lld:%lld.%09ld:%lld.%09ld\t%s\t", path, (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, arg);
	return true;
}

/* first_line, remembered in tc under the tool's identity. */
static void known_first_line(struct knit_tool_cache *tc, const char *command, const char *arg, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT, id = STRBUF_INIT;
	resolved(command, &path);
	if (!tc || !tool_identity(path.buf, arg, &id)) {
		first_line(command, arg, out);
	} else {
		const char *hit = NULL;
		for (const char *line = tc->text.buf; *line && !hit;) {
			const char *end = strchrnul(line, '\n');
			if ((size_t)(end - line) >= id.len && !memcmp(line, id.buf, id.len))
				hit = line + id.len;
			line = *end ? end + 1 : end;
		}
		if (hit) {
			strbuf_add(out, hit, strcspn(hit, "\n"));
		} else {
			size_t start = out->len;
			first_line(command, arg, out);
			if (strcmp(out->buf + start, "?")) { /* one that did not run is asked again next time */
				strbuf_add(&tc->text, id.buf, id.len);
				strbuf_add(&tc->text, out->buf + start, out->len - start);
				strbuf_addch(&tc->text, '\n');
				tc->dirty = true;
			}
		}
	}
	strbuf_release(&path);
	strbuf_release(&id);
}

static void tool_line(struct knit_tool_cache *tc, const char *name, const char *command, const char *arg,
		      struct strbuf *out)
{
	strbuf_addf(out, "%s ", name);
	if (tc)
		known_first_line(tc, command, arg, out);
	else
		first_line(command, arg, out);
	strbuf_addch(out, '\n');
}

void knit_build_toolchain(enum knit_build_kind kind, struct knit_tool_cache *tc, struct strbuf *out)
{
	const char *rest;
	char *cc = first_word("CC", "cc", &rest);
	strbuf_addstr(out, "compiler ");
	resolved(cc, out);
	strbuf_addch(out, '\n');
	if (*rest) /* CC="gcc -m32" */
		strbuf_addf(out, "compiler-words %s\n", rest);
	tool_line(NULL, "compiler-version", cc, "--version", out);
	tool_line(NULL, "compiler-target", cc, "-dumpmachine", out);
	free(cc);
	switch (kind) {
	case KNIT_BUILD_SOURCES: {
		char *ar = first_word("AR", "ar", &rest);
		strbuf_addstr(out, "tool ar ");
		resolved(ar, out);
		strbuf_addch(out, ' ');
		known_first_line(tc, ar, "--version", out);
		strbuf_addch(out, '\n');
		free(ar);
		break;
	}
	case KNIT_BUILD_CMAKE:
		tool_line(tc, "tool cmake", "cmake", "--version", out);
		if (knit_build_on_path("ninja"))
			tool_line(tc, "tool ninja", "ninja", "--version", out);
		break;
	case KNIT_BUILD_MESON:
		tool_line(tc, "tool meson", "meson", "--version", out);
		tool_line(tc, "tool ninja", "ninja", "--version", out);
		break;
	case KNIT_BUILD_AUTOTOOLS:
		tool_line(tc, "tool autoconf", "autoconf", "--version", out);
		tool_line(tc, "tool automake", "automake", "--version", out);
		tool_line(tc, "tool libtool", "libtoolize", "--version", out);
		tool_line(tc, "tool make", "make", "--version", out);
		break;
	case KNIT_BUILD_MAKE:
		tool_line(tc, "tool make", "make", "--version", out);
		break;
	}
}
