/* The C path of `hull kill` (see faststart.go): signals the init that the
 * container's kill ticket names, the plain case of Container.Signal, or
 * returns false having sent nothing, for Go to do the command. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fastpath.h"

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

/* try_kill sends sig to the init the ticket names and returns true, or
 * returns false having sent nothing. It takes no lock, as
 * Container.Signal takes none: the ticket is replaced atomically with
 * every state.json, and the pidfd checked against the start time makes
 * a stale one harmless (its init gone, the pid reused or not). */
static bool try_kill(const struct globals *g, const char *id, int sig)
{
	char ticket[8192];
	const char *rest;
	unsigned long long want;
	pid_t pid;
	int dirfd, pidfd = -1;
	ssize_t n;
	bool ok = false;

	dirfd = open_container_dir(g, id, NULL);
	if (dirfd < 0)
		return false;
	n = read_small(dirfd, KILL_TICKET_FILE, O_NOFOLLOW, ticket, sizeof(ticket));
	close(dirfd);
	if (n <= 0 || (size_t)n >= sizeof(ticket) - 1 ||
	    strncmp(ticket, KILL_TICKET_MAGIC, strlen(KILL_TICKET_MAGIC)) != 0)
		return false;
	rest = parse_init(ticket + strlen(KILL_TICKET_MAGIC), &pid, &want);
	/* A paused container is Go's (whatever Go does with it, it decides).
	 * After the freezer line, only delete's section (fastdelete.c). */
	if (!rest || !thawed(rest, &rest) || (*rest != '\0' && strncmp(rest, "delete ", 7) != 0))
		return false;
	/* Only a pidfd proven to be the live init's (init_state: the pidfd
	 * first, the start time second); a zombie init is a stopped
	 * container, and that, like anything unsure, is Go's. */
	if (init_state(pid, want, &pidfd) != INIT_ALIVE)
		return false;
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
