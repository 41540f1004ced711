/* The C path of `hull start` (see faststart.go): runs before the Go
 * runtime; returns to let Go do the command whenever it is not sure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastpath.h"

/* libcontainer's names (store.go, start_ticket.go). */
#define FIFO_FILE "exec.fifo"
#define TICKET_FILE "start.ticket"
#define TICKET_MAGIC "hull start ticket 1\n"

/* try_start starts the container and returns true, or returns false
 * having changed nothing for Go to do the command. */
static bool try_start(const struct globals *a, const char *id)
{
	char ticket[8192];
	const char *rest;
	struct stat sb;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int dirfd, fifo = -1, r;
	ssize_t n;
	bool ok = false;

	dirfd = open_container_dir(a, id, NULL);
	if (dirfd < 0)
		return false;
	do
		r = flock(dirfd, LOCK_EX);
	while (r < 0 && errno == EINTR);
	/* A directory removed while we waited is a deleted container. */
	if (r < 0 || fstat(dirfd, &sb) < 0 || sb.st_nlink == 0)
		goto out;
	n = read_small(dirfd, TICKET_FILE, O_NOFOLLOW, ticket, sizeof(ticket));
	if (n <= 0 || (size_t)n >= sizeof(ticket) - 1 || strncmp(ticket, TICKET_MAGIC, strlen(TICKET_MAGIC)) != 0)
		goto out;
	/* Nothing but the freezer line may follow the magic. */
	if (!thawed(ticket + strlen(TICKET_MAGIC), &rest) || *rest != '\0')
		goto out;
	/* Non-blocking: without a reader (the init gone) open fails, and the
	 * init holds its end read-write from create until it execs. */
	fifo = openat(dirfd, FIFO_FILE, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fifo < 0 || fstat(fifo, &sb) < 0 || !S_ISFIFO(sb.st_mode))
		goto out;
	/* An init that died since the open must not kill us with SIGPIPE:
	 * EPIPE leaves the stopped container's error to Go. */
	if (sigaction(SIGPIPE, &ign, &old) < 0)
		goto out;
	do
		n = write(fifo, "", 1);
	while (n < 0 && errno == EINTR);
	sigaction(SIGPIPE, &old, NULL);
	if (n != 1)
		goto out;
	ok = true;
	/* The container runs now; what is left can only be reported. */
	if (unlinkat(dirfd, FIFO_FILE, 0) < 0) {
		report(a, "remove exec fifo", errno);
		_exit(1);
	}
out:
	if (fifo >= 0)
		close(fifo);
	close(dirfd); /* drops the lock */
	return ok;
}

/* fast_start does `start ID` (argv is what follows "start") and returns
 * true, or returns false having changed nothing. */
bool fast_start(const struct globals *g, int argc, char **argv)
{
	if (argc != 1 || !try_start(g, argv[0]))
		return false;
	/* Go's configureLogging would have created the log file. */
	touch_log(g);
	return true;
}
