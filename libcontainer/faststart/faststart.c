/* The C path of `hull start` (see faststart.go): runs before the Go
 * runtime; returns to let Go do the command whenever it is not sure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* libcontainer's names (store.go, start_ticket.go). */
#define FIFO_FILE "exec.fifo"
#define TICKET_FILE "start.ticket"
#define TICKET_MAGIC "hull start ticket 1\n"

struct args {
	const char *root, *log, *id;
	bool json;
};

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

/* parse accepts only what it knows: runc's global flags that do not
 * change what start does, then `start ID` and nothing more. */
static bool parse(int argc, char **argv, struct args *a)
{
	int i;
	bool bad = false;
	const char *v;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((v = value(argc, argv, &i, "root", &bad)))
			a->root = v;
		else if ((v = value(argc, argv, &i, "log", &bad)))
			a->log = v;
		else if ((v = value(argc, argv, &i, "log-format", &bad))) {
			if (strcmp(v, "json") == 0)
				a->json = true;
			else if (strcmp(v, "text") != 0)
				return false;
		} else if ((v = value(argc, argv, &i, "rootless", &bad))) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0 && strcmp(v, "auto") != 0)
				return false;
		} else if ((v = value(argc, argv, &i, "criu", &bad))) {
			/* checkpoint's business */
		} else if (strcmp(argv[i], "--systemd-cgroup") == 0 || strcmp(argv[i], "-systemd-cgroup") == 0) {
			v = ""; /* start does not touch the cgroup */
		} else {
			return false;
		}
		if (bad || !v)
			return false;
	}
	if (i + 2 != argc || strcmp(argv[i], "start") != 0)
		return false;
	a->id = argv[i + 1];
	return a->root && *a->root && valid_id(a->id);
}

/* read_small reads up to size-1 bytes of path (at dirfd) into buf. */
static ssize_t read_small(int dirfd, const char *path, int flags, char *buf, size_t size)
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

/* thawed says whether the ticket's freezer file shows a cgroup that is
 * not frozen (Container.Start refuses a paused container). A ticket
 * without a freezer line is thawed: the container has no freezer. */
static bool thawed(const char *ticket)
{
	const char *line = ticket + strlen(TICKET_MAGIC);
	char path[4096], state[64];
	const char *want;
	size_t n;

	if (*line == '\0')
		return true;
	if (strncmp(line, "freezer-v1 /", 12) == 0) {
		line += 11;
		want = "THAWED\n";
	} else if (strncmp(line, "freeze-v2 /", 11) == 0) {
		line += 10;
		want = "0\n";
	} else {
		return false;
	}
	n = strcspn(line, "\n");
	if (n >= sizeof(path) || line[n] != '\n' || line[n + 1] != '\0')
		return false;
	memcpy(path, line, n);
	path[n] = '\0';
	if (read_small(AT_FDCWD, path, 0, state, sizeof(state)) < 0)
		return false;
	return strcmp(state, want) == 0;
}

/* report logs the error that ends the command as Go's fatal would: in
 * the log's format, and on stderr too when the log is a file. Only for
 * a failure after the init was let go, which Go could not redo. */
static void report(const struct args *a, const char *msg, int err)
{
	char when[64], line[8192];
	time_t now = time(NULL);
	struct tm tm;
	int fd = 2, len;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (a->json)
		len = snprintf(line, sizeof(line), "{\"level\":\"error\",\"msg\":\"%s: %s\",\"time\":\"%s\"}\n", msg,
			       strerror(err), when);
	else
		len = snprintf(line, sizeof(line), "time=\"%s\" level=error msg=\"%s: %s\"\n", when, msg, strerror(err));
	if (a->log) {
		fd = open(a->log, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
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

/* try_start starts the container and returns true, or returns false
 * having changed nothing for Go to do the command. */
static bool try_start(const struct args *a)
{
	char ticket[8192];
	struct stat sb;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rootfd, dirfd = -1, fifo = -1, r;
	ssize_t n;
	bool ok = false;

	rootfd = open(a->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return false;
	dirfd = openat(rootfd, a->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(rootfd);
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
	if (!thawed(ticket))
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

__attribute__((constructor)) static void hull_faststart(int argc, char **argv)
{
	struct args a;
	int fd;

	if (argc < 3 || !argv || !parse(argc, argv, &a))
		return;
	if (getenv("HULL_TRACE") || getenv("HULL_CRASH_AT"))
		return;
	if (!try_start(&a))
		return;
	/* Go's configureLogging would have created the log file. */
	if (a.log) {
		fd = open(a.log, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}
