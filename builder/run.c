#include "run.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void knit_build_env_set(struct knit_build_env *e, const char *name, const char *value)
{
	struct strbuf var = STRBUF_INIT;
	strbuf_addf(&var, "%s=%s", name, value);
	size_t len = strlen(name);
	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->vars[i], name, len) && e->vars[i][len] == '=') {
			free(e->vars[i]);
			e->vars[i] = strbuf_detach(&var, NULL);
			return;
		}
	KNIT_ALLOC_GROW(e->vars, e->n + 1, e->alloc);
	e->vars[e->n++] = strbuf_detach(&var, NULL);
}

const char *knit_build_env_get(const char *name)
{
	const char *v = getenv(name);
	return v ? v : "";
}

void knit_build_env_release(struct knit_build_env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->vars[i]);
	free(e->vars);
	memset(e, 0, sizeof(*e));
}

/* environ with env's variables in place of the same names; the array is malloc'd, its strings borrowed. */
static char **merged_environment(const struct knit_build_env *env)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **out = knit_xcalloc(n + env->n + 1, sizeof(*out));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool replaced = false;
		for (size_t j = 0; j < env->n && !replaced; j++)
			replaced = !strncmp(env->vars[j], environ[i], len) && env->vars[j][len] == '=';
		if (!replaced)
			out[k++] = environ[i];
	}
	for (size_t j = 0; j < env->n; j++)
		out[k++] = env->vars[j];
	return out;
}

/* Starts argv in dir with stdout to out_fd and stderr to err_fd. */
static int start(const char *const *argv, const char *dir, const struct knit_build_env *env, int out_fd,
		 int err_fd, pid_t *child, struct strbuf *err)
{
	char **envp = merged_environment(env);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid = fork();
	if (pid == 0) {
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		if (chdir(dir))
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		environ = envp;
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int saved = errno;
	if (devnull >= 0)
		close(devnull);
	free(envp);
	if (pid < 0) {
		strbuf_addf(err, "cannot start %s: %s", argv[0], strerror(saved));
		return KNIT_EIO;
	}
	*child = pid;
	return 0;
}

int knit_build_wait(int pid, const char *what, struct knit_build_status *st, struct strbuf *err)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			strbuf_addf(err, "cannot wait for %s: %s", what, strerror(errno));
			return KNIT_EIO;
		}
	st->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	st->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return 0;
}

/* Runs argv in dir with stdout to out_fd and stderr to err_fd; waits. */
static int spawn(const char *const *argv, const char *dir, const struct knit_build_env *env, int out_fd,
		 int err_fd, struct knit_build_status *st, struct strbuf *err)
{
	pid_t pid;
	int rc = start(argv, dir, env, out_fd, err_fd, &pid, err);
	return rc ? rc : knit_build_wait(pid, argv[0], st, err);
}

/* "$ <argv>" into the log, before a step's own output. */
static void log_command(const char *const *argv, int log_fd)
{
	struct strbuf line = STRBUF_INIT;
	strbuf_addstr(&line, "$");
	for (size_t i = 0; argv[i]; i++)
		strbuf_addf(&line, " %s", argv[i]);
	strbuf_addch(&line, '\n');
	if (write(log_fd, line.buf, line.len) < 0) {
		/* the log is best effort; the step's status is what counts */
	}
	strbuf_release(&line);
}

int knit_build_start(const char *const *argv, const char *dir, const struct knit_build_env *env, int log_fd,
		     int *pid, struct strbuf *err)
{
	log_command(argv, log_fd);
	pid_t child;
	int rc = start(argv, dir, env, log_fd, log_fd, &child, err);
	if (!rc)
		*pid = child;
	return rc;
}

int knit_build_exec(const char *const *argv, const char *dir, const struct knit_build_env *env, int log_fd,
		    struct knit_build_status *st, struct strbuf *err)
{
	log_command(argv, log_fd);
	return spawn(argv, dir, env, log_fd, log_fd, st, err);
}

int knit_build_capture(const char *const *argv, const struct knit_build_env *env, int log_fd, size_t max,
		       struct strbuf *out, struct knit_build_status *st, struct strbuf *err)
{
	FILE *tmp = tmpfile();
	if (!tmp) {
		strbuf_addf(err, "cannot make a temporary file: %s", strerror(errno));
		return KNIT_EIO;
	}
	int rc = spawn(argv, ".", env, fileno(tmp), log_fd, st, err);
	if (!rc) {
		rewind(tmp);
		char buf[4096];
		size_t got;
		while ((got = fread(buf, 1, sizeof(buf), tmp)) > 0 && out->len + got <= max)
			strbuf_add(out, buf, got);
		if (got) {
			strbuf_addf(err, "%s printed more than %zu bytes", argv[0], max);
			rc = KNIT_EIO;
		}
	}
	fclose(tmp);
	return rc;
}
