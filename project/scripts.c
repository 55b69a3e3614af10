#include "scripts.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void knit_shell_quote(struct strbuf *out, const char *arg)
{
	strbuf_addch(out, '\'');
	for (const char *p = arg; *p; p++) {
		if (*p == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *p);
	}
	strbuf_addch(out, '\'');
}

void knit_shell_word(struct strbuf *out, const char *arg)
{
	if (*arg && !arg[strcspn(arg, " \t\n'\"\\$`*?[]#~=%|&;<>(){}!")])
		strbuf_addstr(out, arg);
	else
		knit_shell_quote(out, arg);
}

bool knit_script_shadowed(const char *command, struct strbuf *out)
{
	const char *path = getenv("PATH");
	struct strbuf file = STRBUF_INIT;
	bool found = false;
	for (const char *dir = path; dir && !found;) {
		const char *end = strchrnul(dir, ':');
		size_t len = (size_t)(end - dir);
		static const char bin[] = "deps/.bin";
		bool ours = len >= sizeof(bin) - 1 && !memcmp(end - (sizeof(bin) - 1), bin, sizeof(bin) - 1) &&
			    (len == sizeof(bin) - 1 || end[-(int)sizeof(bin)] == '/');
		if (len && *dir == '/' && !ours) {
			strbuf_reset(&file);
			strbuf_addf(&file, "%.*s/%s", (int)len, dir, command);
			found = knit_is_program(file.buf);
		}
		dir = *end ? end + 1 : NULL;
	}
	if (found)
		strbuf_addstr(out, file.buf);
	strbuf_release(&file);
	return found;
}

/* --- signals: forwarded to the running script -------------------------------------------- */

static volatile sig_atomic_t running_child;
static volatile sig_atomic_t last_forwarded; /* the last signal passed on, 0 if none */
static volatile sig_atomic_t draining;       /* the leader is gone, what it left is waited for */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void forward(int sig, siginfo_t *info, void *uctx)
{
	(void)info;
	(void)uctx;
	/* to the script's whole process group: its shell and what it started */
	pid_t child = running_child;
	if (child > 0 && draining) {
		/* waiting on what a dead shell left (its background jobs ignore
		 * SIGINT): a further signal asks harder, SIGTERM, then SIGKILL */
		int harder = draining++ == 1 ? SIGTERM : SIGKILL;
		last_forwarded = harder;
		kill(-child, harder);
	} else if (child > 0) {
		last_forwarded = sig;
		kill(-child, sig);
	}
}

struct saved_handlers {
	struct sigaction old[NFORWARDED];
};

static void catch_signals(struct saved_handlers *saved)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, &saved->old[i]);
}

static void restore_signals(const struct saved_handlers *saved)
{
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &saved->old[i], NULL);
}

/* --- one script ------------------------------------------------------------------------ */

/* environ plus the script's variables, replacing any of the same name. */
static char **script_environment(const struct knit_script_run *run, const char *event)
{
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT, version = STRBUF_INIT,
		      lifecycle = STRBUF_INIT;
	const char *old_path = getenv("PATH");
	if (run->bin_dir)
		strbuf_addf(&path, "PATH=%s:", run->bin_dir);
	else
		strbuf_addf(&path, "PATH=%s/deps/.bin:", run->root);
	strbuf_addstr(&path, old_path ? old_path : "/usr/local/bin:/usr/bin:/bin");
	/* without a project (knit exec outside one), empty: a calling project's are not ours */
	const struct knit_manifest *m = run->manifest;
	strbuf_addf(&name, "knit_package_name=%s", m && m->name ? m->name : "");
	strbuf_addf(&version, "knit_package_version=%s", m && m->version ? m->version : "");
	strbuf_addf(&lifecycle, "knit_lifecycle_event=%s", event);
	char *ours[] = { strbuf_detach(&path, NULL), strbuf_detach(&name, NULL),
			 strbuf_detach(&version, NULL), strbuf_detach(&lifecycle, NULL) };
	size_t nours = sizeof(ours) / sizeof(ours[0]), n = 0;
	while (environ[n])
		n++;
	char **env = knit_xcalloc(n + nours + 1, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t j = 0; j < nours; j++) {
			size_t keylen = strcspn(ours[j], "=") + 1;
			if (!strncmp(environ[i], ours[j], keylen))
				replaced = true;
		}
		if (!replaced)
			env[k++] = knit_xstrdup(environ[i]);
	}
	for (size_t j = 0; j < nours; j++)
		env[k++] = ours[j];
	return env;
}

static void free_environment(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

/* The environment's PATH value (script_environment always sets one). */
static const char *environment_path(char **env)
{
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "PATH=", 5))
			return env[i] + 5;
	return "";
}

/*
 * After the script's leader died of a signal, the processes it left in its
 * group (knit's children now, knit being their subreaper): waited for, so
 * that knit does not return while a server is still shutting down. true
 * with their outcome in *wstatus (the first that failed, else a clean exit)
 * when there were any.
 */
static bool wait_for_group(pid_t group, int *wstatus)
{
	bool any = false, failed = false;
	int ws;
	for (;;) {
		pid_t got = waitpid(-group, &ws, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		if (!any || (!failed && !(WIFEXITED(ws) && !WEXITSTATUS(ws)))) {
			*wstatus = ws;
			failed = !(WIFEXITED(ws) && !WEXITSTATUS(ws));
		}
		any = true;
	}
	return any;
}

static bool forwarded_signal(int sig)
{
	for (size_t i = 0; i < NFORWARDED; i++)
		if (forwarded[i] == sig)
			return true;
	return false;
}

/*
 * What one child runs: program with argv when program is set, else (or,
 * with shell_fallback, when that fails for any reason; without it, only
 * when program has no #!, as execvp does) /bin/sh with sh_argv.
 */
struct child_exec {
	const char *program;
	char *const *argv;
	char *const *sh_argv;
	bool shell_fallback;
};

/*
 * Runs what x says in run->root with env, in a process group of its own
 * that gets the signals knit gets, and waits for it (and, after a
 * forwarded signal, for what it left); its outcome in *status, labelled
 * event.
 */
static int run_child(const struct knit_script_run *run, const char *event, char **env, const struct child_exec *x,
		     struct knit_script_status *status, struct strbuf *err)
{
	struct saved_handlers saved;
	sigset_t block, old_mask;
	sigemptyset(&block);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	/* blocked until running_child is set, so that no signal is lost */
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	catch_signals(&saved);
	/* what the script's shell leaves behind when a signal ends it comes to knit */
	int was_subreaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* The script gets a process group of its own, so that a signal for it
	 * reaches every process it started, not only its shell; on a terminal
	 * that group becomes the foreground one, so ^C and the terminal's input
	 * go to the script, as a shell would arrange. */
	bool tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	/* in the sandbox, the shell runs the line: a program without #! is the shell's to run there too */
	char **sandboxed = run->sandbox ? knit_sandbox_argv(run->sandbox, (const char *const *)x->sh_argv) : NULL;
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		if (tty)
			tcsetpgrp(STDIN_FILENO, getpid());
		restore_signals(&saved);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		int failure = ENOENT;
		if (chdir(run->cwd ? run->cwd : run->root) == 0) {
			if (sandboxed)
				execve(sandboxed[0], sandboxed, env);
			else if (x->program) /* else, or if it cannot (a script without #!), the shell */
				execve(x->program, x->argv, env);
			failure = errno;
			if (!sandboxed && (!x->program || x->shell_fallback || errno == ENOEXEC))
				execve(x->sh_argv[0], x->sh_argv, env);
		}
		_exit(failure == ENOENT ? 127 : 126); /* as a shell says "not found" and "cannot execute" */
	}
	knit_sandbox_argv_free(sandboxed);
	if (pid > 0) {
		setpgid(pid, pid); /* also here: whichever runs first */
		if (tty)
			tcsetpgrp(STDIN_FILENO, pid);
	}
	int rc = 0, wstatus = 0;
	if (pid < 0) {
		strbuf_addf(err, "cannot start %s '%s': %s", x->shell_fallback ? "script" : "command", event,
			    strerror(errno));
		rc = KNIT_EIO;
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	} else {
		running_child = pid;
		last_forwarded = 0;
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		if (tty) { /* the terminal back to knit's group (SIGTTOU would stop
			    * knit): a further ^C now comes to knit */
			sigset_t ttou, before;
			sigemptyset(&ttou);
			sigaddset(&ttou, SIGTTOU);
			sigprocmask(SIG_BLOCK, &ttou, &before);
			tcsetpgrp(STDIN_FILENO, getpgrp());
			sigprocmask(SIG_SETMASK, &before, NULL);
		}
		/* a shell killed by ^C or a forwarded signal may leave its server
		 * shutting down: its outcome is the script's */
		int left;
		if (WIFSIGNALED(wstatus) && forwarded_signal(WTERMSIG(wstatus))) {
			draining = 1;
			if (wait_for_group(pid, &left))
				wstatus = left;
			draining = 0;
		} else {
			while (waitpid(-pid, &left, WNOHANG) > 0) /* orphans that already ended */
				;
		}
		running_child = 0;
	}
	prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
	restore_signals(&saved);
	if (rc)
		return rc;
	if (WIFSIGNALED(wstatus)) {
		status->failed = event;
		status->signal = WTERMSIG(wstatus);
		status->forwarded = status->signal == last_forwarded;
	} else if (WEXITSTATUS(wstatus)) {
		status->failed = event;
		status->exit_code = WEXITSTATUS(wstatus);
	}
	return 0;
}

static int run_one(const struct knit_script_run *run, const char *event, const char *command,
		   struct knit_script_status *status, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	strbuf_addstr(&line, command);
	if (!strcmp(event, run->name))
		for (size_t i = 0; i < run->nargs; i++) {
			strbuf_addch(&line, ' ');
			knit_shell_quote(&line, run->args[i]);
		}
	if (run->announce)
		run->announce(run->announce_ctx, event, line.buf);

	char **env = script_environment(run, event);
	struct knit_script_argv direct;
	knit_script_argv(line.buf, run->root, environment_path(env), &direct);
	char *sh_argv[] = { "/bin/sh", "-c", line.buf, NULL };
	struct child_exec x = { direct.program, direct.argv, sh_argv, true };
	int rc = run_child(run, event, env, &x, status, err);
	knit_script_argv_release(&direct);
	free_environment(env);
	strbuf_release(&line);
	return rc;
}

int knit_script_exec(const struct knit_script_run *run, const char *program, const char *const *argv,
		     struct knit_script_status *status, struct strbuf *err)
{
	memset(status, 0, sizeof(*status));
	size_t argc = 0;
	while (argv[argc])
		argc++;
	/* a file without #!: /bin/sh <program> <args>, as execvp runs it */
	char **sh_argv = knit_xcalloc(argc + 2, sizeof(*sh_argv));
	sh_argv[0] = "/bin/sh";
	sh_argv[1] = (char *)program;
	for (size_t i = 1; i < argc; i++)
		sh_argv[i + 1] = (char *)argv[i];
	char **env = script_environment(run, run->name);
	struct child_exec x = { program, (char *const *)argv, sh_argv, false };
	int rc = run_child(run, argv[0], env, &x, status, err);
	free_environment(env);
	free(sh_argv);
	return rc;
}

bool knit_script_which(const char *command, const char *bin_dir, struct strbuf *out)
{
	if (strchr(command, '/')) {
		strbuf_addstr(out, command);
		return true;
	}
	if (!*command)
		return false;
	struct strbuf file = STRBUF_INIT;
	const char *path = getenv("PATH");
	bool found = false;
	if (bin_dir) {
		strbuf_addf(&file, "%s/%s", bin_dir, command);
		found = knit_is_program(file.buf);
	}
	for (const char *dir = path; dir && !found;) {
		const char *end = strchrnul(dir, ':');
		int len = (int)(end - dir);
		strbuf_reset(&file);
		/* an empty entry is the current folder, as for execvp */
		strbuf_addf(&file, "%.*s/%s", len ? len : 1, len ? dir : ".", command);
		found = knit_is_program(file.buf);
		dir = *end ? end + 1 : NULL;
	}
	if (found)
		strbuf_addstr(out, file.buf);
	strbuf_release(&file);
	return found;
}

int knit_script_run(const struct knit_script_run *run, struct knit_script_status *status,
		    struct strbuf *err)
{
	memset(status, 0, sizeof(*status));
	struct strbuf pre = STRBUF_INIT, post = STRBUF_INIT;
	strbuf_addf(&pre, "pre%s", run->name);
	strbuf_addf(&post, "post%s", run->name);
	const char *steps[] = { pre.buf, run->name, post.buf };
	int rc = 0;
	for (size_t i = 0; i < 3 && !rc && !status->failed; i++) {
		if (run->alone && i != 1)
			continue;
		const char *command = knit_manifest_script(run->manifest, steps[i]);
		if (!command)
			continue;
		/* the name the manifest owns, so that status->failed outlives this call */
		for (size_t k = 0; k < run->manifest->nscripts; k++)
			if (run->manifest->scripts[k].command == command)
				rc = run_one(run, run->manifest->scripts[k].name, command, status, err);
	}
	strbuf_release(&pre);
	strbuf_release(&post);
	return rc;
}
