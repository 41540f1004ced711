/* Ops that shape the container process: its terminal, limits, umask
 * and working directory. */
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* What a file that should have been the pty multiplexer is, for the
 * error. */
static const char *file_kind(const struct stat *sb, char *buf, size_t len)
{
	switch (sb->st_mode & S_IFMT) {
	case S_IFCHR:
	case S_IFBLK:
		snprintf(buf, len, "%s device %u:%u", S_ISCHR(sb->st_mode) ? "char" : "block", major(sb->st_rdev),
			 minor(sb->st_rdev));
		return buf;
	case S_IFIFO:
		return "a fifo";
	case S_IFSOCK:
		return "a socket";
	case S_IFDIR:
		return "a directory";
	default:
		return "a regular file";
	}
}

/* The root's /dev/ptmx, opened only once it is known to be the pty
 * multiplexer. */
static int open_ptmx(void)
{
	struct stat want, got;
	char kind[64];
	int fd;

	/* CVE-2025-52565: /dev/ptmx (or the /dev/pts/ptmx it leads to)
	 * swapped for another file. It must be the pty multiplexer 5:2,
	 * reached without leaving the root, and is checked through an O_PATH
	 * fd before it is opened: another file (a fifo whose writer waits, a
	 * device whose open acts) is never opened nor sent tty ioctls, and no
	 * fd but a pty master reaches the console socket. */
	fd = open_in_root("/dev/ptmx", O_PATH);
	if (fd < 0)
		return fail("open /dev/ptmx in root");
	if (fstat(fd, &want) < 0) {
		close(fd);
		return fail("stat /dev/ptmx in root");
	}
	close(fd);
	if (!S_ISCHR(want.st_mode) || want.st_rdev != makedev(5, 2))
		return fail_errno(ENODEV, "/dev/ptmx in root is %s, not the pty multiplexer 5:2",
				  file_kind(&want, kind, sizeof(kind)));
	fd = open_in_root("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return fail("open /dev/ptmx in root");
	/* A swap between the check and the open is caught here. */
	if (fstat(fd, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		close(fd);
		return fail_errno(ENODEV, "/dev/ptmx in root changed while it was opened");
	}
	return fd;
}

int op_console(const struct op *op, uint32_t index)
{
	int master, slave, unlock = 0;

	master = open_ptmx();
	if (master < 0)
		return -1;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		fail("unlock pty");
		goto fail;
	}
	/* process.consoleSize: set before the process can look at it. */
	if (op->nints >= 2 && op->ints[0] > 0 && op->ints[1] > 0) {
		struct winsize ws = { .ws_row = (unsigned short)op->ints[0], .ws_col = (unsigned short)op->ints[1] };

		if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
			fail("set the pty's size");
			goto fail;
		}
	}
	/* TIOCGPTPEER opens the peer of this very master: no path lookup in
	 * /dev/pts that the image could redirect. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		fail("open pty peer");
		goto fail;
	}
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
		fail("make the pty stdio");
		close(slave);
		goto fail;
	}
	/* The process's own user gets its terminal, as with runc: devpts
	 * made it the executor's (root's); the group stays the mount's gid=
	 * (tty). Where the owner cannot be changed (EPERM: not mapped in a
	 * user namespace, EROFS) the pty stays usable as it is. */
	if (op->nints >= 3 && op->ints[2] != 0 && fchown(slave, (uid_t)op->ints[2], (gid_t)-1) < 0 &&
	    errno != EPERM && errno != EROFS) {
		fail("give the pty to uid %llu", (unsigned long long)op->ints[2]);
		close(slave);
		goto fail;
	}
	close(slave);
	if (ioctl(0, TIOCSCTTY, 0) < 0) {
		fail("make the pty the controlling terminal");
		goto fail;
	}
	if (send_msg(MSG_CONSOLE, index, 0, NULL, 0, master) < 0) {
		fail("send pty master");
		goto fail;
	}
	close(master);
	return 0;
fail:
	close(master);
	return -1;
}

int op_rlimit(const struct op *op, uint32_t index)
{
	struct rlimit lim = { .rlim_cur = op->ints[1], .rlim_max = op->ints[2] };

	(void)index;
	if (prlimit(0, (int)op->ints[0], &lim, NULL) < 0)
		return fail("set rlimit %d", (int)op->ints[0]);
	return 0;
}

int op_umask(const struct op *op, uint32_t index)
{
	(void)index;
	umask((mode_t)op->ints[0]);
	return 0;
}

/* The cwd is resolved in the root like any other path, and the result is
 * checked: getcwd of a directory outside our root does not start with /. */
int op_chdir(const struct op *op, uint32_t index)
{
	char cwd[PATH_MAX];
	int fd;

	(void)index;
	fd = open_in_root(op->strs[0], O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fail("open cwd %s in root", op->strs[0]);
	if (fchdir(fd) < 0) {
		fail("chdir %s", op->strs[0]);
		close(fd);
		return -1;
	}
	close(fd);
	if (!getcwd(cwd, sizeof(cwd)))
		return fail("check cwd %s", op->strs[0]);
	if (cwd[0] != '/') /* CVE-2024-21626: a cwd outside the root */
		return fail_errno(EPERM, "cwd %s is outside the root", op->strs[0]);
	return 0;
}

/* Bind-mounts the pty on stdin (OP_CONSOLE's slave) onto the in-root path
 * (/dev/console). The image may have put a symlink there to redirect the
 * mount over something the masks protect (CVE-2025-52565): the target is
 * created, or opened, without following a symlink, must be a regular file
 * or a character device, and the mount goes onto that fd. */
int op_console_mount(const struct op *op, uint32_t index)
{
	const char *dest = op->strs[0], *base;
	struct stat sb;
	int parent, target, tree;

	(void)index;
	if (!isatty(0))
		return fail_errno(ENOTTY, "bind the console on %s: stdin is not the pty", dest);
	parent = open_parent_in_root(dest, &base);
	if (parent < 0)
		return -1;
	target = openat(parent, base, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0666);
	if (target >= 0)
		close(target);
	else if (errno != EEXIST) {
		close(parent);
		return fail("create %s", dest);
	}
	target = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	close(parent);
	if (target < 0)
		return fail("open %s", dest);
	if (fstat(target, &sb) < 0 || !(S_ISREG(sb.st_mode) || S_ISCHR(sb.st_mode))) {
		close(target);
		return fail_errno(S_ISLNK(sb.st_mode) ? ELOOP : EINVAL,
				  "bind the console on %s: not a regular file or character device (a symlink is never followed)", dest);
	}
	tree = sys_open_tree(0, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0) {
		close(target);
		return fail("bind the pty");
	}
	if (sys_move_mount(tree, "", target, "", MOVE_FDS) < 0) {
		close(tree);
		close(target);
		return fail("bind the pty onto %s", dest);
	}
	close(tree);
	close(target);
	return 0;
}
