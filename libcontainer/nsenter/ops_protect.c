/* Ops that protect the host from the container: masked paths, read-only
 * paths and root, and sysctls written through a procfs of our own. */
#include "util.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The container's /dev/null, checked to be the real 1:3 device, so that a
 * mask never binds an image-controlled file over a sensitive path. */
static int verified_devnull(void)
{
	struct stat sb;
	int fd;

	if (st.devnullfd >= 0)
		return st.devnullfd;
	/* CVE-2025-31133: /dev/null swapped for a symlink or another file just
	 * before masking; no symlink is followed and it must be 1:3. */
	fd = sys_openat2(root_fd(), "/dev/null", O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		return fail("open /dev/null in root");
	if (fstat(fd, &sb) < 0 || !S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3)) {
		close(fd);
		return fail_errno(ENODEV, "/dev/null in root is not the null device");
	}
	st.devnullfd = fd;
	return fd;
}

/* The first masking tmpfs, attached over the first masked directory. */
static int mask_tmpfs = -1;

int op_mask(const struct op *op, uint32_t index)
{
	const char *path = op->strs[0];
	struct stat sb;
	int fd, mfd;

	(void)index;
	fd = open_in_root(path, O_PATH);
	if (fd < 0)
		return errno == ENOENT ? 0 : fail("open %s in root", path);
	if (fstat(fd, &sb) < 0) {
		fail("stat %s", path);
		close(fd);
		return -1;
	}
	if (S_ISDIR(sb.st_mode) && mask_tmpfs >= 0) {
		/* One read-only tmpfs serves every masked directory, as in runc:
		 * the others are clones of the first. */
		mfd = sys_open_tree(mask_tmpfs, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (mfd < 0)
			fail("clone the masking tmpfs");
	} else if (S_ISDIR(sb.st_mode)) {
		/* strs[1..]: options of that tmpfs (the mount label) */
		mfd = new_fs_mount("tmpfs", "tmpfs", op, 1, MOUNT_ATTR_RDONLY);
		if (mfd == -2)
			fail_errno(ENOSYS, "mount tmpfs");
	} else {
		int null = verified_devnull();

		mfd = null < 0 ? -1 : sys_open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (null >= 0 && mfd < 0)
			fail("bind /dev/null");
	}
	if (mfd < 0) {
		close(fd);
		return -1;
	}
	if (sys_move_mount(mfd, "", fd, "", MOVE_FDS) < 0) {
		fail("mask %s", path);
		close(mfd);
		close(fd);
		return -1;
	}
	if (S_ISDIR(sb.st_mode) && mask_tmpfs < 0)
		mask_tmpfs = mfd; /* attached now; kept (close-on-exec) to clone */
	else
		close(mfd);
	close(fd);
	return 0;
}

int op_readonly(const struct op *op, uint32_t index)
{
	const char *path = op->strs[0];
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, tree;

	(void)index;
	fd = open_in_root(path, O_PATH);
	if (fd < 0)
		return errno == ENOENT ? 0 : fail("open %s in root", path);
	tree = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0) {
		fail("bind %s", path);
		close(fd);
		return -1;
	}
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
		fail("make %s read-only", path);
		goto fail;
	}
	if (sys_move_mount(tree, "", fd, "", MOVE_FDS) < 0) {
		fail("bind %s read-only", path);
		goto fail;
	}
	close(tree);
	close(fd);
	return 0;
fail:
	close(tree);
	close(fd);
	return -1;
}

/* mount_setattr refuses (EINVAL) a mount inside a detached tree other
 * than its root (a container without a mount namespace): stack a
 * read-only clone of the mount, its submounts included, on top instead. */
static int stack_readonly_clone(int fd, const char *path)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int tree = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0)
		return fail("remount %s read-only: clone", path);
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0 ||
	    sys_move_mount(tree, "", fd, "", MOVE_FDS) < 0) {
		fail("remount %s read-only", path);
		close(tree);
		return -1;
	}
	close(tree);
	return 0;
}

int op_remount_ro(const struct op *op, uint32_t index)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd, r = 0;

	(void)index;
	fd = open_in_root(op->strs[0], O_PATH);
	if (fd < 0)
		return fail("open %s in root", op->strs[0]);
	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0)
		r = errno == EINVAL ? stack_readonly_clone(fd, op->strs[0]) : fail("remount %s read-only", op->strs[0]);
	close(fd);
	return r;
}

/* A procfs of our own, mounted nowhere: the image cannot have put
 * anything over its /proc/sys. Falls back to the verified /proc where a
 * fresh procfs is refused (no pid namespace of our own in a user ns). */
static int open_sysctl(const char *key)
{
	char rel[512];
	int fd;

	while (*key == '/')
		key++;
	if (snprintf(rel, sizeof(rel), "sys/%s", key) >= (int)sizeof(rel))
		return fail_errno(ENAMETOOLONG, "sysctl %s", key);
	/* CVE-2019-16884, CVE-2025-52881: a fake procfs on /proc, or a mount
	 * raced over /proc/sys, cannot catch the write: it goes to a procfs
	 * mounted nowhere. */
	if (st.sysprocfd < 0) {
		st.sysprocfd = new_fs_mount("proc", "proc", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		if (st.sysprocfd < 0)
			return open_proc(rel, O_WRONLY);
	}
	fd = sys_openat2(st.sysprocfd, rel, O_WRONLY | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return fail("open /proc/%s", rel);
	return fd;
}

int op_sysctl(const struct op *op, uint32_t index)
{
	int fd;

	(void)index;
	fd = open_sysctl(op->strs[0]);
	if (fd < 0)
		return -1;
	if (write_all_fd(fd, op->strs[1], op->lens[1]) < 0) {
		fail("write sysctl %s", op->strs[0]);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
