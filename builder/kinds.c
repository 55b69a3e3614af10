/* The build kinds: their names, detection from a package's files, the tools each needs. */
#include "builder.h"
#include "run.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

static const char *const names[] = {
	[KNIT_BUILD_SOURCES] = "sources", [KNIT_BUILD_CMAKE] = "cmake",  [KNIT_BUILD_MESON] = "meson",
	[KNIT_BUILD_AUTOTOOLS] = "autotools", [KNIT_BUILD_MAKE] = "make",
};

const char *knit_build_kind_name(enum knit_build_kind kind)
{
	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

int knit_build_kind_parse(const char *name, enum knit_build_kind *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], name)) {
			*out = (enum knit_build_kind)i;
			return 0;
		}
	return KNIT_EINVALID_ARG;
}

static bool has_file(const char *root, const char *name)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	strbuf_addf(&path, "%s/%s", root, name);
	bool yes = !lstat(path.buf, &st) && S_ISREG(st.st_mode);
	strbuf_release(&path);
	return yes;
}

enum knit_build_kind knit_build_detect(const char *root)
{
	if (has_file(root, "CMakeLists.txt"))
		return KNIT_BUILD_CMAKE;
	if (has_file(root, "meson.build"))
		return KNIT_BUILD_MESON;
	if (has_file(root, "configure") || has_file(root, "configure.ac"))
		return KNIT_BUILD_AUTOTOOLS;
	if (has_file(root, "Makefile") || has_file(root, "makefile") || has_file(root, "GNUmakefile"))
		return KNIT_BUILD_MAKE;
	return KNIT_BUILD_SOURCES;
}

bool knit_build_on_path(const char *tool)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	struct strbuf file = STRBUF_INIT;
	bool found = false;
	for (const char *p = path; !found;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		strbuf_reset(&file);
		if (n)
			strbuf_add(&file, p, n);
		else
			strbuf_addch(&file, '.');
		strbuf_addf(&file, "/%s", tool);
		found = !access(file.buf, X_OK);
		if (!colon)
			break;
		p = colon + 1;
	}
	strbuf_release(&file);
	return found;
}

struct tool {
	const char *command, *debian;
};

/*
 * Tools a package's own files say its build runs, beyond its kind's: a
 * marker in one of its build files (sqlite's Makefile.in runs tclsh to
 * make its amalgamation).
 */
static const struct {
	const char *file, *marker;
	struct tool tool;
} named_tools[] = {
	{ "Makefile.in", "TCLSH_CMD", { "tclsh", "tcl" } },
};

#define MARKER_FILE_MAX (4u << 20)

static bool file_mentions(const char *root, const char *name, const char *marker)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;
	strbuf_addf(&path, "%s/%s", root, name);
	bool yes = !lstat(path.buf, &st) && S_ISREG(st.st_mode) && st.st_size <= MARKER_FILE_MAX &&
		   !knit_read_file(path.buf, &text, &err) && strstr(text.buf, marker);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&err);
	return yes;
}

int knit_build_tools_check(enum knit_build_kind kind, const char *root, struct strbuf *err)
{
	static const struct tool cmake[] = { { "cmake", "cmake" }, { NULL, NULL } };
	static const struct tool meson[] = { { "meson", "meson" }, { "ninja", "ninja-build" }, { NULL, NULL } };
	static const struct tool configure[] = { { "make", "make" }, { NULL, NULL } };
	static const struct tool autoreconf[] = { { "autoreconf", "autoconf" }, { "automake", "automake" },
						  { "libtoolize", "libtool" }, { "make", "make" }, { NULL, NULL } };
	static const struct tool make[] = { { "make", "make" }, { NULL, NULL } };
	static const struct tool sources[] = { { "cc", "gcc" }, { "ar", "binutils" }, { NULL, NULL } };
	const struct tool *need = kind == KNIT_BUILD_CMAKE	  ? cmake
				  : kind == KNIT_BUILD_MESON	  ? meson
				  : kind == KNIT_BUILD_AUTOTOOLS ? (has_file(root, "configure") ? configure : autoreconf)
				  : kind == KNIT_BUILD_MAKE	  ? make
								  : sources;
	for (const struct tool *t = need; t->command; t++) {
		if (kind == KNIT_BUILD_SOURCES && *knit_build_env_get(!strcmp(t->command, "cc") ? "CC" : "AR"))
			continue; /* the environment names its own compiler or archiver */
		if (!knit_build_on_path(t->command)) {
			strbuf_addf(err, "building with %s needs '%s', which is not on PATH: apt-get install %s",
				    knit_build_kind_name(kind), t->command, t->debian);
			return KNIT_ENOTFOUND;
		}
	}
	for (size_t i = 0; kind != KNIT_BUILD_SOURCES && i < sizeof(named_tools) / sizeof(named_tools[0]); i++)
		if (!knit_build_on_path(named_tools[i].tool.command) &&
		    file_mentions(root, named_tools[i].file, named_tools[i].marker)) {
			strbuf_addf(err, "building it needs '%s' (its %s runs it), which is not on PATH: apt-get install %s",
				    named_tools[i].tool.command, named_tools[i].file, named_tools[i].tool.debian);
			return KNIT_ENOTFOUND;
		}
	return 0;
}

