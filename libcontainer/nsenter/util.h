/* Shared declarations of the executor: raw wrappers for the syscalls glibc
 * does not wrap everywhere, the decoded program, messages and error
 * reporting. Kept in one header so every op file sees the same contract. */
#ifndef HULL_UTIL_H
#define HULL_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "program.h"

/* Older headers may lack these; the numbers are the kernel ABI. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Raw syscalls: glibc 2.36 wraps some of these but older ones do not, and
 * we want one spelling everywhere. */
static inline int sys_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static inline int sys_move_mount(int from, const char *from_path, int to, const char *to_path, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from, from_path, to, to_path, flags);
}
static inline int sys_fsopen(const char *fstype, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fstype, flags);
}
static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static inline int sys_fsmount(int fd, unsigned flags, unsigned attr)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr);
}
static inline int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}
static inline int sys_openat2(int dfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = 0, .resolve = resolve };
	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}
static inline int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

/* The decoded program. Strings point into the received buffer and are
 * NUL-terminated (checked by the decoder); ints are copied because they may
 * sit unaligned in the packet. */
struct op {
	uint16_t code;
	uint32_t nints, nstrs;
	uint64_t *ints;
	const char **strs;
	uint32_t *lens;
};

struct program {
	uint32_t nops;
	struct op *ops;
	int *fds;
	int nfds;
};

/* Executor state shared by the ops. */
struct exec_state {
	int sock;          /* socket to the parent */
	struct program *prog;
	int rootfd;        /* O_PATH fd of the container root, -1 until known */
	int devnullfd;     /* verified /dev/null of the container, -1 until opened */
	int sysprocfd;     /* private procfs (sysctls, LSM attributes), -1 until mounted */
	int procfd;        /* verified /proc, -1 until opened */
	char resolved[4096];  /* OP_RESOLVE_EXEC result, empty when not run */
	int pid_sent;      /* stage 2: pipe that says stage 1 sent MSG_PID, -1 after */
	bool detached_root; /* OP_ROOT_CLONE: the root is a detached tree */
	bool cgroup_ready; /* MSG_CGROUP_READY came (maybe while waiting for an ack) */
	bool created;      /* MSG_CREATED came: the init no longer dies with its parent */
	int *srcfds;       /* OP_MOUNT_SOURCES: O_PATH fd per slot (-1: none), until the root moved */
	uint32_t nsrcfds;
};

extern struct exec_state st;

/* Error reporting: an op records errno and one short line, returns -1. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern char err_msg[512];
extern int err_no;

/* message.c */
void await_pid_sent(void);
int send_msg(uint32_t type, uint32_t op_index, int32_t err, const void *payload, size_t len, int fd);
/* Waits for MSG_ACK; MSG_ABORT and EOF end the executor. An early
 * MSG_CGROUP_READY on the way is remembered in st.cgroup_ready. */
int wait_ack(uint32_t op_index);
/* The most fds one parent message carries (SCM_MAX_FD). */
#define MAX_PARENT_FDS 253
ssize_t recv_parent(uint32_t want, uint32_t op_index, uint8_t *buf, size_t size, int *fds, int maxfds, int *nfds);
/* Waits for MSG_CGROUP_READY (unless it came already); MSG_ABORT and EOF
 * end the executor. */
int wait_cgroup_ready(uint32_t op_index);
void report_error(uint32_t op_index);
/* Waits until fd is readable; before MSG_CREATED, the socket's EOF or
 * MSG_ABORT ends the executor. */
int wait_readable_while_creating(int fd, uint32_t op_index);

/* decode.c */
int decode_program(const uint8_t *buf, size_t len, struct program *p);
void free_program(struct program *p);

/* ops_mount.c: shared with the other mount ops */
#define MOVE_FDS (MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
#define PROPAGATION_TYPES (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
int set_propagation(int mfd, uint64_t flags, const char *what);
int attach(int mfd, const char *dest);
/* A detached mount of a new filesystem with options strs[first_opt..] of
 * op (op may be NULL); -2 means use mount(2) instead. */
int new_fs_mount(const char *fstype, const char *src, const struct op *op, uint32_t first_opt, uint64_t attr);

/* paths.c */
int root_fd(void);
int open_in_root(const char *path, int flags);
int create_in_root(const char *path, mode_t mode, bool is_file);
int open_parent_in_root(const char *path, const char **base);
int open_proc(const char *rel, int flags);
int write_all_fd(int fd, const char *buf, size_t len);

/* One function per op; each gets the op and its index. */
typedef int (*op_fn)(const struct op *op, uint32_t index);
int op_setns(const struct op *, uint32_t);
int op_unshare_user(const struct op *, uint32_t);
int op_unshare(const struct op *, uint32_t);
int op_timens_offsets(const struct op *, uint32_t);
int op_oom_score_adj(const struct op *, uint32_t);
int op_fork(const struct op *, uint32_t);
int op_hooks(const struct op *, uint32_t);
int op_wait_cgroup(const struct op *, uint32_t);
int op_hostname(const struct op *, uint32_t);
int op_domainname(const struct op *, uint32_t);
int op_setsid(const struct op *, uint32_t);
int op_setgroups_deny(const struct op *, uint32_t);

int op_propagation(const struct op *, uint32_t);
int op_root_open(const struct op *, uint32_t);
int op_mkdir_all(const struct op *, uint32_t);
int op_mkfile(const struct op *, uint32_t);
int op_mount_bind(const struct op *, uint32_t);
int op_mount_fs(const struct op *, uint32_t);
int op_mknod(const struct op *, uint32_t);
int op_symlink(const struct op *, uint32_t);
int op_pivot_root(const struct op *, uint32_t);
int op_move_root(const struct op *, uint32_t);
int op_root_clone(const struct op *, uint32_t);
int op_chroot(const struct op *, uint32_t);
int op_root_build_ns(const struct op *, uint32_t);
int op_root_detach(const struct op *, uint32_t);
int op_mask(const struct op *, uint32_t);
int op_readonly(const struct op *, uint32_t);
int op_remount_ro(const struct op *, uint32_t);
int op_sysctl(const struct op *, uint32_t);
int op_hide_mount(const struct op *, uint32_t);
int op_require_dir(const struct op *, uint32_t);

int op_console(const struct op *, uint32_t);
int op_console_mount(const struct op *, uint32_t);
int op_run_hook(const struct op *, uint32_t);
int op_rlimit(const struct op *, uint32_t);
int op_cap_bounding(const struct op *, uint32_t);
int op_set_user(const struct op *, uint32_t);
int op_caps(const struct op *, uint32_t);
int op_no_new_privs(const struct op *, uint32_t);
int op_join_keyring(const struct op *, uint32_t);
int op_umask(const struct op *, uint32_t);
int op_chdir(const struct op *, uint32_t);
int op_seccomp(const struct op *, uint32_t);
int op_resolve_exec(const struct op *, uint32_t);
int op_close_fds(const struct op *, uint32_t);
void note_inherited_fds(int sock);
int op_ready(const struct op *, uint32_t);
int op_wait_start(const struct op *, uint32_t);
int op_exec(const struct op *, uint32_t);

int op_lsm_attr(const struct op *, uint32_t);
int op_lsm_relabel(const struct op *, uint32_t);
int op_sched_attr(const struct op *, uint32_t);
int op_ioprio(const struct op *, uint32_t);
int op_cpu_affinity(const struct op *, uint32_t);
int op_personality(const struct op *, uint32_t);
int op_mempolicy(const struct op *, uint32_t);
int op_host_step(const struct op *, uint32_t);
int op_mount_sources(const struct op *, uint32_t);
/* ops_sources.c: the fd of slot + 1 (0: none) of OP_MOUNT_SOURCES, or -1. */
int mount_source_fd(uint64_t slot);
void close_mount_sources(void);

/* executor.c */
void executor_main(int sock) __attribute__((noreturn));

#endif
