/* Ops that set the container process's privileges: user and groups,
 * capabilities, no_new_privs, the session keyring and the seccomp filter. */
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>

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

/* Joins a new session keyring named strs[0], so that the container does
 * not share the caller's, then sets its permissions to (perm & ints[0]) |
 * ints[1]. A kernel without keyrings (ENOSYS) has nothing to share. */
int op_join_keyring(const struct op *op, uint32_t index)
{
	static char desc[8192];
	const char *name = op->strs[0];
	char *p, *end;
	unsigned long perm;
	long id, n;
	int i;

	(void)index;
	id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
	if (id < 0)
		return errno == ENOSYS ? 0 : fail("join session keyring %s", name);
	/* Nothing to change (an exec joining the init's keyring). */
	if ((op->ints[0] & 0xffffffffUL) == 0xffffffffUL && op->ints[1] == 0)
		return 0;
	/* "type;uid;gid;perm;description", perm in hex */
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1, 0);
	if (n < 0)
		return fail("describe session keyring %s", name);
	desc[(size_t)n < sizeof(desc) ? (size_t)n : sizeof(desc) - 1] = '\0';
	for (p = desc, i = 0; p && i < 3; i++) {
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!p)
		return fail_errno(EPROTO, "describe session keyring %s: no permissions field", name);
	errno = 0;
	perm = strtoul(p, &end, 16);
	if (errno || end == p || *end != ';')
		return fail_errno(EPROTO, "describe session keyring %s: bad permissions field", name);
	perm = (perm & (unsigned long)op->ints[0]) | (unsigned long)op->ints[1];
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm & 0xffffffffUL, 0, 0) < 0)
		return fail("set permissions of session keyring %s", name);
	return 0;
}

int op_seccomp(const struct op *op, uint32_t index)
{
	/* The packet gives no alignment guarantee, so the filter is copied;
	 * into static memory, so that nothing is freed (no munmap) once the
	 * filter applies: the compiler puts this op right before execve, and
	 * a deny-by-default profile need allow nothing of ours. */
	static struct sock_filter filter[BPF_MAXINSNS];
	struct sock_fprog prog;
	long r;

	if (op->lens[0] == 0 || op->lens[0] % sizeof(struct sock_filter) || op->lens[0] / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return fail_errno(EINVAL, "seccomp: bad filter length %u", op->lens[0]);
	memcpy(filter, op->strs[0], op->lens[0]);
	prog.len = (unsigned short)(op->lens[0] / sizeof(struct sock_filter));
	prog.filter = filter;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)op->ints[0], &prog);
	if (r < 0)
		return fail("load seccomp filter");
	/* With SECCOMP_FILTER_FLAG_NEW_LISTENER r is a notify fd: the parent
	 * hands it to the seccomp agent, and it must not stay in the
	 * container. The filter applies to us already, which is why the
	 * compiler refuses notify on sendmsg (nobody could answer it yet). */
	if (r > 0) {
		int fd = (int)r, err;

		err = send_msg(MSG_SECCOMP_FD, index, 0, NULL, 0, fd) < 0 ? errno : 0;
		close(fd);
		if (err)
			return fail_errno(err, "send seccomp notify fd to the parent");
		return wait_ack(index);
	}
	return 0;
}
