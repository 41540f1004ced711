/* Ops that make the rootfs the container's root: bind it onto itself,
 * then pivot_root (or move it over / with --no-pivot); without a mount
 * namespace, a detached clone of it and chroot. */
#include "util.h"

#include <sched.h>
#include <string.h>
#include <sys/stat.h>

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
static int make_rootfs_parent_private(int dir, int given_mroot, const char *path, uint64_t propagation)
{
	struct mount_attr attr = { .propagation = propagation };
	int mroot = given_mroot >= 0 ? fcntl(given_mroot, F_DUPFD_CLOEXEC, 3) : open_mount_root(dir);

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

/* Binds the rootfs dir (consumed) onto itself from a recursive clone:
 * that makes it a mount point, which pivot_root needs and under which
 * mounts attach; the clone's fd becomes the root fd. */
static int bind_root_onto_itself(int dir, const char *name)
{
	int tree = sys_open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0) {
		fail("bind rootfs %s", name);
		close(dir);
		return -1;
	}
	if (sys_move_mount(tree, "", dir, "", MOVE_FDS) < 0) {
		fail("bind rootfs %s onto itself", name);
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

int op_root_open(const struct op *op, uint32_t index)
{
	int dir, given;

	(void)index;
	/* ints[1] (optional): its slot in OP_MOUNT_SOURCES + 1; the parent
	 * opened it where a user namespace's root may not reach it. */
	given = mount_source_fd(op->nints > 1 ? op->ints[1] : 0);
	if (given >= 0)
		dir = fcntl(given, F_DUPFD_CLOEXEC, 3);
	else
		dir = open(op->strs[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail("open rootfs %s", op->strs[0]);
	/* ints[0] (optional): MS_PRIVATE or MS_SLAVE, the compiler's choice. */
	/* ints[2] (optional): the slot + 1 of the root of the mount holding
	 * it, found by the parent (walking up could cross a directory we may
	 * not enter). */
	if (make_rootfs_parent_private(dir, mount_source_fd(op->nints > 2 ? op->ints[2] : 0), op->strs[0],
				       op->nints > 0 ? op->ints[0] : MS_PRIVATE) < 0) {
		close(dir);
		return -1;
	}
	return bind_root_onto_itself(dir, op->strs[0]);
}

/* After the root moved, "/" is the root and the old verified /proc is
 * gone; reopen the one and forget the other. */
static int reopen_root(void)
{
	/* They lead to the host's mounts outside the new root. */
	close_mount_sources();
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
	int oldroot;

	(void)op;
	(void)index;
	oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return fail("open old root");
	if (fchdir(root_fd()) < 0) {
		close(oldroot);
		return fail("enter rootfs");
	}
	/* pivot_root(".", ".") stacks the old root over the new one; detach
	 * it without letting the unmount propagate to the host. The cwd is
	 * still the new root, whose "." names the new root's own mount: go
	 * to the old root first, or the rslave below would turn every
	 * shared mount of the container (rshared binds, rootfsPropagation)
	 * into a slave. */
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		close(oldroot);
		return fail("pivot_root");
	}
	if (fchdir(oldroot) < 0) {
		close(oldroot);
		return fail("enter old root");
	}
	close(oldroot);
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

/* No mount namespace of our own: the root is a detached recursive clone
 * of the rootfs, so the mounts made on it are in no namespace, the host's
 * mount table never sees them, and they go away with the last process
 * whose root (or fd) holds the clone. Mounting on a detached tree needs
 * Linux 6.15 (before, OP_ROOT_BUILD_NS builds it). */
int op_root_clone(const struct op *op, uint32_t index)
{
	int tree;

	(void)index;
	tree = sys_open_tree(AT_FDCWD, op->strs[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return fail("clone rootfs %s", op->strs[0]);
	if (st.rootfd >= 0)
		close(st.rootfd);
	st.rootfd = tree;
	st.detached_root = true;
	return 0;
}

/* No mount namespace, on a kernel that cannot mount on a detached tree
 * (before 6.15): the root is built in a private mount namespace of the
 * executor's own, where the rootfs is a recursive clone attached onto
 * itself and the mounts attach as usual; OP_ROOT_DETACH then takes a
 * detached clone of the finished root back to the runtime's namespace.
 * The host's mount table never sees the container's mounts either way. */
int op_root_build_ns(const struct op *op, uint32_t index)
{
	int dir;

	(void)index;
	if (unshare(CLONE_NEWNS) < 0)
		return fail("unshare a mount namespace to build the root in");
	/* Nothing done here may propagate to the runtime's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("make the build namespace private");
	/* Its root and /proc are copies: forget the fds of the originals. */
	if (st.procfd >= 0)
		close(st.procfd);
	st.procfd = -1;
	dir = open(op->strs[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail("open rootfs %s", op->strs[0]);
	if (bind_root_onto_itself(dir, op->strs[0]) < 0)
		return -1;
	st.detached_root = false;
	return 0;
}

/* After OP_ROOT_BUILD_NS and the chroot: clone the finished root (a
 * detached tree, in no namespace), return to the runtime's mount
 * namespace (the file of index ints[0]) and chroot into the clone. The
 * build namespace dies with its last process, the clone lives on. */
int op_root_detach(const struct op *op, uint32_t index)
{
	static int held = -1;
	uint64_t fi = op->ints[0];
	int tree;

	(void)index;
	if (fi >= (uint64_t)st.prog->nfds)
		return fail_errno(EBADF, "root-detach: file %llu was not passed", (unsigned long long)fi);
	tree = sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return fail("clone the finished root");
	/* setns moves our root and cwd to the namespace's root. */
	if (setns(st.prog->fds[fi], CLONE_NEWNS) < 0) {
		close(tree);
		return fail("return to the runtime's mount namespace");
	}
	if (fchdir(tree) < 0) {
		close(tree);
		return fail("enter the detached root");
	}
	if (chroot(".") < 0) {
		close(tree);
		return fail("chroot");
	}
	if (chdir("/") < 0) {
		close(tree);
		return fail("chdir /");
	}
	/* As in op_chroot: the tree's fd is held until execve. */
	if (held >= 0)
		close(held);
	held = tree;
	st.detached_root = true;
	return reopen_root();
}

/* chroot into the root fd (ints[0], when given: the file of that index,
 * e.g. the root of a running container's init). */
int op_chroot(const struct op *op, uint32_t index)
{
	static int held = -1;
	int fd = root_fd();

	(void)index;
	if (op->nints > 0) {
		if (op->ints[0] >= (uint64_t)st.prog->nfds)
			return fail_errno(EBADF, "chroot: file %llu was not passed", (unsigned long long)op->ints[0]);
		fd = st.prog->fds[op->ints[0]];
	}
	if (fchdir(fd) < 0)
		return fail("enter rootfs");
	if (chroot(".") < 0)
		return fail("chroot");
	if (chdir("/") < 0)
		return fail("chdir /");
	/* Closing the last fd of a detached tree dissolves it: its mounts
	 * stay reachable from our root but no longer take mount operations
	 * (masks, read-only binds). Hold it until execve. */
	if (op->nints == 0 && held < 0) {
		held = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (held < 0)
			return fail("hold the detached root");
	}
	return reopen_root();
}
