/* Ops that create files in the rootfs: directories, bind targets, device
 * nodes, symlinks. Each works relative to a parent fd resolved in the
 * root (paths.c). */
#include "util.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

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
