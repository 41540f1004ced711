/* Linux security module ops: write one of this thread's LSM attributes
 * (AppArmor or SELinux exec label, SELinux keyring label) and label a
 * file in the root. Which attribute and which value is decided in Go. */
#include "util.h"

#include <stdio.h>
#include <sys/xattr.h>

/* Opens /proc/thread-self/REL for writing in a procfs of our own, mounted
 * nowhere, so the image cannot have put anything over it (CVE-2019-16884:
 * a fake /proc made runc write the AppArmor profile into a tmpfs); where a
 * fresh procfs is refused (a user namespace whose /proc has masked paths)
 * in the verified /proc, whose lookup may not cross a mount. */
static int open_thread_attr(const char *rel)
{
	char path[256];
	int fd;

	if (snprintf(path, sizeof(path), "thread-self/%s", rel) >= (int)sizeof(path))
		return fail_errno(ENAMETOOLONG, "attribute %s", rel);
	if (st.sysprocfd < 0)
		st.sysprocfd = new_fs_mount("proc", "proc", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (st.sysprocfd < 0)
		return open_proc(path, O_WRONLY);
	fd = sys_openat2(st.sysprocfd, path, O_WRONLY | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return fail("open /proc/%s", path);
	return fd;
}

/* strs: attribute under /proc/thread-self (attr/apparmor/exec, attr/exec,
 * attr/keycreate), value. The value goes in one write; an empty value is
 * still written (a zero-length write resets the attribute). */
int op_lsm_attr(const struct op *op, uint32_t index)
{
	ssize_t n;
	int fd;

	(void)index;
	fd = open_thread_attr(op->strs[0]);
	if (fd < 0)
		return -1;
	do
		n = write(fd, op->strs[1], op->lens[1]);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != op->lens[1]) {
		fail("write /proc/thread-self/%s", op->strs[0]);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* strs: in-root path of a directory, SELinux label: set security.selinux
 * on it through an fd (the path is resolved inside the root once). */
int op_lsm_relabel(const struct op *op, uint32_t index)
{
	int fd;

	(void)index;
	fd = open_in_root(op->strs[0], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return fail("open %s in root", op->strs[0]);
	if (fsetxattr(fd, "security.selinux", op->strs[1], op->lens[1], 0) < 0) {
		fail("label %s", op->strs[0]);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
