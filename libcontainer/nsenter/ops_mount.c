/* Mount ops: bind mounts and new filesystems. Every target is an fd
 * resolved inside the root and every mount is attached through that fd
 * (open_tree/fsmount + move_mount), so a symlink swapped in by the image
 * cannot redirect a mount to the host. */
#include "util.h"

#include <stdio.h>
#include <string.h>

int op_propagation(const struct op *op, uint32_t index)
{
	(void)index;
	if (mount(NULL, op->strs[0], NULL, (unsigned long)op->ints[0], NULL) < 0)
		return fail("set propagation of %s", op->strs[0]);
	return 0;
}

/* Changes the propagation of an attached mount; MS_REC in flags applies
 * it to the whole subtree. */
int set_propagation(int mfd, uint64_t flags, const char *what)
{
	struct mount_attr attr = { 0 };

	if (!(flags & PROPAGATION_TYPES))
		return 0;
	attr.propagation = flags & PROPAGATION_TYPES;
	if (sys_mount_setattr(mfd, "", AT_EMPTY_PATH | (flags & MS_REC ? AT_RECURSIVE : 0), &attr) < 0)
		return fail("set propagation of %s", what);
	return 0;
}

/* Attaches the detached mount mfd onto the in-root path dest. */
int attach(int mfd, const char *dest)
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

/* Propagation is set once the mount is attached, where peers and slaves
 * are known; in a detached root (no mount namespace) the kernel refuses to
 * change a mount below the tree's top, so it is set just before. */
static int attach_with_propagation(int mfd, const char *dest, uint64_t propagation)
{
	if (st.detached_root)
		return set_propagation(mfd, propagation, dest) < 0 ? -1 : attach(mfd, dest);
	if (attach(mfd, dest) < 0)
		return -1;
	return set_propagation(mfd, propagation, dest);
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
	if (attach_with_propagation(tree, dest, op->ints[3]) < 0)
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
		/* A value with a comma (an SELinux context with categories) is
		 * quoted, as mount(8) does; fsconfig takes it as it is. */
		const char *q = strchr(op->strs[i + 1], ',') ? "\"" : "";
		int n = snprintf(data + used, sizeof(data) - used, "%s%s%s%s%s%s", used ? "," : "",
				 op->strs[i], op->lens[i + 1] ? "=" : "", q, op->strs[i + 1], q);
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
int new_fs_mount(const char *fstype, const char *src, const struct op *op, uint32_t first_opt, uint64_t attr)
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
	if (attach_with_propagation(mfd, dest, op->ints[1]) < 0) {
		close(mfd);
		return -1;
	}
	close(mfd);
	return 0;
}
