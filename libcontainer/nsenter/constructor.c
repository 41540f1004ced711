/* The constructor runs before the Go runtime. In an executor it runs the
 * executor and never returns to Go. Programs that opt in (the prefork
 * package's constructor calls hull_prefork_for_container_commands) fork
 * the executor early in `create|run|exec`, while the process is small and
 * single-threaded, and leave the parent's socket end for TakePreforked. */
#include "util.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#define EXECUTOR_ARGV0 "hull-executor"
/* libcontainer's newIDMapUserns starts us with this argv[0] in a new user
 * namespace whose fd it opens: we only wait to be killed. */
#define USERNS_HOLDER_ARGV0 "hull-userns-holder"
#define USERNS_JOINER_ARGV0 "hull-userns-joiner"
#define SOCK_ENV "_HULL_EXECUTOR_SOCK="

/* Read by nsenter.go through cgo. */
int hull_preforked_pid = -1;
int hull_preforked_sock = -1;
int hull_preforked_errno;
/* When the process began (CLOCK_REALTIME, ns), for the phase trace's
 * "go-start": the Go runtime's start-up is the time after this. */
long long hull_process_start_ns;

/* runc-style global flags that take their value as the next argument. */
static bool flag_takes_value(const char *arg)
{
	static const char *const names[] = { "root", "log", "log-format", "criu", "rootless" };
	size_t i;

	arg += arg[1] == '-' ? 2 : 1;
	if (strchr(arg, '='))
		return false;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0)
			return true;
	return false;
}

/* True when the subcommand (first word after the global flags) starts a
 * container process. */
static bool wants_executor(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i]; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			a = i + 1 < argc ? argv[i + 1] : NULL;
		} else if (a[0] == '-' && a[1]) {
			if (flag_takes_value(a))
				i++;
			continue;
		}
		return a && (strcmp(a, "create") == 0 || strcmp(a, "run") == 0 || strcmp(a, "exec") == 0);
	}
	return false;
}

static int executor_sock(int argc, char **argv, char **envp)
{
	char *end;
	long fd;

	if (argc < 1 || !argv[0] || strcmp(argv[0], EXECUTOR_ARGV0) != 0)
		return -1;
	for (; envp && *envp; envp++) {
		if (strncmp(*envp, SOCK_ENV, sizeof(SOCK_ENV) - 1) != 0)
			continue;
		errno = 0;
		fd = strtol(*envp + sizeof(SOCK_ENV) - 1, &end, 10);
		if (errno || *end || fd < 0 || fd > INT32_MAX)
			return -1;
		return (int)fd;
	}
	return -1;
}

/* A sealed in-memory copy of our binary, for when open_tree is refused
 * (rootless): nothing can write to it once sealed. */
static int sealed_copy(void)
{
	struct stat sb;
	int src, mfd;
	off_t off = 0;

	src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -1;
	mfd = memfd_create(EXECUTOR_ARGV0, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || fstat(src, &sb) < 0)
		goto fail;
	while (off < sb.st_size)
		if (sendfile(mfd, src, &off, (size_t)(sb.st_size - off)) <= 0)
			goto fail;
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		goto fail;
	close(src);
	return mfd;
fail:
	close(src);
	if (mfd >= 0)
		close(mfd);
	return -1;
}

/* An fd of our binary that no container can open for writing
 * (CVE-2019-5736): a detached read-only bind mount of it, else a sealed
 * copy. */
static int protected_exe(void)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd;

	fd = sys_open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd >= 0 && sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return sealed_copy();
}

static void reexec_executor(int sock) __attribute__((noreturn));
static void reexec_executor(int sock)
{
	char env[sizeof(SOCK_ENV) + 16];
	char *argv[] = { EXECUTOR_ARGV0, NULL };
	char *envp[] = { env, NULL };
	int exe;

	snprintf(env, sizeof(env), SOCK_ENV "%d", sock);
	exe = protected_exe();
	if (exe >= 0 && fcntl(sock, F_SETFD, 0) == 0)
		syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
	dprintf(2, "hull: start executor: %s\n", strerror(errno));
	_exit(127);
}

/* Forks the executor and keeps our socket end and its pid for Go. */
static void prefork_executor(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hull_preforked_errno = errno;
		return;
	}
	/* vfork: the child only opens the protected binary and execs it, so
	 * sharing our memory until then is safe, and we skip what fork costs
	 * here: copying the page tables, then a copy-on-write fault (with a
	 * TLB-flush IPI to the child's CPU) on each page we touch while it
	 * still shares them. We wait for its exec (well under 1 ms). */
	pid = vfork();
	if (pid < 0) {
		hull_preforked_errno = errno;
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		reexec_executor(sv[1]);
	}
	close(sv[1]);
	hull_preforked_pid = pid;
	hull_preforked_sock = sv[0];
}

/* Priority 200, before every constructor without a priority: an executor
 * must never reach another constructor of the program (oneproc's narrows
 * the CPU affinity the container would inherit). The pre-fork
 * constructor's is 201. */
__attribute__((constructor(200))) static void hull_constructor(int argc, char **argv, char **envp)
{
	struct timespec now;
	int sock = executor_sock(argc, argv, envp);

	if (clock_gettime(CLOCK_REALTIME, &now) == 0)
		hull_process_start_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;

	if (argc >= 1 && argv[0] && strcmp(argv[0], USERNS_HOLDER_ARGV0) == 0)
		for (;;)
			pause();
	/* Joins the user namespace of fd 3 and waits, so that the parent
	 * can read its uid_map and gid_map in our /proc. */
	if (argc >= 1 && argv[0] && strcmp(argv[0], USERNS_JOINER_ARGV0) == 0) {
		if (setns(3, CLONE_NEWUSER) < 0)
			_exit(1);
		close(3);
		for (;;)
			pause();
	}
	if (sock >= 0)
		executor_main(sock);
}

/* Called by the opt-in constructor of package nsenter/prefork, never by
 * this package on its own: a program that merely imports libcontainer
 * must not fork because its own argv happens to read `run`. */
void hull_prefork_for_container_commands(int argc, char **argv)
{
	/* The opt-in constructor may run before ours: never prefork in an
	 * executor. */
	if (argc >= 1 && argv[0] && strcmp(argv[0], EXECUTOR_ARGV0) == 0)
		return;
	if (wants_executor(argc, argv))
		prefork_executor();
}
