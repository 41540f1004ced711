/* OP_HIDE_MOUNT: with --no-pivot the old root stays in the container's
 * mount namespace, and with it the host's full procfs and sysfs mounts.
 * The kernel lets a process with a new user namespace mount procfs (or
 * sysfs) when a fully visible one is in its mount namespace
 * (mount_too_revealing), so those would hand an unmasked /proc to the
 * container. The parent lists them; this op takes one out of reach. */
#include "util.h"

#include <sys/mount.h>
#include <sys/stat.h>

int op_hide_mount(const struct op *op, uint32_t index)
{
	const char *path = op->strs[0];

	(void)index;
	/* Keep the unmount from propagating back to the host. */
	if (mount(NULL, path, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0; /* under a mount already hidden */
		return fail("make %s rslave", path);
	}
	if (umount2(path, MNT_DETACH) == 0)
		return 0;
	if (errno != EINVAL && errno != EPERM)
		return fail("unmount %s", path);
	/* Locked (a user namespace) or not a mount point we may drop: cover it. */
	if (mount("tmpfs", path, "tmpfs", 0, NULL) < 0)
		return fail("cover %s with tmpfs", path);
	return 0;
}

/* OP_REQUIRE_DIR: the last component of an in-root path, when it exists,
 * must be a directory itself, not a symlink or anything else (procfs and
 * sysfs mount points: CVE-2019-19921, CVE-2023-27561). The parent's
 * message (strs[1]) says why. */
int op_require_dir(const struct op *op, uint32_t index)
{
	const char *base;
	struct stat sb;
	int dir, r;

	(void)index;
	dir = open_parent_in_root(op->strs[0], &base);
	if (dir < 0)
		return -1;
	r = fstatat(dir, base, &sb, AT_SYMLINK_NOFOLLOW);
	close(dir);
	if (r < 0)
		return errno == ENOENT ? 0 : fail("stat %s", op->strs[0]);
	if (!S_ISDIR(sb.st_mode))
		return fail_errno(S_ISLNK(sb.st_mode) ? ELOOP : ENOTDIR, "%s", op->strs[1]);
	return 0;
}
