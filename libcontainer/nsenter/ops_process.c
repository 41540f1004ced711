/* Ops that shape the container process itself: terminal, limits,
 * credentials, capabilities, seccomp, working directory, fds, and the
 * final wait for `start` and execve. */
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int op_console(const struct op *op, uint32_t index)
{
	struct stat sb;
	int master, slave, unlock = 0;

	(void)op;
	master = open_in_root("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (master < 0)
		return fail("open /dev/ptmx in root");
	if (fstat(master, &sb) < 0 || !S_ISCHR(sb.st_mode) || major(sb.st_rdev) != 5 || minor(sb.st_rdev) != 2) {
		close(master);
		return fail_errno(ENODEV, "/dev/ptmx in root is not the pty multiplexer");
	}
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		fail("unlock pty");
		goto fail;
	}
	/* TIOCGPTPEER opens the peer of this very master: no path lookup in
	 * /dev/pts that the image could redirect. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		fail("open pty peer");
		goto fail;
	}
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
		fail("make the pty stdio");
		close(slave);
		goto fail;
	}
	close(slave);
	if (ioctl(0, TIOCSCTTY, 0) < 0) {
		fail("make the pty the controlling terminal");
		goto fail;
	}
	if (send_msg(MSG_CONSOLE, index, 0, NULL, 0, master) < 0) {
		fail("send pty master");
		goto fail;
	}
	close(master);
	return 0;
fail:
	close(master);
	return -1;
}

int op_rlimit(const struct op *op, uint32_t index)
{
	struct rlimit lim = { .rlim_cur = op->ints[1], .rlim_max = op->ints[2] };

	(void)index;
	if (prlimit(0, (int)op->ints[0], &lim, NULL) < 0)
		return fail("set rlimit %d", (int)op->ints[0]);
	return 0;
}

/* Drops every bounding-set capability the kernel knows that is not kept;
 * the probe ends where PR_CAPBSET_READ says EINVAL (past the last cap). */
int op_cap_bounding(const struct op *op, uint32_t index)
{
	uint64_t keep = op->ints[0];
	int cap;

	(void)index;
	for (cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (r < 0 && errno == EINVAL)
			break;
		if (r < 0)
			return fail("read bounding capability %d", cap);
		if (r == 1 && !(keep & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return fail("drop bounding capability %d", cap);
	}
	return 0;
}

int op_set_user(const struct op *op, uint32_t index)
{
	uint64_t uid = op->ints[0], gid = op->ints[1], ngroups = op->ints[2];
	gid_t groups[NGROUPS_MAX];
	uint64_t i;

	(void)index;
	if (ngroups != op->nints - 3 || ngroups > NGROUPS_MAX)
		return fail_errno(EINVAL, "set user: %u group ints for %llu groups", op->nints - 3,
				  (unsigned long long)ngroups);
	for (i = 0; i < ngroups; i++)
		groups[i] = (gid_t)op->ints[3 + i];
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail("keep capabilities");
	/* Raw syscalls: the executor is single-threaded, no glibc setxid
	 * broadcast needed. A denied setgroups is fine with no groups. */
	if (syscall(SYS_setgroups, (size_t)ngroups, groups) < 0 && !(errno == EPERM && ngroups == 0))
		return fail("setgroups");
	if (syscall(SYS_setresgid, (gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)
		return fail("setresgid %llu", (unsigned long long)gid);
	if (syscall(SYS_setresuid, (uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		return fail("setresuid %llu", (unsigned long long)uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return fail("stop keeping capabilities");
	return 0;
}

int op_caps(const struct op *op, uint32_t index)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	uint64_t eff = op->ints[0], perm = op->ints[1], inh = op->ints[2], amb = op->ints[3];
	int i, cap;

	(void)index;
	for (i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(eff >> (32 * i));
		data[i].permitted = (uint32_t)(perm >> (32 * i));
		data[i].inheritable = (uint32_t)(inh >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail("capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail("clear ambient capabilities");
	/* Like runc, an ambient cap the kernel refuses (not both permitted
	 * and inheritable, or unknown) is skipped: configs built from `spec`
	 * list ambient caps without inheritable ones. */
	for (cap = 0; cap < 64; cap++)
		if (amb & (1ull << cap))
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	return 0;
}

int op_no_new_privs(const struct op *op, uint32_t index)
{
	(void)op;
	(void)index;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("set no_new_privs");
	return 0;
}

int op_umask(const struct op *op, uint32_t index)
{
	(void)index;
	umask((mode_t)op->ints[0]);
	return 0;
}

/* The cwd is resolved in the root like any other path, and the result is
 * checked: getcwd of a directory outside our root does not start with /. */
int op_chdir(const struct op *op, uint32_t index)
{
	char cwd[PATH_MAX];
	int fd;

	(void)index;
	fd = open_in_root(op->strs[0], O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fail("open cwd %s in root", op->strs[0]);
	if (fchdir(fd) < 0) {
		fail("chdir %s", op->strs[0]);
		close(fd);
		return -1;
	}
	close(fd);
	if (!getcwd(cwd, sizeof(cwd)))
		return fail("check cwd %s", op->strs[0]);
	if (cwd[0] != '/')
		return fail_errno(EPERM, "cwd %s is outside the root", op->strs[0]);
	return 0;
}

int op_seccomp(const struct op *op, uint32_t index)
{
	struct sock_fprog prog;
	struct sock_filter *filter;
	long r;

	(void)index;
	if (op->lens[0] == 0 || op->lens[0] % sizeof(struct sock_filter) || op->lens[0] / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return fail_errno(EINVAL, "seccomp: bad filter length %u", op->lens[0]);
	/* The packet gives no alignment guarantee; the kernel copies it anyway. */
	filter = malloc(op->lens[0]);
	if (!filter)
		return fail("seccomp: allocate filter");
	memcpy(filter, op->strs[0], op->lens[0]);
	prog.len = (unsigned short)(op->lens[0] / sizeof(struct sock_filter));
	prog.filter = filter;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)op->ints[0], &prog);
	free(filter);
	if (r < 0)
		return fail("load seccomp filter");
	/* With SECCOMP_FILTER_FLAG_NEW_LISTENER r is a notify fd; the protocol
	 * has no message for it yet, so it must not leak into the container. */
	if (r > 0)
		close((int)r);
	return 0;
}

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
	if (op->ints[0] > INT_MAX)
		return fail_errno(EINVAL, "close fds from %llu", (unsigned long long)op->ints[0]);
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

	(void)index;
	if (fi >= (uint64_t)st.prog->nfds)
		return fail_errno(EBADF, "wait for start: file %llu was not passed", (unsigned long long)fi);
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
	/* Tell whoever still listens; after `create` returned, only the
	 * container's stderr does. */
	fail_errno(err, "exec failed: %s", path);
	report_error(index);
	snprintf(reason, sizeof(reason), "%s", strerror(err));
	reason[0] = (char)tolower((unsigned char)reason[0]);
	len = snprintf(line, sizeof(line), "exec failed: %s: %s\n", path, reason);
	if (len > 0)
		write_all_fd(2, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
	_exit(err == EACCES || err == ENOEXEC ? 126 : 127);
}
