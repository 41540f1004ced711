/* What the C paths of the hull CLI (faststart.c, fastkill.c) share; see
 * faststart.go. Each path returns false, having changed nothing, when it
 * is not sure, and the command is then Go's. */
#ifndef HULL_FASTPATH_H
#define HULL_FASTPATH_H

#include <stdbool.h>
#include <sys/types.h>

/* runc's global flags that the C paths understand. */
struct globals {
	const char *root, *log;
	bool json;
};

/* read_small reads up to size-1 bytes of path (at dirfd) into buf and
 * NUL-terminates them; -1 on error. */
ssize_t read_small(int dirfd, const char *path, int flags, char *buf, size_t size);

/* thawed says whether the freezer line of a ticket (the rest of it after
 * the lines before it; "" for a container without a freezer) names a
 * cgroup that is not frozen. */
bool thawed(const char *line);

/* open_container_dir opens root/id as a directory, following no symlink
 * at id; -1 on error. */
int open_container_dir(const struct globals *g, const char *id);

/* touch_log creates the --log file as Go's configureLogging would. */
bool touch_log(const struct globals *g);

bool fast_start(const struct globals *g, int argc, char **argv);
bool fast_kill(const struct globals *g, int argc, char **argv);

#endif
