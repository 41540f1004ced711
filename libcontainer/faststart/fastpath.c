/* The shared part of the hull CLI's C paths (see faststart.go): the
 * global flags, the constructor that runs before the Go runtime and picks
 * the path, and the helpers the paths share. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fastpath.h"

#define PROC_SUPER_MAGIC 0x9fa0

/* value returns the value of flag name at argv[*i] ("--name V",
 * "--name=V", one or two dashes), advancing *i; NULL if argv[*i] is not
 * that flag. *bad is set when it is, without a value. */
static const char *value(int argc, char **argv, int *i, const char *name, bool *bad)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (a[0] != '-')
		return NULL;
	a += a[1] == '-' ? 2 : 1;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*bad = true;
		return NULL;
	}
	return argv[++*i];
}

/* parse_globals accepts only what it knows: runc's global flags that do
 * not change what start, kill or delete does. It returns the index of the command
 * in argv, or -1. --root is required: the default root is Go's to work
 * out. */
static int parse_globals(int argc, char **argv, struct globals *g)
{
	int i;
	bool bad = false;
	const char *v;

	memset(g, 0, sizeof(*g));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((v = value(argc, argv, &i, "root", &bad)))
			g->root = v;
		else if ((v = value(argc, argv, &i, "log", &bad)))
			g->log = v;
		else if ((v = value(argc, argv, &i, "log-format", &bad))) {
			if (strcmp(v, "json") == 0)
				g->json = true;
			else if (strcmp(v, "text") != 0)
				return -1;
		} else if ((v = value(argc, argv, &i, "rootless", &bad))) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0 && strcmp(v, "auto") != 0)
				return -1;
		} else if ((v = value(argc, argv, &i, "criu", &bad))) {
			/* checkpoint's business */
		} else if (strcmp(argv[i], "--systemd-cgroup") == 0 || strcmp(argv[i], "-systemd-cgroup") == 0) {
			/* No path acts on it: start writes the fifo, kill's
			 * ticket exists only where SIGKILL goes to the init
			 * alone, and delete's section only for a container
			 * whose cgroups are not systemd's (kill_ticket.go); Go's
			 * commands too go by the container's record. */
			v = "";
		} else {
			return -1;
		}
		if (bad || !v)
			return -1;
	}
	if (i >= argc || !g->root || !*g->root)
		return -1;
	return i;
}

static bool valid_id(const char *id)
{
	const char *c;

	if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '+' || *c == '-' || *c == '.'))
			return false;
	return true;
}

int open_container_dir(const struct globals *g, const char *id, int *rootfdp)
{
	int rootfd, dirfd;

	if (!valid_id(id))
		return -1;
	rootfd = open(g->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfdp && dirfd >= 0)
		*rootfdp = rootfd;
	else
		close(rootfd);
	return dirfd;
}

ssize_t read_small(int dirfd, const char *path, int flags, char *buf, size_t size)
{
	ssize_t n;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | flags);

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The same file, by the same rules, as libcontainer's cgroupFrozen. */
bool thawed(const char *t, const char **next)
{
	char path[4096], state[64];
	const char *line = t, *want;
	size_t n;

	*next = t;
	if (strncmp(line, "freezer-v1 /", 12) == 0) {
		line += 11;
		want = "THAWED\n";
	} else if (strncmp(line, "freeze-v2 /", 11) == 0) {
		line += 10;
		want = "0\n";
	} else {
		return true; /* no freezer */
	}
	n = strcspn(line, "\n");
	if (n >= sizeof(path) || line[n] != '\n')
		return false;
	memcpy(path, line, n);
	path[n] = '\0';
	*next = line + n + 1;
	if (read_small(AT_FDCWD, path, 0, state, sizeof(state)) < 0)
		return false;
	return strcmp(state, want) == 0;
}

const char *parse_init(const char *t, pid_t *pid, unsigned long long *start)
{
	char *end;
	long p;

	if (strncmp(t, "init ", 5) != 0 || t[5] < '1' || t[5] > '9')
		return NULL;
	p = strtol(t + 5, &end, 10);
	if (*end != ' ' || p <= 0 || p > INT_MAX || end[1] < '1' || end[1] > '9')
		return NULL;
	*pid = (pid_t)p;
	*start = strtoull(end + 1, &end, 10);
	if (*end != '\n' || *start == ULLONG_MAX)
		return NULL;
	return end + 1;
}

/* Fields 3 and 22 of /proc/PID/stat, through a /proc checked to be a
 * procfs: a bind mount or a FUSE fs over /proc could otherwise make any
 * process look like the init (libcontainer's openVerifiedProc does the
 * same check). */
int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[32], buf[1024], *p, *end;
	struct statfs sfs;
	int procfd, field, ret = -1;
	ssize_t n;

	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -1;
	if (fstatfs(procfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		goto out;
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	n = read_small(procfd, path, O_NOFOLLOW, buf, sizeof(buf));
	if (n < 0) {
		/* Gone, as readProcStat's errNoProcess. */
		if (errno == ENOENT || errno == ESRCH)
			ret = 0;
		goto out;
	}
	/* The command name (field 2) may hold spaces and ')'. */
	p = strrchr(buf, ')');
	if (n == 0 || (size_t)n >= sizeof(buf) - 1 || !p || p[1] != ' ')
		goto out;
	p += 2;
	*state = *p;
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			goto out;
		p++;
	}
	if (*p < '0' || *p > '9')
		goto out;
	errno = 0;
	*start = strtoull(p, &end, 10);
	if ((*end == ' ' || *end == '\n') && !errno && *start != ULLONG_MAX)
		ret = 1;
out:
	close(procfd);
	return ret;
}

bool proc_start(pid_t pid, char *state, unsigned long long *start)
{
	return proc_stat(pid, state, start) == 1;
}

/* The same file, by the same rules, as libcontainer's cgroupFrozen, for
 * the values the kernel writes there; anything else is unsure. */
int freezer_state(const char *line)
{
	char path[4096], state[64];
	const char *frozen[2], *thawed;
	size_t n;

	if (strcmp(line, "freezer none") == 0)
		return 0;
	if (strncmp(line, "freezer-v1 /", 12) == 0) {
		line += 11;
		thawed = "THAWED\n";
		frozen[0] = "FROZEN\n";
		frozen[1] = "FREEZING\n";
	} else if (strncmp(line, "freeze-v2 /", 11) == 0) {
		line += 10;
		thawed = "0\n";
		frozen[0] = frozen[1] = "1\n";
	} else {
		return -1;
	}
	n = strlen(line);
	if (n >= sizeof(path) || strchr(line, '\n'))
		return -1;
	memcpy(path, line, n + 1);
	if (read_small(AT_FDCWD, path, 0, state, sizeof(state)) < 0)
		return -1;
	if (strcmp(state, thawed) == 0)
		return 0;
	if (strcmp(state, frozen[0]) == 0 || strcmp(state, frozen[1]) == 0)
		return 1;
	return -1;
}

/* In the log's format, and on stderr too when the log is a file, as Go's
 * fatal writes it. */
void report(const struct globals *g, const char *msg, int err)
{
	char when[64], line[8192];
	time_t now = time(NULL);
	struct tm tm;
	int fd = 2, len;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (g->json)
		len = snprintf(line, sizeof(line), "{\"level\":\"error\",\"msg\":\"%s: %s\",\"time\":\"%s\"}\n", msg,
			       strerror(err), when);
	else
		len = snprintf(line, sizeof(line), "time=\"%s\" level=error msg=\"%s: %s\"\n", when, msg, strerror(err));
	if (g->log) {
		fd = open(g->log, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if (len > 0 && write(fd, line, (size_t)len) < 0) {
				/* nothing left to tell it to */
			}
			close(fd);
		}
		dprintf(2, "%s: %s\n", msg, strerror(err));
		return;
	}
	if (len > 0 && write(fd, line, (size_t)len) < 0) {
		/* nothing left to tell it to */
	}
}

bool touch_log(const struct globals *g)
{
	int fd;

	if (!g->log)
		return true;
	fd = open(g->log, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

__attribute__((constructor)) static void hull_fastpath(int argc, char **argv)
{
	struct globals g;
	int cmd;
	bool done = false;

	if (argc < 3 || !argv)
		return;
	/* Tracing and crash points are Go's: those runs must see Go. */
	if (getenv("HULL_TRACE") || getenv("HULL_CRASH_AT"))
		return;
	cmd = parse_globals(argc, argv, &g);
	if (cmd < 0)
		return;
	if (strcmp(argv[cmd], "start") == 0)
		done = fast_start(&g, argc - cmd - 1, argv + cmd + 1);
	else if (strcmp(argv[cmd], "kill") == 0)
		done = fast_kill(&g, argc - cmd - 1, argv + cmd + 1);
	else if (strcmp(argv[cmd], "delete") == 0)
		done = fast_delete(&g, argc - cmd - 1, argv + cmd + 1);
	else if (strcmp(argv[cmd], "state") == 0)
		done = fast_state(&g, argc - cmd - 1, argv + cmd + 1);
	if (done)
		_exit(0);
}

/* init_state says whether the init the ticket names has provably exited,
 * as deriveStatus's stopped (processAlive is false): no process has its
 * pid (pidfd_open: ESRCH); the process that has it has exited, every
 * thread of it (its pidfd polls readable: a zombie, which Go's status
 * takes for stopped too and whose delete neither kills nor waits); or
 * that process has another start time (read while its pidfd holds the
 * pid, so the pid cannot change hands in between), the init having gone
 * and its pid been reused. INIT_ALIVE is the other way round: the pidfd
 * names the process whose start time is the ticket's, and it is neither
 * a zombie nor dead (processAlive is true); *pidfdp then holds that
 * pidfd, a signal through which can reach no other process. Every case
 * it cannot tell is INIT_UNSURE. With its own pid namespace (the
 * ticket's condition), an init that exited took every other process of
 * the container with it. */
enum init_is init_state(pid_t pid, unsigned long long want, int *pidfdp)
{
	struct pollfd p;
	unsigned long long start;
	char state;
	enum init_is is = INIT_UNSURE;
	int r;

	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd < 0)
		return errno == ESRCH ? INIT_GONE : INIT_UNSURE;
	p.events = POLLIN;
	do
		r = poll(&p, 1, 0);
	while (r < 0 && errno == EINTR);
	if (r == 1 && (p.revents & POLLIN)) {
		is = INIT_GONE;
	} else if (r == 0 && proc_start(pid, &state, &start)) {
		if (start != want)
			is = INIT_GONE;
		else if (state != 'Z' && state != 'X')
			is = INIT_ALIVE;
	}
	/* An init that exits right then (after the poll, before the read: a
	 * zombie already, or reaped and its /proc entry gone) polls readable
	 * now: create+start+delete -f of /bin/true met that in 1 run of 40. */
	if (is == INIT_UNSURE && r == 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		is = INIT_GONE;
	if (is == INIT_ALIVE)
		*pidfdp = p.fd;
	else
		close(p.fd);
	return is;
}
