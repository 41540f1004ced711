/* Namespace and process-tree ops: setns/unshare, the user-namespace and
 * hook handshakes with the parent, time offsets, the stage 1 -> stage 2
 * fork, and the names of the UTS namespace. */
#include "util.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

int op_setns(const struct op *op, uint32_t index)
{
	uint64_t fi = op->ints[0];

	(void)index;
	if (fi >= (uint64_t)st.prog->nfds)
		return fail_errno(EBADF, "setns: file %" PRIu64 " was not passed", fi);
	if (setns(st.prog->fds[fi], (int)op->ints[1]) < 0)
		return fail("setns");
	/* In a joined user namespace we keep our host ids, which it may not
	 * map: files we create there would fail with EOVERFLOW. Become its
	 * root, as after unshare (EINVAL: it maps no root). */
	if (op->ints[1] & CLONE_NEWUSER) {
		if (syscall(SYS_setresgid, 0, 0, 0) < 0 && errno != EINVAL)
			return fail("setresgid 0 in joined user namespace");
		if (syscall(SYS_setresuid, 0, 0, 0) < 0 && errno != EINVAL)
			return fail("setresuid 0 in joined user namespace");
	}
	/* A new mount namespace (or one found by fd type) has its own root
	 * and /proc: forget the ones we knew. */
	if (op->ints[1] == 0 || op->ints[1] & CLONE_NEWNS) {
		if (st.rootfd >= 0)
			close(st.rootfd);
		if (st.procfd >= 0)
			close(st.procfd);
		st.rootfd = st.procfd = -1;
	}
	return 0;
}

int op_unshare_user(const struct op *op, uint32_t index)
{
	(void)op;
	if (unshare(CLONE_NEWUSER) < 0)
		return fail("unshare user namespace");
	/* A rootless parent can only write our maps while /proc/PID is ours,
	 * that is while we are dumpable; only the parent runs meanwhile. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return fail("make executor dumpable for the uid/gid maps");
	if (send_msg(MSG_USERMAP_REQ, index, 0, NULL, 0, -1) < 0)
		return fail("request uid/gid maps");
	if (wait_ack(index) < 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail("make executor non-dumpable");
	/* Become root of the new namespace when it maps root; EINVAL means
	 * it does not (a rootless map of the caller only). */
	if (syscall(SYS_setresgid, 0, 0, 0) < 0 && errno != EINVAL)
		return fail("setresgid 0 in user namespace");
	if (syscall(SYS_setresuid, 0, 0, 0) < 0 && errno != EINVAL)
		return fail("setresuid 0 in user namespace");
	return 0;
}

int op_unshare(const struct op *op, uint32_t index)
{
	(void)index;
	if (op->ints[0] & CLONE_NEWUSER)
		return fail_errno(EINVAL, "unshare: user namespaces need their own op");
	if (unshare((int)op->ints[0]) < 0)
		return fail("unshare namespaces");
	return 0;
}

static int write_proc_self(const char *rel, const char *text, size_t len)
{
	int fd = open_proc(rel, O_WRONLY);

	if (fd < 0)
		return -1;
	if (write_all_fd(fd, text, len) < 0) {
		fail("write /proc/%s", rel);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int op_timens_offsets(const struct op *op, uint32_t index)
{
	(void)index;
	return write_proc_self("self/timens_offsets", op->strs[0], op->lens[0]);
}

int op_oom_score_adj(const struct op *op, uint32_t index)
{
	char text[32];
	int len = snprintf(text, sizeof(text), "%" PRId64, (int64_t)op->ints[0]);

	(void)index;
	/* CVE-2025-52881: written before any namespace is joined, so only
	 * the runtime's /proc is involved, and through open_proc, whose
	 * lookup refuses a mount raced over the file (a bind of another
	 * procfs file would pass a check of the fd's filesystem alone). */
	return write_proc_self("self/oom_score_adj", text, (size_t)len);
}

/* Stage 1 forks the container init, sends MSG_PID and exits. Stage 2
 * goes on at once and only waits for that message to be out before its
 * own first message or execve (await_pid_sent), so its setup overlaps
 * stage 1's send. */
int op_fork(const struct op *op, uint32_t index)
{
	int sync[2];
	pid_t pid;
	uint32_t upid;
	char c = 0;

	(void)op;
	if (pipe2(sync, O_CLOEXEC) < 0)
		return fail("create fork sync pipe");
	pid = fork();
	if (pid < 0)
		return fail("fork the container process");
	if (pid > 0) {
		close(sync[0]);
		upid = (uint32_t)pid;
		if (send_msg(MSG_PID, index, 0, &upid, sizeof(upid), -1) < 0)
			_exit(1); /* the child sees EOF and gives up too */
		if (write(sync[1], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(sync[1]);
	st.pid_sent = sync[0];
	/* A fresh session so the init can take a controlling terminal; no
	 * parent-death signal, stage 1 exits right away. */
	if (setsid() < 0)
		return fail("setsid");
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		return fail("clear parent death signal");
	return 0;
}

int op_hooks(const struct op *op, uint32_t index)
{
	uint32_t phase = (uint32_t)op->ints[0];

	if (send_msg(MSG_HOOKS, index, 0, &phase, sizeof(phase), -1) < 0)
		return fail("ask the parent to run hooks");
	return wait_ack(index);
}

/* The parent joins us to the container's cgroup while we run the first
 * ops of stage 1; what must happen inside it (a new cgroup namespace, the
 * fork of the init) waits here until it says so. */
int op_wait_cgroup(const struct op *op, uint32_t index)
{
	(void)op;
	return wait_cgroup_ready(index);
}

int op_hostname(const struct op *op, uint32_t index)
{
	(void)index;
	if (sethostname(op->strs[0], op->lens[0]) < 0)
		return fail("sethostname %s", op->strs[0]);
	return 0;
}

int op_domainname(const struct op *op, uint32_t index)
{
	(void)index;
	if (setdomainname(op->strs[0], op->lens[0]) < 0)
		return fail("setdomainname %s", op->strs[0]);
	return 0;
}

int op_setsid(const struct op *op, uint32_t index)
{
	(void)op;
	(void)index;
	/* OP_FORK already made stage 2 a session leader. */
	if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
		return fail("setsid");
	return 0;
}

/* The parent writes /proc/PID/setgroups before it acks MSG_USERMAP_REQ. */
int op_setgroups_deny(const struct op *op, uint32_t index)
{
	(void)op;
	(void)index;
	return 0;
}
