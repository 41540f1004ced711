/* The executor's main loop: receive one program, check each op's argument
 * counts against a table, run the ops in order, report the first failure. */
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

/* Errors that belong to no op (receive, decode) use this index; the
 * parent's Program.Origin maps it to "executor". */
#define NO_OP UINT32_MAX

/* Large enough for any program we compile (seccomp BPF included). */
#define PROGRAM_BUF_SIZE (1u << 20)
/* The kernel's limit of fds in one SCM_RIGHTS message. */
#define MAX_FDS 253

struct exec_state st = { .sock = -1, .rootfd = -1, .devnullfd = -1, .sysprocfd = -1, .procfd = -1, .pid_sent = -1 };

struct op_entry {
	op_fn fn;
	uint32_t min_ints, min_strs;
};

static const struct op_entry op_table[] = {
	[OP_SETNS] = { op_setns, 2, 0 },
	[OP_UNSHARE_USER] = { op_unshare_user, 0, 0 },
	[OP_UNSHARE] = { op_unshare, 1, 0 },
	[OP_TIMENS_OFFSETS] = { op_timens_offsets, 0, 1 },
	[OP_OOM_SCORE_ADJ] = { op_oom_score_adj, 1, 0 },
	[OP_FORK] = { op_fork, 0, 0 },
	[OP_PROPAGATION] = { op_propagation, 1, 1 },
	[OP_ROOT_OPEN] = { op_root_open, 0, 1 },
	[OP_MKDIR_ALL] = { op_mkdir_all, 1, 1 },
	[OP_MKFILE] = { op_mkfile, 1, 1 },
	[OP_MOUNT_BIND] = { op_mount_bind, 4, 2 },
	[OP_MOUNT_FS] = { op_mount_fs, 2, 3 },
	[OP_MKNOD] = { op_mknod, 5, 1 },
	[OP_SYMLINK] = { op_symlink, 0, 2 },
	[OP_HOOKS] = { op_hooks, 1, 0 },
	[OP_PIVOT_ROOT] = { op_pivot_root, 0, 0 },
	[OP_MOVE_ROOT] = { op_move_root, 0, 0 },
	[OP_MASK] = { op_mask, 0, 1 },
	[OP_READONLY] = { op_readonly, 0, 1 },
	[OP_REMOUNT_RO] = { op_remount_ro, 0, 1 },
	[OP_SYSCTL] = { op_sysctl, 0, 2 },
	[OP_HOSTNAME] = { op_hostname, 0, 1 },
	[OP_DOMAINNAME] = { op_domainname, 0, 1 },
	[OP_CONSOLE] = { op_console, 0, 0 },
	[OP_CONSOLE_MOUNT] = { op_console_mount, 0, 1 },
	[OP_RUN_HOOK] = { op_run_hook, 6, 4 },
	[OP_RLIMIT] = { op_rlimit, 3, 0 },
	[OP_CAP_BOUNDING] = { op_cap_bounding, 1, 0 },
	[OP_SET_USER] = { op_set_user, 3, 0 },
	[OP_CAPS] = { op_caps, 4, 0 },
	[OP_NO_NEW_PRIVS] = { op_no_new_privs, 0, 0 },
	[OP_UMASK] = { op_umask, 1, 0 },
	[OP_CHDIR] = { op_chdir, 0, 1 },
	[OP_SECCOMP] = { op_seccomp, 1, 1 },
	[OP_RESOLVE_EXEC] = { op_resolve_exec, 0, 2 },
	[OP_CLOSE_FDS] = { op_close_fds, 1, 0 },
	[OP_READY] = { op_ready, 0, 0 },
	[OP_WAIT_START] = { op_wait_start, 1, 0 },
	[OP_EXEC] = { op_exec, 1, 1 },
	[OP_SETSID] = { op_setsid, 0, 0 },
	[OP_SET_GROUPS_DENY] = { op_setgroups_deny, 0, 0 },
	[OP_JOIN_KEYRING] = { op_join_keyring, 2, 1 },
	[OP_ROOT_CLONE] = { op_root_clone, 0, 1 },
	[OP_CHROOT] = { op_chroot, 0, 0 },
	[OP_WAIT_CGROUP] = { op_wait_cgroup, 0, 0 },
	[OP_LSM_ATTR] = { op_lsm_attr, 0, 2 },
	[OP_LSM_RELABEL] = { op_lsm_relabel, 0, 2 },
	[OP_SCHED_ATTR] = { op_sched_attr, 7, 0 },
	[OP_IOPRIO] = { op_ioprio, 1, 0 },
	[OP_CPU_AFFINITY] = { op_cpu_affinity, 0, 1 },
	[OP_PERSONALITY] = { op_personality, 1, 0 },
	[OP_MEMPOLICY] = { op_mempolicy, 2, 1 },
	[OP_HOST_STEP] = { op_host_step, 1, 0 },
	[OP_HIDE_MOUNT] = { op_hide_mount, 0, 1 },
	[OP_REQUIRE_DIR] = { op_require_dir, 0, 2 },
	[OP_MOUNT_SOURCES] = { op_mount_sources, 0, 0 },
	[OP_ROOT_BUILD_NS] = { op_root_build_ns, 0, 1 },
	[OP_ROOT_DETACH] = { op_root_detach, 1, 0 },
};

static void die(uint32_t op_index) __attribute__((noreturn));
static void die(uint32_t op_index)
{
	report_error(op_index);
	_exit(1);
}

/* Receives the MSG_PROGRAM packet and keeps the fds that came with it. */
static int receive_program(uint8_t *buf, size_t size, size_t *len, struct program *p)
{
	static union {
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n;
	uint32_t type;

	do
		n = recvmsg(st.sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		_exit(1); /* the parent went away before sending anything */
	if (n < 0)
		return fail("receive program");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		p->nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		p->fds = (int *)CMSG_DATA(c);
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return fail_errno(EMSGSIZE, "receive program: message truncated");
	if (n < HULL_MSG_HEADER_SIZE)
		return fail_errno(EBADMSG, "receive program: short message");
	type = buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
	/* A parent that failed before sending a program (a refused exec)
	 * may abort us instead of closing: as EOF, no error of ours. */
	if (type == MSG_ABORT)
		_exit(1);
	if (type != MSG_PROGRAM)
		return fail_errno(EPROTO, "receive program: unexpected message %u", type);
	*len = (size_t)n;
	return 0;
}

static int run_op(const struct op *op, uint32_t index)
{
	const struct op_entry *e;

	if (op->code >= sizeof(op_table) / sizeof(op_table[0]) || !op_table[op->code].fn)
		return fail_errno(EINVAL, "unknown op code %u", op->code);
	e = &op_table[op->code];
	if (op->nints < e->min_ints || op->nstrs < e->min_strs)
		return fail_errno(EINVAL, "op code %u: want %u ints and %u strings, got %u and %u",
				  op->code, e->min_ints, e->min_strs, op->nints, op->nstrs);
	return e->fn(op, index);
}

void executor_main(int sock)
{
	static struct program prog;
	uint8_t *buf;
	size_t len = 0;
	uint32_t i;

	st.sock = sock;
	st.prog = &prog;
	/* The socket must not reach the container's process. */
	if (fcntl(sock, F_SETFD, FD_CLOEXEC) < 0) {
		fail("mark executor socket close-on-exec");
		die(NO_OP);
	}
	note_inherited_fds(sock);
	/* CVE-2019-5736, CVE-2016-9962: until execve makes us the container's process, nothing in the
	 * container may ptrace us or open our /proc files (our fds lead to
	 * the host). execve restores dumpability. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		fail("make executor non-dumpable");
		die(NO_OP);
	}
	buf = malloc(PROGRAM_BUF_SIZE);
	if (!buf) {
		fail("allocate program buffer");
		die(NO_OP);
	}
	if (receive_program(buf, PROGRAM_BUF_SIZE, &len, &prog) < 0 ||
	    decode_program(buf + HULL_MSG_HEADER_SIZE, len - HULL_MSG_HEADER_SIZE, &prog) < 0)
		die(NO_OP);
	for (i = 0; i < prog.nops; i++)
		if (run_op(&prog.ops[i], i) < 0)
			die(i);
	_exit(0);
}
