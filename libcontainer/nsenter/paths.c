/* Path resolution inside the container root and in a verified procfs.
 * The image is hostile and may race us: every in-root path is resolved by
 * the kernel with RESOLVE_IN_ROOT from the root fd, and objects are created
 * one component at a time relative to a parent fd resolved the same way. */
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

/* CVE-2019-19921, CVE-2021-30465 (mount destinations swapped for symlinks),
 * CVE-2024-45310 (mkdir raced outside the root), CVE-2024-21626 (a cwd or
 * path through /proc/self/fd): symlinks resolve inside the root, magic
 * links not at all. */
#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
/* Same bound as the kernel's symlink limit. */
#define MAX_LINK_DEPTH 40

/* Before OP_ROOT_OPEN (e.g. `exec` after setns into the container's mount
 * namespace) "/" is the container root. */
int root_fd(void)
{
	if (st.rootfd < 0)
		st.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return st.rootfd;
}

int open_in_root(const char *path, int flags)
{
	if (root_fd() < 0)
		return -1;
	return sys_openat2(st.rootfd, path, (uint64_t)(flags | O_CLOEXEC), IN_ROOT);
}

static int create_walk(const char *path, mode_t mode, bool is_file, int depth);

/* A component we tried to create already exists but does not resolve: it
 * is a dangling symlink. Continue at its target, interpreted inside the
 * root, followed by the rest of the path. */
static int follow_dangling(int parent, const char *buf, const char *comp, const char *rest,
			   mode_t mode, bool is_file, int depth)
{
	char link[PATH_MAX], next[PATH_MAX];
	ssize_t n;
	int len;

	n = readlinkat(parent, comp, link, sizeof(link) - 1);
	if (n < 0)
		return -2; /* not a symlink: somebody created it meanwhile */
	link[n] = 0;
	if (link[0] == '/')
		len = snprintf(next, sizeof(next), "%s/%s", link, rest);
	else
		len = snprintf(next, sizeof(next), "%.*s/%s/%s", (int)(comp - buf), buf, link, rest);
	if (len < 0 || (size_t)len >= sizeof(next))
		return fail_errno(ENAMETOOLONG, "follow symlink %s in root", buf);
	return create_walk(next, mode, is_file, depth + 1);
}

static int create_component(int parent, const char *comp, mode_t mode, bool file)
{
	int fd;

	if (!file)
		return mkdirat(parent, comp, mode);
	fd = openat(parent, comp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static int create_walk(const char *path, mode_t mode, bool is_file, int depth)
{
	char buf[PATH_MAX];
	char *p;
	int parent, fd;

	if (depth > MAX_LINK_DEPTH)
		return fail_errno(ELOOP, "create %s in root", path);
	if (strlen(path) >= sizeof(buf))
		return fail_errno(ENAMETOOLONG, "create %s in root", path);
	strcpy(buf, path);
	fd = open_in_root(buf, O_PATH | (is_file ? 0 : O_DIRECTORY));
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : fail("open %s in root", path);
	parent = open_in_root("/", O_PATH | O_DIRECTORY);
	if (parent < 0)
		return fail("open root");
	for (p = buf;;) {
		char *comp, *end, saved;
		const char *rest;
		bool last;
		int flags;

		while (*p == '/')
			p++;
		if (!*p)
			return parent;
		comp = p;
		end = strchrnul(p, '/');
		saved = *end;
		*end = 0;
		rest = saved ? end + 1 : "";
		last = rest[strspn(rest, "/")] == 0;
		flags = O_PATH | (last && is_file ? 0 : O_DIRECTORY);
		fd = open_in_root(buf, flags);
		if (fd < 0 && errno == ENOENT) {
			if (create_component(parent, comp, mode, last && is_file) < 0) {
				if (errno != EEXIST) {
					fail("create %s in root", buf);
					close(parent);
					return -1;
				}
				fd = follow_dangling(parent, buf, comp, rest, mode, is_file, depth);
				if (fd != -2) {
					close(parent);
					return fd;
				}
			}
			fd = open_in_root(buf, flags);
		}
		if (fd < 0) {
			fail("open %s in root", buf);
			close(parent);
			return -1;
		}
		close(parent);
		parent = fd;
		*end = saved;
		p = end;
	}
}

/* Creates the missing parts of path (directories, and a file at the end
 * when is_file) and returns an O_PATH fd of the result. */
int create_in_root(const char *path, mode_t mode, bool is_file)
{
	return create_walk(path, mode, is_file, 0);
}

/* Returns an O_PATH fd of path's parent directory, created if missing, and
 * points *base at the last component (valid until the next call), which
 * must be a real name. */
int open_parent_in_root(const char *path, const char **base)
{
	static char dir[PATH_MAX];
	size_t len = strlen(path);
	char *slash;

	if (len >= sizeof(dir))
		return fail_errno(ENAMETOOLONG, "open parent of %s in root", path);
	strcpy(dir, path);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = 0;
	slash = strrchr(dir, '/');
	*base = slash ? slash + 1 : dir;
	if (!**base || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0)
		return fail_errno(EINVAL, "%s names no file", path);
	if (!slash || slash == dir)
		return create_in_root("/", 0755, false);
	*slash = 0;
	return create_in_root(dir, 0755, false);
}

static bool is_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* Opens rel under /proc after checking that /proc really is a procfs; the
 * lookup may not leave that procfs nor follow magic links. */
int open_proc(const char *rel, int flags)
{
	int fd;

	if (st.procfd < 0) {
		st.procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (st.procfd < 0)
			return fail("open /proc");
		if (!is_procfs(st.procfd)) {
			close(st.procfd);
			st.procfd = -1;
			return fail_errno(EXDEV, "/proc is not a procfs");
		}
	}
	fd = sys_openat2(st.procfd, rel, (uint64_t)(flags | O_CLOEXEC),
			 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return fail("open /proc/%s", rel);
	if (!is_procfs(fd)) {
		close(fd);
		return fail_errno(EXDEV, "/proc/%s is not on procfs", rel);
	}
	return fd;
}

int write_all_fd(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
