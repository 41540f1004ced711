/* The last ops: find the executable, close the fds the container must not
 * get, tell the parent we are ready, wait for `start`, execve. */
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* Like Go's exec.LookPath: 0 when path is an executable file. */
static int check_executable(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return -1;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 0;
	/* A seccomp profile may refuse faccessat2 (EPERM) or hide it
	 * (ENOSYS); like Go, fall back to the permission bits. */
	if (errno != EPERM && errno != ENOSYS)
		return -1;
	if (sb.st_mode & 0111)
		return 0;
	errno = EACCES;
	return -1;
}

static int set_resolved(const char *path)
{
	if (strlen(path) >= sizeof(st.resolved))
		return fail_errno(ENAMETOOLONG, "exec: \"%s\"", path);
	strcpy(st.resolved, path);
	return 0;
}

int op_resolve_exec(const struct op *op, uint32_t index)
{
	const char *name = op->strs[0], *dir = op->strs[1];
	char path[PATH_MAX];
	bool denied = false;

	(void)index;
	if (!name[0])
		return fail_errno(ENOENT, "exec: no command");
	if (strchr(name, '/')) {
		if (check_executable(name) == 0)
			return set_resolved(name);
		if (errno == ENOENT)
			return fail("exec: \"%s\": stat %s", name, name);
		return fail("exec: \"%s\"", name);
	}
	for (;;) {
		size_t len = strcspn(dir, ":");
		int n = len ? snprintf(path, sizeof(path), "%.*s/%s", (int)len, dir, name)
			    : snprintf(path, sizeof(path), "./%s", name);

		if (n > 0 && (size_t)n < sizeof(path)) {
			if (check_executable(path) == 0)
				return set_resolved(path);
			if (errno == EACCES)
				denied = true;
		}
		if (!dir[len])
			break;
		dir += len + 1;
	}
	if (denied)
		return fail_errno(EACCES, "exec: \"%s\"", name);
	return fail_errno(ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

/* The highest fd hull's caller left open to the executor (not
 * close-on-exec), noted at its start while the host's /proc is at hand. */
static int inherited_max = -1;

void note_inherited_fds(int sock)
{
	char buf[4096];
	long n;
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0) {
		inherited_max = INT_MAX; /* unknown: close_inherited_fds is bounded below */
		return;
	}
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < n) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;
			long fd = strtol(d->d_name, &end, 10);
			int flags;

			off += d->d_reclen;
			if (*end || end == d->d_name || fd < 3 || fd == dir || fd == sock)
				continue;
			flags = fcntl((int)fd, F_GETFD);
			if (flags >= 0 && !(flags & FD_CLOEXEC) && fd > inherited_max)
				inherited_max = (int)fd;
		}
	}
	close(dir);
}

/* Closes each fd from first on that hull's caller left open (the executor
 * opens all its own fds O_CLOEXEC and still needs some), so that none
 * stays open in the created init until execve. */
static void close_inherited_fds(int first)
{
	int fd, last = inherited_max;

	if (last == INT_MAX) {
		struct rlimit lim;

		last = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 65536 ? (int)lim.rlim_cur : 65536;
	}
	for (fd = first; fd <= last; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0 && !(flags & FD_CLOEXEC))
			close(fd);
	}
}

/* For when close_range is refused (a seccomp profile loaded earlier, an
 * old kernel): mark each open fd listed in the verified /proc/self/fd. */
static int cloexec_listed_fds(int first)
{
	char buf[4096];
	long n;
	int dir = open_proc("self/fd", O_RDONLY | O_DIRECTORY);

	if (dir < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < n) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;
			long fd = strtol(d->d_name, &end, 10);

			off += d->d_reclen;
			if (*end || end == d->d_name || fd < first || fd == dir)
				continue;
			if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF) {
				fail("mark fd %ld close-on-exec", fd);
				close(dir);
				return -1;
			}
		}
	}
	if (n < 0)
		fail("list /proc/self/fd");
	close(dir);
	return n < 0 ? -1 : 0;
}

int op_close_fds(const struct op *op, uint32_t index)
{
	(void)index;
	close_mount_sources();
	if (op->ints[0] > INT_MAX)
		return fail_errno(EINVAL, "close fds from %llu", (unsigned long long)op->ints[0]);
	close_inherited_fds((int)op->ints[0]);
	/* Marked, not closed: the fds we still need are close-on-exec already
	 * and the rest go at execve. */
	if (sys_close_range((unsigned)op->ints[0], ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != EPERM && errno != ENOSYS && errno != EINVAL)
		return fail("close fds from %llu", (unsigned long long)op->ints[0]);
	return cloexec_listed_fds((int)op->ints[0]);
}

int op_ready(const struct op *op, uint32_t index)
{
	(void)op;
	if (send_msg(MSG_READY, index, 0, NULL, 0, -1) < 0)
		return fail("tell the parent we are ready");
	return 0;
}

int op_wait_start(const struct op *op, uint32_t index)
{
	uint64_t fi = op->ints[0];
	char c;
	ssize_t n;

	if (fi >= (uint64_t)st.prog->nfds)
		return fail_errno(EBADF, "wait for start: file %llu was not passed", (unsigned long long)fi);
	if (wait_readable_while_creating(st.prog->fds[fi], index) < 0)
		return -1;
	do
		n = read(st.prog->fds[fi], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail("wait for start");
	if (n == 0)
		return fail_errno(ECANCELED, "wait for start: exec fifo closed");
	close(st.prog->fds[fi]);
	return 0;
}

int op_exec(const struct op *op, uint32_t index)
{
	uint64_t argc = op->ints[0];
	const char **argv, **envp;
	const char *path;
	char line[PATH_MAX + 128], reason[128];
	int err, len;
	uint32_t i;

	if (argc < 1 || argc > op->nstrs)
		return fail_errno(EINVAL, "exec: %llu args of %u strings", (unsigned long long)argc, op->nstrs);
	argv = calloc(op->nstrs + 2, sizeof(*argv));
	if (!argv)
		return fail("exec: allocate argv");
	for (i = 0; i < argc; i++)
		argv[i] = op->strs[i];
	envp = argv + argc + 1;
	for (i = (uint32_t)argc; i < op->nstrs; i++)
		envp[i - argc] = op->strs[i];
	path = st.resolved[0] ? st.resolved : argv[0];
	await_pid_sent(); /* no container process the parent has no pid of */
	execve(path, (char *const *)argv, (char *const *)envp);
	err = errno;
	/* Tell the parent if it still listens (exec, run); after `create`
	 * returned only the container's stderr can, in Go's words (runc's
	 * line). One of the two, so the user reads the error once. */
	fail_errno(err, "exec %s", path);
	if (send_msg(MSG_ERROR, index, err_no, err_msg, strlen(err_msg), -1) < 0) {
		snprintf(reason, sizeof(reason), "%s", strerror(err));
		reason[0] = (char)tolower((unsigned char)reason[0]);
		len = snprintf(line, sizeof(line), "exec %s: %s\n", path, reason);
		if (len > 0)
			write_all_fd(2, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
	}
	/* 255, not a shell's 126/127: runc's init exits 255 when it fails,
	 * and what waits for the container (run, containerd) passes that on. */
	_exit(255);
}
