/* A program's output (capture.h). */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

int knit_capture(const char *dir, const char *const *argv, unsigned flags, size_t max, struct strbuf *out)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		if (in >= 0)
			dup2(in, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		if (flags & KNIT_CAPTURE_STDERR) {
			dup2(fds[1], STDERR_FILENO);
		} else {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0)
				dup2(null, STDERR_FILENO);
		}
		if (!dir || chdir(dir) == 0)
			execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	char buf[4096];
	ssize_t got;
	while ((got = read(fds[0], buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0 && out->len < max)
			strbuf_add(out, buf, (size_t)got < max - out->len ? (size_t)got : max - out->len);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
