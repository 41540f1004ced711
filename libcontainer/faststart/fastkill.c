/* The C path of `hull kill` (see faststart.go): signals the init that the
 * container's kill ticket names, the plain case of Container.Signal, or
 * returns false having sent nothing, for Go to do the command. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fastpath.h"

/* libcontainer's names (kill_ticket.go). */
#define TICKET_FILE "kill.ticket"
#define TICKET_MAGIC "hull kill ticket 1\n"
#define PROC_SUPER_MAGIC 0x9fa0
/* The realtime signals' top (libcontainer's sigRTMax). */
#define SIG_MAX 64

/* parse_signal returns the signal s names, as libcontainer.ParseSignal
 * reads it, or -1 for anything else, including what ParseSignal accepts
 * beyond plain digits and these names ("+15", "RTMIN+3"): Go does those.
 * names[i] is signal i+1, the table ParseSignal looks names up in
 * (x/sys/unix's SignalNum). */
static int parse_signal(const char *s)
{
	static const char *const names[] = { "HUP",  "INT",  "QUIT", "ILL",  "TRAP",   "ABRT", "BUS",   "FPE",
					     "KILL", "USR1", "SEGV", "USR2", "PIPE",   "ALRM", "TERM",  "STKFLT",
					     "CHLD", "CONT", "STOP", "TSTP", "TTIN",   "TTOU", "URG",   "XCPU",
					     "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",  "SYS" };
	size_t i, n = strlen(s);
	int v = 0;

	if (n > 0 && n <= 3 && strspn(s, "0123456789") == n) {
		for (i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		return v <= SIG_MAX ? v : -1; /* 0 checks the init is there */
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i + 1;
	return -1;
}

/* parse_ticket reads "init PID STARTTIME\n" and returns the rest (the
 * freezer line), or NULL when the line is not exactly that. */
static const char *parse_ticket(const char *t, pid_t *pid, unsigned long long *start)
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

/* proc_start reads the state and start time (fields 3 and 22) of pid from
 * /proc/PID/stat, through a /proc checked to be a procfs: a bind mount or
 * a FUSE fs over /proc could otherwise make any process look like the
 * init (libcontainer's openVerifiedProc does the same check). */
static bool proc_start(pid_t pid, char *state, unsigned long long *start)
{
	char path[32], buf[1024], *p, *end;
	struct statfs sfs;
	int procfd, field;
	bool ok = false;

	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return false;
	if (fstatfs(procfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		goto out;
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	if (read_small(procfd, path, O_NOFOLLOW, buf, sizeof(buf)) <= 0)
		goto out;
	/* The command name (field 2) may hold spaces and ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
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
	*start = strtoull(p, &end, 10);
	ok = (*end == ' ' || *end == '\n') && *start != ULLONG_MAX;
out:
	close(procfd);
	return ok;
}

/* try_kill sends sig to the init the ticket names and returns true, or
 * returns false having sent nothing. It takes no lock, as
 * Container.Signal takes none: the ticket is replaced atomically with
 * every state.json, and the pidfd checked against the start time makes
 * a stale one harmless (its init gone, the pid reused or not). */
static bool try_kill(const struct globals *g, const char *id, int sig)
{
	char ticket[8192], state;
	const char *rest;
	unsigned long long want, start;
	pid_t pid;
	int dirfd, pidfd = -1;
	ssize_t n;
	bool ok = false;

	dirfd = open_container_dir(g, id);
	if (dirfd < 0)
		return false;
	n = read_small(dirfd, TICKET_FILE, O_NOFOLLOW, ticket, sizeof(ticket));
	close(dirfd);
	if (n <= 0 || (size_t)n >= sizeof(ticket) - 1 || strncmp(ticket, TICKET_MAGIC, strlen(TICKET_MAGIC)) != 0)
		return false;
	rest = parse_ticket(ticket + strlen(TICKET_MAGIC), &pid, &want);
	/* A paused container is Go's (whatever Go does with it, it decides). */
	if (!rest || !thawed(rest))
		return false;
	/* The pidfd first, the start time second: once the pidfd is held,
	 * the pid cannot be reused, so a matching start time proves that
	 * the pidfd is the init's. A zombie init is a stopped container. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return false;
	if (!proc_start(pid, &state, &start) || start != want || state == 'Z' || state == 'X')
		goto out;
	/* Go would have created the log before signalling; a log it cannot
	 * create is its error to report. */
	if (!touch_log(g))
		goto out;
	ok = syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0;
out:
	close(pidfd);
	return ok;
}

/* fast_kill does `kill ID [SIGNAL]` (argv is what follows "kill"). Any
 * flag (--all, or one urfave/cli would move before the arguments) or a
 * signal it does not know is Go's. */
bool fast_kill(const struct globals *g, int argc, char **argv)
{
	int i, sig = SIGTERM;

	if (argc < 1 || argc > 2)
		return false;
	for (i = 0; i < argc; i++)
		if (argv[i][0] == '-')
			return false;
	if (argc == 2 && (sig = parse_signal(argv[1])) < 0)
		return false;
	return try_kill(g, argv[0], sig);
}
