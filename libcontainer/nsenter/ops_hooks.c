/* Hooks that run inside the container (createContainer before pivot_root,
 * startContainer just before the user's process), started by the init
 * itself so that they share its namespaces, as runc runs them. Go decides
 * the argv, env, state text, cwd and timeout; here we only run it. */
#include "util.h"

#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define HOOK_OUTPUT_MAX 1024

static void run_child(const char *path, char **argv, char **envp, int in, int out, bool in_root)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	if (in_root && fchdir(root_fd()) < 0)
		_exit(126);
	/* A hook gets its stdio only, as runc's: nothing the caller gave hull
	 * (not yet closed before createContainer hooks), nothing preserved
	 * for the process. */
	if (sys_close_range(3, ~0U, 0) < 0 && sys_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		_exit(126);
	execve(path, argv, envp);
	dprintf(2, "exec %s: %s", path, strerror(errno));
	_exit(127);
}

/* Waits for the hook, collecting its output; kills it at the deadline. */
static int wait_hook(pid_t pid, int out, uint64_t timeout, char *buf, size_t *len, int *status, bool *timed_out)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int remaining = timeout ? (int)(timeout * 1000) : -1;
	struct pollfd fds[2] = { { .fd = out, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

	*timed_out = false;
	for (;;) {
		struct timespec t0, t1;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		n = poll(fds, pidfd >= 0 ? 2 : 1, remaining);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			*timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (fds[0].revents) {
			char tmp[512];
			ssize_t r = read(out, tmp, sizeof(tmp));

			if (r > 0) {
				size_t keep = (size_t)r < HOOK_OUTPUT_MAX - *len ? (size_t)r : HOOK_OUTPUT_MAX - *len;
				memcpy(buf + *len, tmp, keep);
				*len += keep;
			} else {
				fds[0].fd = -1; /* EOF: the hook (and its children) closed it */
				if (pidfd < 0)
					break;
			}
		}
		if (pidfd >= 0 && fds[1].revents)
			break;
		if (remaining > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			remaining -= (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
			if (remaining < 0)
				remaining = 0;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return fail("wait for hook");
	return 0;
}

/* ints: timeout (s, 0 none), argc, envc, cwd is the root (0/1), report
 * file index + 1 (0 none), hook number; strs: kind, path, state text
 * before the pid, state text after it, argv..., env... */
int op_run_hook(const struct op *op, uint32_t index)
{
	uint64_t timeout = op->ints[0], argc = op->ints[1], envc = op->ints[2], report = op->ints[4];
	const char *kind = op->strs[0], *path = op->strs[1];
	char **argv, **envp, out_buf[HOOK_OUTPUT_MAX + 1], pidtext[24];
	int in[2], out[2], status = 0, rc = -1;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	size_t len = 0;
	bool timed_out;
	uint64_t i;
	pid_t pid;

	(void)index;
	if (argc == 0 || 4 + argc + envc > op->nstrs)
		return fail_errno(EINVAL, "%s hook: %" PRIu64 " args and %" PRIu64 " env for %u strings", kind, argc, envc, op->nstrs);
	argv = calloc(argc + 1, sizeof(char *));
	envp = calloc(envc + 1, sizeof(char *));
	if (!argv || !envp)
		return fail_errno(ENOMEM, "%s hook", kind);
	for (i = 0; i < argc; i++)
		argv[i] = (char *)op->strs[4 + i];
	for (i = 0; i < envc; i++)
		envp[i] = (char *)op->strs[4 + argc + i];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		fail("%s hook: pipe", kind);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		fail("%s hook: fork", kind);
		goto out;
	}
	if (pid == 0)
		run_child(path, argv, envp, in[0], out[1], op->ints[3] != 0);
	close(in[0]);
	close(out[1]);
	/* The hook may not read its stdin: no SIGPIPE for us. */
	sigaction(SIGPIPE, &ign, &old);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)getpid());
	(void)(write_all_fd(in[1], op->strs[2], op->lens[2]) == 0 && write_all_fd(in[1], pidtext, strlen(pidtext)) == 0 &&
	       write_all_fd(in[1], op->strs[3], op->lens[3]) == 0);
	close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	rc = wait_hook(pid, out[0], timeout, out_buf, &len, &status, &timed_out);
	close(out[0]);
	if (rc < 0)
		goto out;
	while (len > 0 && (out_buf[len - 1] == '\n' || out_buf[len - 1] == ' '))
		len--;
	out_buf[len] = 0;
	if (timed_out)
		rc = fail_errno(0, "error running %s hook #%" PRIu64 ": timed out after %" PRIu64 "s", kind, op->ints[5], timeout);
	else if (WIFSIGNALED(status))
		rc = fail_errno(0, "error running %s hook #%" PRIu64 ": signal: %s%s%s", kind, op->ints[5],
				strsignal(WTERMSIG(status)), len ? ": " : "", out_buf);
	else if (WEXITSTATUS(status) != 0)
		rc = fail_errno(0, "error running %s hook #%" PRIu64 ": exit status %d%s%s", kind, op->ints[5],
				WEXITSTATUS(status), len ? ": " : "", out_buf);
	else
		rc = 0;
	/* After start nobody reads our messages: the start command waits on
	 * the report file instead. */
	if (rc < 0 && report && report - 1 < (uint64_t)st.prog->nfds) {
		(void)write_all_fd(st.prog->fds[report - 1], err_msg, strlen(err_msg));
		dprintf(2, "%s\n", err_msg);
	}
out:
	free(argv);
	free(envp);
	return rc;
}
