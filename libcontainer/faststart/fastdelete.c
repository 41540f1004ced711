/* The C path of `hull delete` (see faststart.go): removes a stopped
 * container whose kill ticket has a delete section, the plain case of
 * Container.Delete (a dead init, then Container.destroy's rmdirs and the
 * state directory), and with --force a running one (Container.kill
 * first: SIGKILL to the init and a wait for its exit), or returns false
 * for Go to do the command. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fastpath.h"

/* The files a container's directory may hold when the C path deletes it
 * (libcontainer's store.go, start_ticket.go, kill_ticket.go,
 * state_output.go), with the
 * type each must have. Anything else (intent.json of an unfinished
 * create, a temporary file of an interrupted atomic write, what a
 * later version puts there) is Go's to judge. state.json is removed
 * last, so that a delete cut short leaves a container Go can delete. */
static const struct {
	const char *name;
	unsigned char type;
} known[] = {
	{ KILL_TICKET_FILE, DT_REG }, { "start.ticket", DT_REG }, { "exec.fifo", DT_FIFO },
	{ "hook-report.fifo", DT_FIFO }, { "state.output", DT_REG }, { "state.json", DT_REG },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))
#define STATE_FILE (NKNOWN - 1)

/* One line "cgroup PARENTS ROOT REL" of the delete section. */
struct cgroup {
	const char *root, *rel;
	int parents;
	int rootfd;
};
#define MAX_CGROUPS 32

/* field cuts the field at *t that the character end ends, returning it
 * and moving *t past end; NULL for an empty or unended field. */
static char *field(char **t, char end)
{
	char *f = *t, *e = strchr(f, end);

	if (!e || e == f)
		return NULL;
	*e = '\0';
	*t = e + 1;
	return f;
}

/* clean_rel: a relative path of plain names ("a/b/c"): no empty, "." or
 * ".." component, which RESOLVE_BENEATH would refuse anyway. */
static bool clean_rel(const char *rel)
{
	const char *c = rel;

	for (;;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (c[n] == '\0')
			return true;
		c += n + 1;
	}
}

/* parse_delete reads the delete section ("delete N\n", then N lines
 * "cgroup PARENTS ROOT REL\n", then the end of the ticket), cutting
 * the fields in place. */
static bool parse_delete(char *t, struct cgroup *cg, int *n)
{
	char *f, *end;
	long v;
	int i, count;

	if (strncmp(t, "delete ", 7) != 0)
		return false;
	t += 7;
	if (!(f = field(&t, '\n')) || (v = strtol(f, &end, 10)) < 0 || *end || v > MAX_CGROUPS)
		return false;
	count = (int)v;
	for (i = 0; i < count; i++)
		cg[i].rootfd = -1;
	for (i = 0; i < count; i++) {
		if (strncmp(t, "cgroup ", 7) != 0)
			return false;
		t += 7;
		if (!(f = field(&t, ' ')) || (v = strtol(f, &end, 10)) < 0 || *end || v > 4096)
			return false;
		cg[i].parents = (int)v;
		if (!(cg[i].root = field(&t, ' ')) || cg[i].root[0] != '/' || strchr(cg[i].root, '\n'))
			return false;
		if (!(cg[i].rel = field(&t, '\n')) || !clean_rel(cg[i].rel))
			return false;
	}
	if (*t != '\0')
		return false;
	*n = count;
	return true;
}

/* skip_freezer returns what follows the ticket's freezer line, if any: a
 * container whose init is gone is stopped, frozen or not (deriveStatus). */
static const char *skip_freezer(const char *t)
{
	const char *nl;

	if (strncmp(t, "freezer-v1 /", 12) != 0 && strncmp(t, "freeze-v2 /", 11) != 0)
		return t;
	nl = strchr(t, '\n');
	return nl ? nl + 1 : t;
}

/* KILL_WAIT_MS bounds the wait for the SIGKILLed init to exit before Go
 * takes over (an init stuck in uninterruptible sleep, a cgroup frozen
 * behind hull's back), signalling again and waiting with its own bound
 * (killTimeout, 10 s). An init exits within milliseconds of SIGKILL; a
 * longer wait here would only add to Go's when the init is stuck. */
#define KILL_WAIT_MS 1000

/* kill_init sends SIGKILL through the init's pidfd and waits, at most
 * KILL_WAIT_MS, for the pidfd to poll readable (every thread exited; the
 * init is not our child, its parent reaps it), as Container.kill's
 * signalProcess and waitGone. false: it did not exit in time, or the
 * signal failed, for Go to redo. */
static bool kill_init(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	struct timespec now, end;
	long left;
	int r;

	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += KILL_WAIT_MS / 1000;
	end.tv_nsec += (KILL_WAIT_MS % 1000) * 1000000L;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			return false;
		r = poll(&p, 1, (int)left + 1);
		if (r == 1)
			return (p.revents & POLLIN) != 0;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

/* scan lists the container's directory into have[] (by known[]'s index)
 * and returns false when it holds anything else, or a known name of
 * another type. */
static bool scan(int dirfd, bool have[NKNOWN])
{
	char buf[4096];
	long n, off;
	size_t i;
	bool ok = true;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return false;
	memset(have, 0, NKNOWN * sizeof(bool));
	while (ok && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; ok && off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			for (i = 0; i < NKNOWN; i++)
				if (strcmp(d->d_name, known[i].name) == 0)
					break;
			ok = i < NKNOWN && d->d_type == known[i].type;
			if (ok)
				have[i] = true;
		}
	}
	close(fd);
	return ok && n == 0;
}

/* open_beneath opens rel below dirfd as cgroups' openat2Beneath does:
 * never outside it, through no symlink, across no mount. */
static int open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd, i;

	for (i = 0; i < 10; i++) {
		fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	return fd;
}

/* rmdir_beneath removes the cgroup directory named by the first len
 * bytes of rel below rootfd: 0, or an errno. A missing directory or
 * parent is gone already, as cgroups' removeAll and removeEmpty take it. */
static int rmdir_beneath(int rootfd, const char *rel, size_t len)
{
	char path[4096], *slash;
	int pfd, err = 0;

	if (len >= sizeof(path))
		return ENAMETOOLONG;
	memcpy(path, rel, len);
	path[len] = '\0';
	slash = strrchr(path, '/');
	if (!slash) /* a top-level cgroup: its parent is the root */
		return unlinkat(rootfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT ? errno : 0;
	*slash = '\0';
	pfd = open_beneath(rootfd, path, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return errno == ENOENT ? 0 : errno;
	if (unlinkat(pfd, slash + 1, AT_REMOVEDIR) < 0 && errno != ENOENT)
		err = errno;
	close(pfd);
	return err;
}

/* has_children says whether the cgroup rel below rootfd has cgroups
 * inside it, or may have: a cgroup fs directory's link count is 2 plus
 * its subdirectories (kernfs), and a child cgroup makes rmdir fail with
 * EBUSY for as long as it is there. */
static bool has_children(int rootfd, const char *rel)
{
	struct stat sb;
	int fd = open_beneath(rootfd, rel, O_PATH | O_DIRECTORY);
	bool some;

	if (fd < 0)
		return errno != ENOENT;
	some = fstat(fd, &sb) < 0 || sb.st_nlink != 2;
	close(fd);
	return some;
}

/* rmdir_retry is cgroups' rmdirRetry for a cgroup whose last process has
 * just exited: EBUSY retried 6 times, 5 ms first, doubling, in case the
 * kernel still counts the cgroup populated (measured on 6.18, cgroup v1
 * and the unified hierarchy: a pid namespace's init killed and left
 * unreaped, the rmdirs right after its pidfd polled readable never saw
 * EBUSY in 300 runs; a zombie is out of its cgroups already). A cgroup
 * with children is busy for good: removing those is Destroy's tree walk,
 * Go's, at once. */
static int rmdir_retry(int rootfd, const char *rel)
{
	struct timespec delay;
	int attempt, err;

	for (attempt = 0;; attempt++) {
		err = rmdir_beneath(rootfd, rel, strlen(rel));
		if (err != EBUSY || attempt >= 6 || has_children(rootfd, rel))
			return err;
		delay.tv_sec = 0;
		delay.tv_nsec = 5000000L << attempt; /* 5 to 160 ms */
		while (nanosleep(&delay, &delay) < 0 && errno == EINTR)
			;
	}
}

/* remove_cgroups does what Destroy and RemoveCreatedParents do to
 * cgroups that are only directories: each container directory, then
 * the ancestors create made, nearest first, until one is still in use.
 * It returns false at the first failure Go would retry or report (a
 * cgroup with processes or children: EBUSY): Go's delete then does
 * everything again, which is fine, as removing what is gone already is
 * no error to it. killed: the init has just been killed, so a container
 * directory may still read busy for a moment; one whose init exited
 * before this delete came does not, and its EBUSY goes to Go at once. */
static bool remove_cgroups(struct cgroup *cg, int n, bool killed)
{
	int i, k, err;
	size_t len;

	for (i = 0; i < n; i++) {
		if (killed)
			err = rmdir_retry(cg[i].rootfd, cg[i].rel);
		else
			err = rmdir_beneath(cg[i].rootfd, cg[i].rel, strlen(cg[i].rel));
		if (err != 0)
			return false;
	}
	for (i = 0; i < n; i++) {
		len = strlen(cg[i].rel);
		for (k = 0; k < cg[i].parents; k++) {
			const char *slash = memrchr(cg[i].rel, '/', len);

			if (!slash)
				break;
			len = (size_t)(slash - cg[i].rel);
			err = rmdir_beneath(cg[i].rootfd, cg[i].rel, len);
			if (err == EBUSY || err == ENOTEMPTY)
				break; /* another cgroup's too: it stays */
			if (err != 0)
				return false;
		}
	}
	return true;
}

/* open_roots opens every hierarchy root and checks that it is a cgroup
 * fs, before anything is removed. */
static bool open_roots(struct cgroup *cg, int n)
{
	struct statfs sfs;
	int i;

	for (i = 0; i < n; i++) {
		cg[i].rootfd = open(cg[i].root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cg[i].rootfd < 0 || fstatfs(cg[i].rootfd, &sfs) < 0 ||
		    (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC))
			return false;
	}
	return true;
}

/* remove_dir removes the container's files, state.json last, then the
 * directory, which must still be the one locked. It returns false,
 * for Go, while state.json is there; after that, Go would find no
 * container, so a failure is reported here and ends the command. */
static bool remove_dir(const struct globals *g, int rootfd, int dirfd, const char *id, const bool have[NKNOWN])
{
	struct stat locked, named;
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (i != STATE_FILE && have[i] && unlinkat(dirfd, known[i].name, 0) < 0 && errno != ENOENT)
			return false;
	if (unlinkat(dirfd, known[STATE_FILE].name, 0) < 0 && errno != ENOENT)
		return false;
	if (fstat(dirfd, &locked) < 0) {
		report(g, "remove state directory", errno);
		_exit(1);
	}
	if (fstatat(rootfd, id, &named, AT_SYMLINK_NOFOLLOW) < 0) {
		report(g, "remove state directory", errno);
		_exit(1);
	}
	if (named.st_dev != locked.st_dev || named.st_ino != locked.st_ino) {
		report(g, "remove state directory", ESTALE);
		_exit(1);
	}
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0) {
		report(g, "remove state directory", errno);
		_exit(1);
	}
	return true;
}

/* try_delete deletes the container and returns true, or returns false
 * for Go to do the command: having changed nothing, or only what Go's
 * delete finds done and carries on from: an init killed (Go's kill of a
 * process that is gone is no error) that did not exit in time, a cgroup
 * Go must remove. With force, a live init is killed first, as
 * Container.Delete does for a running or created container; a paused
 * one (or a freezer it cannot read) is Go's, which thaws it. Nothing is
 * removed before the init has exited, so a kill that times out leaves
 * the whole delete to Go. */
static bool try_delete(const struct globals *g, const char *id, bool force)
{
	char ticket[8192];
	const char *rest, *after;
	struct cgroup cg[MAX_CGROUPS];
	struct stat sb;
	bool have[NKNOWN], ok = false;
	unsigned long long want;
	enum init_is init;
	pid_t pid;
	int rootfd = -1, dirfd, n = 0, i, r, pidfd = -1;
	ssize_t len;

	dirfd = open_container_dir(g, id, &rootfd);
	if (dirfd < 0)
		return false;
	/* The lock and the check for a directory removed meanwhile, as
	 * lockAndReload's lockDir. */
	do
		r = flock(dirfd, LOCK_EX);
	while (r < 0 && errno == EINTR);
	if (r < 0 || fstat(dirfd, &sb) < 0 || sb.st_nlink == 0)
		goto out;
	/* O_NONBLOCK: should the name be a fifo, the scan refuses it later. */
	len = read_small(dirfd, KILL_TICKET_FILE, O_NOFOLLOW | O_NONBLOCK, ticket, sizeof(ticket));
	if (len <= 0 || (size_t)len >= sizeof(ticket) - 1 ||
	    strncmp(ticket, KILL_TICKET_MAGIC, strlen(KILL_TICKET_MAGIC)) != 0)
		goto out;
	rest = parse_init(ticket + strlen(KILL_TICKET_MAGIC), &pid, &want);
	if (!rest || !parse_delete((char *)skip_freezer(rest), cg, &n))
		goto out;
	init = init_state(pid, want, &pidfd);
	if (init == INIT_UNSURE || (init == INIT_ALIVE && !force))
		goto out;
	/* Paused: deriveStatus's frozen cgroup, checked under the lock pause
	 * and resume take. The freezer line precedes the delete section,
	 * whose parse left it whole. */
	if (init == INIT_ALIVE && !thawed(rest, &after))
		goto out;
	if (!scan(dirfd, have) || !have[STATE_FILE] || !open_roots(cg, n))
		goto out;
	/* Go's configureLogging creates the log before the command runs. */
	if (!touch_log(g))
		goto out;
	if (init == INIT_ALIVE && !kill_init(pidfd))
		goto out;
	if (!remove_cgroups(cg, n, init == INIT_ALIVE))
		goto out;
	ok = remove_dir(g, rootfd, dirfd, id, have);
out:
	if (pidfd >= 0)
		close(pidfd);
	for (i = 0; i < n; i++)
		if (cg[i].rootfd >= 0)
			close(cg[i].rootfd);
	close(dirfd); /* drops the lock */
	close(rootfd);
	return ok;
}

/* fast_delete does `delete [-f|--force] ID` (argv is what follows
 * "delete"; urfave/cli takes a flag after the id too). --force lets it
 * kill a live init first, as Container.Delete does; an id that does not
 * exist (RemoveAbandoned) is Go's anyway, as is every other flag. */
bool fast_delete(const struct globals *g, int argc, char **argv)
{
	const char *id = NULL;
	bool force = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-' && !id)
			id = argv[i];
		else if (!force && (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0 ||
				    strcmp(argv[i], "-force") == 0))
			force = true;
		else
			return false;
	}
	return id && try_delete(g, id, force);
}
