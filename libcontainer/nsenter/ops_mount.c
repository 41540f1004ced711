/* Mount ops. Every target is an fd resolved inside the root, and every
 * mount is attached through that fd (open_tree/fsmount + move_mount), so a
 * symlink swapped in by the image cannot redirect a mount to the host. */
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define MOVE_FDS (MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
#define PROPAGATION_TYPES (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

int op_propagation(const struct op *op, uint32_t index)
{
	(void)index;
	if (mount(NULL, op->strs[0], NULL, (unsigned long)op->ints[0], NULL) < 0)
		return fail("set propagation of %s", op->strs[0]);
	return 0;
}

/* Changes the propagation of an attached mount; MS_REC in flags applies
 * it to the whole subtree. */
static int set_propagation(int mfd, uint64_t flags, const char *what)
{
	struct mount_attr attr = { 0 };

	if (!(flags & PROPAGATION_TYPES))
		return 0;
	attr.propagation = flags & PROPAGATION_TYPES;
	if (sys_mount_setattr(mfd, "", AT_EMPTY_PATH | (flags & MS_REC ? AT_RECURSIVE : 0), &attr) < 0)
		return fail("set propagation of %s", what);
	return 0;
}

/* Offset of stx_mnt_id in the kernel's struct statx; glibc 2.36's
 * struct statx does not name the field yet. */
#define STATX_MNT_ID_OFFSET 0x90

static int mount_id(int fd, uint64_t *id)
{
	uint8_t buf[256];
	uint32_t mask;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, buf) < 0)
		return -1;
	memcpy(&mask, buf, sizeof(mask));
	if (!(mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	memcpy(id, buf + STATX_MNT_ID_OFFSET, sizeof(*id));
	return 0;
}

/* Returns an O_PATH fd of the root of the mount that holds dir: walk up
 * with ".." until the mount changes or the walk stops moving. */
static int open_mount_root(int dir)
{
	int cur = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	int depth;

	for (depth = 0; cur >= 0 && depth < 4096; depth++) {
		struct stat a, b;
		uint64_t here, there;
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (up < 0 || mount_id(cur, &here) < 0 || mount_id(up, &there) < 0 ||
		    fstat(cur, &a) < 0 || fstat(up, &b) < 0) {
			int err = errno;

			if (up >= 0)
				close(up);
			close(cur);
			errno = err;
			return -1;
		}
		if (here != there || (a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
			close(up);
			return cur;
		}
		close(cur);
		cur = up;
	}
	if (cur >= 0)
		close(cur);
	errno = ELOOP;
	return -1;
}

/* pivot_root refuses a shared parent of the new root, and a bind of an
 * unbindable mount fails: like runc, make the mount holding the rootfs
 * private (in our own mount namespace) before binding it. */
static int make_rootfs_parent_private(int dir, const char *path)
{
	struct mount_attr attr = { .propagation = MS_PRIVATE };
	int mroot = open_mount_root(dir);

	if (mroot < 0)
		return fail("find the mount holding rootfs %s", path);
	if (sys_mount_setattr(mroot, "", AT_EMPTY_PATH, &attr) < 0) {
		fail("make the mount holding rootfs %s private", path);
		close(mroot);
		return -1;
	}
	close(mroot);
	return 0;
}

int op_root_open(const struct op *op, uint32_t index)
{
	int dir, tree;

	(void)index;
	dir = open(op->strs[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail("open rootfs %s", op->strs[0]);
	if (make_rootfs_parent_private(dir, op->strs[0]) < 0) {
		close(dir);
		return -1;
	}
	/* A bind of the rootfs onto itself makes it a mount point, which
	 * pivot_root needs; the clone's fd then is the root fd. */
	tree = sys_open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0) {
		fail("bind rootfs %s", op->strs[0]);
		close(dir);
		return -1;
	}
	if (sys_move_mount(tree, "", dir, "", MOVE_FDS) < 0) {
		fail("bind rootfs %s onto itself", op->strs[0]);
		close(tree);
		close(dir);
		return -1;
	}
	close(dir);
	if (st.rootfd >= 0)
		close(st.rootfd);
	st.rootfd = tree;
	return 0;
}

int op_mkdir_all(const struct op *op, uint32_t index)
{
	int fd = create_in_root(op->strs[0], (mode_t)op->ints[0], false);

	(void)index;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int op_mkfile(const struct op *op, uint32_t index)
{
	int fd = create_in_root(op->strs[0], (mode_t)op->ints[0], true);

	(void)index;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Attaches the detached mount mfd onto the in-root path dest. */
static int attach(int mfd, const char *dest)
{
	int dfd = open_in_root(dest, O_PATH);

	if (dfd < 0)
		return fail("open %s in root", dest);
	if (sys_move_mount(mfd, "", dfd, "", MOVE_FDS) < 0) {
		fail("attach mount on %s", dest);
		close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

int op_mount_bind(const struct op *op, uint32_t index)
{
	bool rec = op->ints[0] != 0;
	struct mount_attr attr = { .attr_set = op->ints[1], .attr_clr = op->ints[2] };
	const char *src = op->strs[0], *dest = op->strs[1];
	int tree;

	(void)index;
	tree = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return fail("bind %s", src);
	if ((attr.attr_set || attr.attr_clr) &&
	    sys_mount_setattr(tree, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr) < 0) {
		fail("set attributes of bind %s", src);
		goto fail;
	}
	if (attach(tree, dest) < 0 || set_propagation(tree, op->ints[3], dest) < 0)
		goto fail;
	close(tree);
	return 0;
fail:
	close(tree);
	return -1;
}

/* Why fsconfig refused the options of the last fallback to mount(2), for
 * its error message when mount(2) refuses them too. */
static char fsconfig_refusal[256];

/* Reads the kernel's fs_context log for a better message; empty when none. */
static const char *fs_log(int fsfd)
{
	static char log[256];
	ssize_t n = read(fsfd, log, sizeof(log) - 1);

	if (n <= 2)
		return "";
	if (log[n - 1] == '\n')
		n--;
	log[n] = 0;
	/* Lines read "e msg", "w msg" or "i msg"; show them as "(msg)". */
	if (log[1] == ' ') {
		log[0] = '(';
		memmove(log + 1, log + 2, (size_t)n - 1);
		log[n - 1] = ')';
	}
	return log;
}

/* The old API's flags for the MOUNT_ATTR_* of a fallback mount(2). */
static unsigned long attr_to_ms(uint64_t attr)
{
	unsigned long ms = 0;

	if (attr & MOUNT_ATTR_RDONLY)
		ms |= MS_RDONLY;
	if (attr & MOUNT_ATTR_NOSUID)
		ms |= MS_NOSUID;
	if (attr & MOUNT_ATTR_NODEV)
		ms |= MS_NODEV;
	if (attr & MOUNT_ATTR_NOEXEC)
		ms |= MS_NOEXEC;
	if (attr & MOUNT_ATTR_NODIRATIME)
		ms |= MS_NODIRATIME;
	if ((attr & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME)
		ms |= MS_NOATIME;
	if ((attr & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME)
		ms |= MS_STRICTATIME;
	return ms;
}

/* mount(2) for filesystems whose options fsconfig rejects (some cgroup v1
 * combinations, old kernels): the target is the fd of the resolved dest
 * through a procfs we checked, never the image's path string. */
static int mount_fs_legacy(const struct op *op)
{
	const char *fstype = op->strs[0], *src = op->strs[1], *dest = op->strs[2];
	char data[4096], target[64];
	size_t used = 0;
	uint32_t i;
	int dfd, pfd;

	data[0] = 0;
	for (i = 3; i + 1 < op->nstrs; i += 2) {
		int n = snprintf(data + used, sizeof(data) - used, "%s%s%s%s", used ? "," : "",
				 op->strs[i], op->lens[i + 1] ? "=" : "", op->strs[i + 1]);
		if (n < 0 || (size_t)n >= sizeof(data) - used)
			return fail_errno(E2BIG, "mount %s on %s: options too long", fstype, dest);
		used += (size_t)n;
	}
	dfd = open_in_root(dest, O_PATH);
	if (dfd < 0)
		return fail("open %s in root", dest);
	/* Checks that /proc is a procfs before handing its path to mount. */
	pfd = open_proc("thread-self/fd", O_PATH | O_DIRECTORY);
	if (pfd < 0) {
		close(dfd);
		return -1;
	}
	close(pfd);
	snprintf(target, sizeof(target), "/proc/thread-self/fd/%d", dfd);
	if (mount(src, target, fstype, attr_to_ms(op->ints[0]), data) < 0) {
		fail("mount %s on %s %s", fstype, dest, fsconfig_refusal);
		close(dfd);
		return -1;
	}
	close(dfd);
	if (!(op->ints[1] & PROPAGATION_TYPES))
		return 0;
	/* dfd still names the covered directory; the new mount is what a
	 * fresh lookup finds. */
	dfd = open_in_root(dest, O_PATH);
	if (dfd < 0)
		return fail("open %s in root", dest);
	if (set_propagation(dfd, op->ints[1], dest) < 0) {
		close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

/* Makes a detached mount of a new filesystem; returns -2 when the caller
 * should fall back to mount(2). */
static int new_fs_mount(const char *fstype, const char *src, const struct op *op, uint32_t first_opt, uint64_t attr)
{
	int fsfd, mfd;
	uint32_t i;

	fsfd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ? -2 : fail("open filesystem %s", fstype);
	if (src[0] && sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "source", src, 0) < 0)
		goto config_failed;
	for (i = first_opt; op && i + 1 < op->nstrs; i += 2) {
		int r = op->lens[i + 1] ? sys_fsconfig(fsfd, FSCONFIG_SET_STRING, op->strs[i], op->strs[i + 1], 0)
					: sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, op->strs[i], NULL, 0);
		if (r < 0)
			goto config_failed;
	}
	if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		fail("create %s filesystem %s", fstype, fs_log(fsfd));
		close(fsfd);
		return -1;
	}
	mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)attr);
	if (mfd < 0)
		fail("mount %s filesystem", fstype);
	close(fsfd);
	return mfd;
config_failed:
	if (errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS) {
		snprintf(fsconfig_refusal, sizeof(fsconfig_refusal), "%s", fs_log(fsfd));
		close(fsfd);
		return -2;
	}
	fail("configure %s filesystem %s", fstype, fs_log(fsfd));
	close(fsfd);
	return -1;
}

int op_mount_fs(const struct op *op, uint32_t index)
{
	const char *fstype = op->strs[0], *dest = op->strs[2];
	int mfd;

	(void)index;
	if ((op->nstrs - 3) % 2)
		return fail_errno(EINVAL, "mount %s on %s: option without value", fstype, dest);
	mfd = new_fs_mount(fstype, op->strs[1], op, 3, op->ints[0]);
	if (mfd == -2)
		return mount_fs_legacy(op);
	if (mfd < 0)
		return -1;
	if (attach(mfd, dest) < 0 || set_propagation(mfd, op->ints[1], dest) < 0) {
		close(mfd);
		return -1;
	}
	close(mfd);
	return 0;
}

int op_mknod(const struct op *op, uint32_t index)
{
	const char *path = op->strs[0], *base;
	mode_t mode = (mode_t)op->ints[0], old_umask;
	int parent, fd, r;

	(void)index;
	parent = open_parent_in_root(path, &base);
	if (parent < 0)
		return -1;
	if (unlinkat(parent, base, 0) < 0 && errno != ENOENT) {
		fail("replace %s", path);
		goto fail;
	}
	/* The node gets exactly the configured mode, like runc: no umask. */
	old_umask = umask(0);
	r = mknodat(parent, base, mode, makedev((unsigned)op->ints[1], (unsigned)op->ints[2]));
	umask(old_umask);
	if (r < 0) {
		fail("mknod %s", path);
		goto fail;
	}
	/* Own the node we just made, not whatever may have replaced it. */
	fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fail("open %s", path);
		goto fail;
	}
	if (fchownat(fd, "", (uid_t)op->ints[3], (gid_t)op->ints[4], AT_EMPTY_PATH) < 0) {
		fail("chown %s", path);
		close(fd);
		goto fail;
	}
	close(fd);
	close(parent);
	return 0;
fail:
	close(parent);
	return -1;
}

int op_symlink(const struct op *op, uint32_t index)
{
	const char *base;
	int parent;

	(void)index;
	parent = open_parent_in_root(op->strs[1], &base);
	if (parent < 0)
		return -1;
	if (symlinkat(op->strs[0], parent, base) < 0 && errno != EEXIST) {
		fail("symlink %s", op->strs[1]);
		close(parent);
		return -1;
	}
	close(parent);
	return 0;
}

/* After the root moved, "/" is the root and the old verified /proc is
 * gone; reopen the one and forget the other. */
static int reopen_root(void)
{
	if (st.rootfd >= 0)
		close(st.rootfd);
	st.rootfd = -1;
	if (st.procfd >= 0)
		close(st.procfd);
	st.procfd = -1;
	if (root_fd() < 0)
		return fail("open new root");
	return 0;
}

int op_pivot_root(const struct op *op, uint32_t index)
{
	(void)op;
	(void)index;
	if (fchdir(root_fd()) < 0)
		return fail("enter rootfs");
	/* pivot_root(".", ".") stacks the old root over the new one; detach
	 * it without letting the unmount propagate to the host. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail("pivot_root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return fail("make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return fail("detach old root");
	if (chdir("/") < 0)
		return fail("chdir /");
	return reopen_root();
}

int op_move_root(const struct op *op, uint32_t index)
{
	(void)op;
	(void)index;
	if (fchdir(root_fd()) < 0)
		return fail("enter rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return fail("move rootfs to /");
	if (chroot(".") < 0)
		return fail("chroot");
	if (chdir("/") < 0)
		return fail("chdir /");
	return reopen_root();
}

/* The container's /dev/null, checked to be the real 1:3 device, so that a
 * mask never binds an image-controlled file over a sensitive path. */
static int verified_devnull(void)
{
	struct stat sb;
	int fd;

	if (st.devnullfd >= 0)
		return st.devnullfd;
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
	if (S_ISDIR(sb.st_mode)) {
		mfd = new_fs_mount("tmpfs", "tmpfs", NULL, 0, MOUNT_ATTR_RDONLY);
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

int op_remount_ro(const struct op *op, uint32_t index)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd;

	(void)index;
	fd = open_in_root(op->strs[0], O_PATH);
	if (fd < 0)
		return fail("open %s in root", op->strs[0]);
	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0) {
		fail("remount %s read-only", op->strs[0]);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
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
