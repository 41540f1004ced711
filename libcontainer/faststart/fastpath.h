/* What the C paths of the hull CLI (faststart.c, fastkill.c, fastdelete.c,
 * faststate.c) share; see
 * faststart.go. Each path returns false, having changed nothing, when it
 * is not sure, and the command is then Go's. */
#ifndef HULL_FASTPATH_H
#define HULL_FASTPATH_H

#include <stdbool.h>
#include <sys/types.h>

/* libcontainer's kill ticket (kill_ticket.go), which fastkill.c and
 * fastdelete.c read. */
#define KILL_TICKET_FILE "kill.ticket"
#define KILL_TICKET_MAGIC "hull kill ticket 2\n"

/* runc's global flags that the C paths understand. */
struct globals {
	const char *root, *log;
	bool json;
};

/* read_small reads up to size-1 bytes of path (at dirfd) into buf and
 * NUL-terminates them; -1 on error. */
ssize_t read_small(int dirfd, const char *path, int flags, char *buf, size_t size);

/* thawed says whether the freezer line at the start of t (what a ticket
 * holds after the lines before it) names a cgroup that is not frozen, and
 * sets *next past it. t without a freezer line (a container without a
 * freezer) is thawed, and *next is t. */
bool thawed(const char *t, const char **next);

/* parse_init reads the kill ticket's "init PID STARTTIME\n" at t and
 * returns what follows, or NULL when the line is not exactly that. */
const char *parse_init(const char *t, pid_t *pid, unsigned long long *start);

/* proc_start reads the state and start time of pid through a verified
 * procfs; false when it cannot. */
bool proc_start(pid_t pid, char *state, unsigned long long *start);

/* proc_stat is proc_start telling why not: 1 when read, 0 when there is
 * no such process, -1 when unsure. */
int proc_stat(pid_t pid, char *state, unsigned long long *start);

/* What init_state finds of the init the ticket names. */
enum init_is {
	INIT_GONE, /* provably exited: delete needs no kill */
	INIT_ALIVE, /* the ticket's process, running: kill and delete --force signal it */
	INIT_UNSURE, /* anything else: Go's */
};

/* init_state: see fastpath.c. */
enum init_is init_state(pid_t pid, unsigned long long want, int *pidfdp);

/* freezer_state reads the freezer file that line names ("freezer-v1
 * PATH", "freeze-v2 PATH" or "freezer none", without its newline): 0 for
 * a cgroup not frozen (or no freezer), 1 for a frozen one, -1 when
 * unsure. */
int freezer_state(const char *line);

/* report logs the error that ends the command as Go's fatal would, for a
 * failure after a step Go could not redo. */
void report(const struct globals *g, const char *msg, int err);

/* open_container_dir opens root/id as a directory, following no symlink
 * at id; -1 on error. With rootfdp, it also leaves there an O_PATH
 * descriptor of root, which the caller closes. */
int open_container_dir(const struct globals *g, const char *id, int *rootfdp);

/* touch_log creates the --log file as Go's configureLogging would. */
bool touch_log(const struct globals *g);

bool fast_start(const struct globals *g, int argc, char **argv);
bool fast_kill(const struct globals *g, int argc, char **argv);
bool fast_delete(const struct globals *g, int argc, char **argv);
bool fast_state(const struct globals *g, int argc, char **argv);

#endif
