/*
 * The sandbox (builder.h): the command line for a knit_sandbox, through
 * bubblewrap when it is installed and works, else through knit itself
 * (sandbox_ns.c), and whether either can make one here.
 */
#include "builder.h"
#include "run.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct argv_buf {
	char **v;
	size_t n, alloc;
};

static void add(struct argv_buf *a, const char *s)
{
	KNIT_ALLOC_GROW(a->v, a->n + 2, a->alloc);
	a->v[a->n++] = knit_xstrdup(s);
	a->v[a->n] = NULL;
}

/* path bound at itself (how: --ro-bind-try or --bind): visible, where it lies under the private /tmp too. */
static void bind(struct argv_buf *a, const char *how, const char *path)
{
	if (!path || !*path)
		return;
	add(a, how);
	add(a, path);
	add(a, path);
}

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
enum maker { BWRAP, NAMESPACES, NONE };
static enum maker maker = NONE;
static bool have_bwrap;
static char bwrap_path[4096] = "bwrap"; /* found on knit's own PATH, never on a script's (deps/.bin comes first there) */
static char self_path[4096];           /* knit itself, for the namespaces */
static void probe(void);

/* knit --knit-sandbox-exec --ro ... --rw ... --chdir dir -- argv */
static char **namespaces_argv(const struct knit_sandbox *sb, const char *const *argv)
{
	struct argv_buf a = { 0 };
	add(&a, self_path);
	add(&a, KNIT_SANDBOX_EXEC);
	for (size_t i = 0; i < sb->nread; i++)
		if (sb->read[i] && *sb->read[i]) {
			add(&a, "--ro");
			add(&a, sb->read[i]);
		}
	const char *home = getenv("HOME");
	if (home && *home) {
		add(&a, "--ro");
		add(&a, home);
	}
	for (size_t i = 0; i < sb->nwrite; i++)
		if (sb->write[i] && *sb->write[i]) {
			add(&a, "--rw");
			add(&a, sb->write[i]);
		}
	if (sb->dir) {
		add(&a, "--chdir");
		add(&a, sb->dir);
	}
	add(&a, "--");
	for (size_t i = 0; argv[i]; i++)
		add(&a, argv[i]);
	return a.v;
}

char **knit_sandbox_argv(const struct knit_sandbox *sb, const char *const *argv)
{
	pthread_once(&probe_once, probe);
	if (maker == NAMESPACES)
		return namespaces_argv(sb, argv);
	struct argv_buf a = { 0 };
	add(&a, bwrap_path);
	static const char *const head[] = { "--die-with-parent", "--unshare-net", "--unshare-ipc",
					    "--unshare-uts", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
					    "--tmpfs", "/tmp", NULL };
	for (const char *const *h = head; *h; h++)
		add(&a, *h);
	for (size_t i = 0; i < sb->nread; i++)
		bind(&a, "--ro-bind-try", sb->read[i]);
	/* HOME stays read-only, wherever it is (under /tmp, the private one would hide it) */
	bind(&a, "--ro-bind-try", getenv("HOME"));
	for (size_t i = 0; i < sb->nwrite; i++)
		bind(&a, "--bind", sb->write[i]);
	if (sb->dir) {
		add(&a, "--chdir");
		add(&a, sb->dir);
	}
	add(&a, "--");
	for (size_t i = 0; argv[i]; i++)
		add(&a, argv[i]);
	return a.v;
}

void knit_sandbox_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* bwrap's path from PATH into bwrap_path: false when there is none. */
static bool find_bwrap(void)
{
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		if (n && *p == '/' && n + sizeof("/bwrap") < sizeof(bwrap_path)) {
			char candidate[sizeof(bwrap_path)];
			snprintf(candidate, sizeof(candidate), "%.*s/bwrap", (int)n, p);
			if (!access(candidate, X_OK)) {
				memcpy(bwrap_path, candidate, strlen(candidate) + 1);
				return true;
			}
		}
		p += n + (p[n] == ':');
	}
	return false;
}

/* Whether argv (a sandbox around true) runs and exits 0. */
static bool runs(const char *const *argv)
{
	struct knit_build_env none = { 0 };
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	struct knit_build_status st = { 0 };
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int rc = knit_build_capture(argv, &none, devnull >= 0 ? devnull : 2, 4096, &out, &st, &why);
	if (devnull >= 0)
		close(devnull);
	strbuf_release(&out);
	strbuf_release(&why);
	return !rc && !st.exit_code && !st.signal;
}

static void probe(void)
{
	/* bubblewrap, unless the namespaces it makes are refused here (a container without them) */
	have_bwrap = find_bwrap();
	const char *const bwrap[] = { bwrap_path, "--die-with-parent", "--unshare-net", "--ro-bind", "/", "/",
				      "--tmpfs", "/tmp", "--", "/bin/sh", "-c", ":", NULL };
	if (have_bwrap && runs(bwrap)) {
		maker = BWRAP;
		return;
	}
	/* else knit itself */
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self_path) - 1)
		return;
	self_path[n] = '\0';
	const char *const self[] = { self_path, KNIT_SANDBOX_EXEC, "--", "/bin/sh", "-c", ":", NULL };
	if (runs(self))
		maker = NAMESPACES;
}

int knit_sandbox_check(const char *what, const char *how, struct strbuf *err)
{
	pthread_once(&probe_once, probe);
	if (maker != NONE)
		return 0;
	strbuf_addf(err, "%s run in a sandbox, and none can be made here: %s, and Linux refuses knit the "
			 "namespaces it would make one with; run them unsandboxed with %s",
		    what, have_bwrap ? "bubblewrap cannot make one" : "bubblewrap is not installed", how);
	return KNIT_ENOTFOUND;
}
