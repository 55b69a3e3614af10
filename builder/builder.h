/*
 * Building one package through the build system it ships, into a prefix of
 * its own, as vcpkg's ports and Conan's recipes do: CMake, Meson, autotools
 * or plain Make, from a copy of the sources in the build's work folder
 * (autotools, Make and some CMake projects write beside their sources,
 * which are read-only), out of tree where the build system allows it. Static libraries and Release by
 * default, the compiler and flags of the environment (CC, CFLAGS, LDFLAGS),
 * never the project's own warning flags, and the prefixes of the package's
 * dependencies visible to it (CMAKE_PREFIX_PATH, PKG_CONFIG_PATH,
 * CPPFLAGS/LDFLAGS for autotools and Make).
 *
 * Every step's output goes to one log file; a failure names the package,
 * the step, its exit status and the log, and the caller shows the log's
 * last lines (knit_build_log_tail).
 *
 * The sources kind is knit's own build: each of c.sources compiled with
 * $CC (CPPFLAGS, CFLAGS, its include folders, c.defines and c.cflags, its
 * dependencies' flags), up to jobs at once, archived with $AR into
 * lib/lib<name>.a, its include folders' headers installed into include/,
 * and lib/pkgconfig/<name>.pc written: the same shape as every other kind.
 *
 * This layer sees util/ only: what a package asks for comes in as a plain
 * request, read from its knit.json by project/.
 */
#ifndef KNIT_BUILDER_BUILDER_H
#define KNIT_BUILDER_BUILDER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/glob.h"
#include "util/strbuf.h"

enum knit_build_kind {
	KNIT_BUILD_SOURCES = 0, /* knit's own: c.sources compiled and archived */
	KNIT_BUILD_CMAKE,
	KNIT_BUILD_MESON,
	KNIT_BUILD_AUTOTOOLS,
	KNIT_BUILD_MAKE,
};

/* "sources", "cmake", "meson", "autotools", "make". */
const char *knit_build_kind_name(enum knit_build_kind kind);
/* 0, or KNIT_EINVALID_ARG when name is none of them. */
int knit_build_kind_parse(const char *name, enum knit_build_kind *out);
/*
 * The kind a package's files say, when c.build does not: CMakeLists.txt,
 * meson.build, configure (or configure.ac), Makefile, in that order, in
 * root; else sources.
 */
enum knit_build_kind knit_build_detect(const char *root);

/*
 * Whether the tools a build of kind needs are on PATH (for autotools
 * without a configure script, autoreconf and libtoolize too; for the
 * sources kind cc and ar unless CC and AR name others), and those the
 * package's build files say it runs (tclsh, when a Makefile.in uses
 * TCLSH_CMD, as sqlite's does). 0, or KNIT_ENOTFOUND with one line naming
 * the tool and its Debian package.
 */
int knit_build_tools_check(enum knit_build_kind kind, const char *root, struct strbuf *err);

struct knit_build_req {
	const char *name, *version;   /* for messages */
	enum knit_build_kind kind;
	const char *src_dir;          /* where its build starts (the package plus c.root); never written */
	const char *work_dir;         /* scratch, made fresh: the build tree */
	const char *prefix;           /* the install prefix, made fresh */
	const char *log_path;         /* every step's output, appended */
	const char *const *options;   /* c.options: configure arguments, or make variables */
	size_t noptions;
	const char *const *dep_prefixes; /* the prefixes of its dependencies, built already */
	size_t ndeps;
	bool shared;                  /* shared libraries instead of static ones */
	bool debug;                   /* Debug instead of Release */
	int jobs;                     /* parallel jobs for its build step; 0: 1 */
	/* the sources kind, which knit compiles itself (builder/sources.c) */
	const char *const *sources;   /* .c files, relative to src_dir */
	size_t nsources;
	const char *const *include;   /* folders relative to src_dir ("": itself): -I, and their headers installed */
	size_t ninclude;
	const char *const *defines;   /* c.defines: -D for it and its consumers */
	size_t ndefines;
	const char *const *cflags;    /* c.cflags: its own compile flags */
	size_t ncflags;
	const char *const *dep_cflags; /* what its dependencies give their consumers (-I..., -D...) */
	size_t ndep_cflags;
	const char *const *pkgconfig; /* c.pkgconfig's modules: compiled against, and its .pc Requires them */
	size_t npkgconfig;
	const char *lib_name;         /* its library: lib<lib_name>.a (or .so), and <lib_name>.pc */
	/*
	 * Every step in a sandbox (bubblewrap): no network, the file system
	 * (HOME too) read-only but for work_dir and prefix, a private /tmp. Paths given here must be resolved (no link on the way):
	 * under /tmp only these are visible: src_dir, dep_prefixes and the -I
	 * folders of dep_cflags.
	 */
	bool sandbox;
};

/*
 * The sandbox a dependency's code runs in (its build steps, its trusted
 * install scripts), made by bubblewrap: no network (its own network, IPC
 * and host-name namespaces), the whole file system read-only, HOME too, a
 * private empty /tmp, and write access only to the folders in write. Paths
 * must be resolved (no link on the way); a folder under /tmp is visible
 * only when it is in read or write.
 */
struct knit_sandbox {
	const char *const *read;  /* shown read-only where /tmp would hide them */
	size_t nread;
	const char *const *write; /* the only folders it may write */
	size_t nwrite;
	const char *dir;          /* where it starts */
};

/*
 * Where bubblewrap is not installed, knit makes the same sandbox itself
 * with Linux namespaces (sandbox_ns.c): the argv runs knit again as
 * "knit --knit-sandbox-exec ... -- argv", and main() hands that to
 * knit_sandbox_enter, which sets the sandbox up and becomes argv. It
 * returns only when it could not (KNIT_EIO / KNIT_EPARSE, one line in *err).
 */
int knit_sandbox_enter(int argc, char **argv, struct strbuf *err);
#define KNIT_SANDBOX_EXEC "--knit-sandbox-exec"

/* argv as the sandbox runs it: a new NULL-terminated argv, freed with knit_sandbox_argv_free. */
char **knit_sandbox_argv(const struct knit_sandbox *sb, const char *const *argv);
void knit_sandbox_argv_free(char **argv);

/*
 * Whether a sandbox can be made here: bubblewrap on PATH and able to make
 * its namespaces (probed once a process). 0, or KNIT_ENOTFOUND with one
 * line in *err saying why and what to do, for what runs in it ("builds",
 * "install scripts"; how to run unsandboxed is how, e.g. "--no-sandbox or
 * the setting sandbox=false").
 */
int knit_sandbox_check(const char *what, const char *how, struct strbuf *err);

/* Why a build failed: the step and how it ended. */
struct knit_build_failure {
	const char *step;  /* "configure", "autoreconf", "build", "install"; the sources kind: "compile", "archive" */
	int exit_code;     /* when it exited */
	int signal;        /* when a signal ended it */
};

/*
 * Configures, builds and installs the package into req->prefix. 0; or
 * KNIT_EIO with *fail filled in and one line in *err ("<name> <version>:
 * cmake configure failed (exit 1); see <log>"); or KNIT_ENOTFOUND for a
 * missing tool, KNIT_EIO for a folder that cannot be made.
 */
int knit_build_run(const struct knit_build_req *req, struct knit_build_failure *fail, struct strbuf *err);

/*
 * What a built package gives its consumers, from its prefix: the .pc files
 * it installed asked through `pkg-config --static` (their link order and
 * private libraries; -l names found in a prefix become that library's
 * path), else include/ and lib/'s libraries in name order; then c.link.
 */
struct knit_consumer_req {
	const char *prefix;
	const char *const *dep_prefixes; /* for pkg-config's Requires */
	size_t ndeps;
	const char *const *link;         /* c.link */
	size_t nlink;
	bool shared;                     /* it was built shared: .so, not .a */
	int log_fd;                      /* pkg-config's complaints go there */
};
struct knit_consumer {
	struct knit_paths include;   /* folders for -I */
	struct knit_paths cflags;    /* other compile flags (-D..., -pthread) */
	struct knit_paths libraries; /* the package's libraries, absolute, in link order */
	struct knit_paths syslibs;   /* names for -l: the system's */
	struct knit_paths ldflags;   /* other link flags (-pthread, -L outside the prefixes) */
	struct knit_paths pc_files;  /* the .pc files the prefix holds */
};
int knit_build_consumer(const struct knit_consumer_req *req, struct knit_consumer *out, struct strbuf *err);
void knit_consumer_release(struct knit_consumer *c);

/*
 * The global symbols the libraries define (nm -g --defined-only; weak ones
 * left out, as the linker lets them be defined twice), sorted, into *out.
 * 0, or KNIT_EIO with one line in *err.
 */
int knit_build_symbols(const struct knit_paths *libraries, struct knit_paths *out, struct strbuf *err);

/*
 * Lines identifying the tools a build of kind runs, for its key: the
 * compiler ($CC, else cc) as PATH resolves it, its --version line and its
 * -dumpmachine target, and the version line of each build tool of the kind
 * ("?" for one that cannot run).
 */
struct knit_tool_cache;
void knit_build_toolchain(enum knit_build_kind kind, struct knit_tool_cache *tools, struct strbuf *out);

/*
 * The build tools' version lines, remembered in a file (the build cache's
 * "tools") under each tool's resolved path and identity (device, inode,
 * size, mtime and ctime, all of which an upgrade changes), so that keys
 * are made without running automake or meson (hundreds of milliseconds
 * each) every time. The compiler is always asked: a wrapper such as
 * ccache answers for the compiler behind it, which its own file does not
 * show. NULL path: nothing remembered.
 */
struct knit_tool_cache *knit_tool_cache_open(const char *path);
/* Writes what was learnt (atomically; best effort) and frees it. */
void knit_tool_cache_close(struct knit_tool_cache *tools);

/* The last n lines of the log at path, into *out (nothing when it cannot be read). */
void knit_build_log_tail(const char *path, size_t n, struct strbuf *out);

#endif
