/* The C path of `hull state` (see faststart.go): prints the state output
 * that Go rendered at the last write of state.json, with the status it
 * works out as libcontainer's deriveStatus does, or returns false having
 * printed nothing, for Go to do the command. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastpath.h"

/* libcontainer's names (store.go, state_output.go). */
#define OUTPUT_FILE "state.output"
#define OUTPUT_MAGIC "hull state output 1\n"
#define FIFO_FILE "exec.fifo"

/* The output file, with room to tell a file too big for it. */
static char file[64 * 1024 + 2];
static char out[sizeof(file) + 64];

/* line returns the line at *p without its newline (written over with a
 * NUL) and moves *p past it; NULL when there is no newline before end. */
static char *line(char **p, char *end)
{
	char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));

	if (!nl)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return s;
}

/* lengths reads "json HEAD MID TAIL" into n[3]. */
static bool lengths(const char *s, size_t n[3])
{
	char *end;
	int i;

	if (strncmp(s, "json", 4) != 0)
		return false;
	s += 4;
	for (i = 0; i < 3; i++) {
		if (s[0] != ' ' || s[1] < '0' || s[1] > '9')
			return false;
		errno = 0;
		n[i] = strtoul(s + 1, &end, 10);
		if (errno || n[i] > sizeof(file))
			return false;
		s = end;
	}
	return *s == '\0';
}

/* status works out the container's status from the init, the exec fifo
 * and the freezer, in deriveStatus's order of rules: NULL when unsure. */
static const char *status(int dirfd, pid_t pid, unsigned long long want, const char *freezer)
{
	unsigned long long start;
	struct stat sb;
	char state;
	int r, frozen;
	bool fifo;

	/* processAlive: the pid, its start time the recorded one, no
	 * zombie. Without a signal to send, no pidfd is needed: one read of
	 * /proc/PID/stat names the pid's holder and its start time at once. */
	r = proc_stat(pid, &state, &start);
	if (r < 0)
		return NULL;
	if (r == 0 || start != want || state == 'Z' || state == 'X')
		return "stopped";
	if (fstatat(dirfd, FIFO_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		fifo = true;
	else if (errno == ENOENT)
		fifo = false;
	else
		return NULL;
	frozen = freezer_state(freezer);
	if (frozen < 0)
		return NULL;
	if (frozen)
		return "paused";
	return fifo ? "created" : "running";
}

/* try_state prints the state of the container and returns true, or
 * returns false having printed nothing. Like Container.State, it takes
 * no lock: the file is replaced atomically with every state.json. */
static bool try_state(const struct globals *g, const char *id)
{
	char *p, *end, *s, *freezer, pidtext[24];
	const char *st, *head, *mid, *tail;
	unsigned long long want;
	size_t len[3], o = 0;
	ssize_t n, w;
	pid_t pid;
	int dirfd;

	dirfd = open_container_dir(g, id, NULL);
	if (dirfd < 0)
		return false;
	n = read_small(dirfd, OUTPUT_FILE, O_NOFOLLOW, file, sizeof(file));
	if (n <= 0 || (size_t)n >= sizeof(file) - 1 || strncmp(file, OUTPUT_MAGIC, strlen(OUTPUT_MAGIC)) != 0)
		goto fail;
	p = file + strlen(OUTPUT_MAGIC);
	end = file + n;
	/* The directory must still be the one the file was written for. */
	if (!(s = line(&p, end)) || strncmp(s, "id ", 3) != 0 || strcmp(s + 3, id) != 0)
		goto fail;
	if (!(s = line(&p, end)))
		goto fail;
	s[strlen(s)] = '\n'; /* parse_init wants the line's end */
	if (!parse_init(s, &pid, &want))
		goto fail;
	if (!(freezer = line(&p, end)) || !(s = line(&p, end)) || !lengths(s, len) ||
	    len[0] + len[1] + len[2] != (size_t)(end - p))
		goto fail;
	head = p;
	mid = head + len[0];
	tail = mid + len[1];
	st = status(dirfd, pid, want, freezer);
	if (!st)
		goto fail;
	close(dirfd);
	/* Go would have created the log before printing. */
	if (!touch_log(g))
		return false;
	/* State.Pid: the init's while it lives, 0 once stopped. */
	snprintf(pidtext, sizeof(pidtext), "%d", strcmp(st, "stopped") == 0 ? 0 : (int)pid);
	memcpy(out, head, len[0]);
	o = len[0];
	memcpy(out + o, pidtext, strlen(pidtext));
	o += strlen(pidtext);
	memcpy(out + o, mid, len[1]);
	o += len[1];
	memcpy(out + o, st, strlen(st));
	o += strlen(st);
	memcpy(out + o, tail, len[2]);
	o += len[2];
	for (p = out; o > 0; p += w, o -= (size_t)w) {
		do
			w = write(1, p, o);
		while (w < 0 && errno == EINTR);
		if (w <= 0) {
			/* Nothing printed yet: Go's to report. */
			if (p == out)
				return false;
			_exit(1);
		}
	}
	return true;
fail:
	close(dirfd);
	return false;
}

/* fast_state does `state ID` (argv is what follows "state"); any flag,
 * or any other number of arguments, is Go's. */
bool fast_state(const struct globals *g, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-')
		return false;
	return try_state(g, argv[0]);
}
