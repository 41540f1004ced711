/* Mount ops: bind mounts and new filesystems. Every target is an fd
 * resolved inside the root and every mount is attached through that fd
 * (open_tree/fsmount + move_mount), so a symlink swapped in by the image
 * cannot redirect a mount to the host. */
#include "util.h"

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

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

/* An optional trailing int of an op (0 when a shorter program omits it). */
static uint64_t opt_int(const struct op *op, uint32_t i)
{
	return i < op->nints ? op->ints[i] : 0;
}

/* The MOUNT_ATTR_* a mount has, from statfs(2)'s ST_* flags. */
static int statfs_attrs(int fd, uint64_t *out)
{
	struct statfs sfs;
	uint64_t a = 0;

	if (fstatfs(fd, &sfs) < 0)
		return fail("statfs");
	if (sfs.f_flags & ST_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (sfs.f_flags & ST_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (sfs.f_flags & ST_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (sfs.f_flags & ST_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (sfs.f_flags & ST_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (!(sfs.f_flags & ST_RELATIME))
		a |= MOUNT_ATTR_STRICTATIME;
	*out = a;
	return 0;
}

/* Names of mount attributes, for messages: "ro,nosuid". */
static const char *attr_names(uint64_t attrs)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = { { MOUNT_ATTR_RDONLY, "ro" }, { MOUNT_ATTR_NOSUID, "nosuid" },
		      { MOUNT_ATTR_NODEV, "nodev" }, { MOUNT_ATTR_NOEXEC, "noexec" } };
	static char buf[64];
	size_t i;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (attrs & names[i].bit) {
			if (buf[0])
				strcat(buf, ",");
			strcat(buf, names[i].name);
		}
	return buf;
}

#define LOCKABLE_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* Sets the attributes of the bind's top mount. A mount made in a more
 * privileged user namespace has its flags locked: mount_setattr refuses
 * to clear them (EPERM). Then, as runc, the source's locked flags are
 * kept, unless the config explicitly asked to clear one, or asked for an
 * access time other than the locked one: that is an error. */
static int set_bind_attrs(int tree, const char *src, uint64_t set, uint64_t clr, uint64_t explicit_clr)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clr };
	uint64_t have = 0, locked;

	if (!set && !clr)
		return 0;
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) == 0)
		return 0;
	if (errno != EPERM)
		return fail("set attributes of bind %s", src);
	if (statfs_attrs(tree, &have) != 0)
		return -1;
	locked = have & LOCKABLE_ATTRS;
	if (locked & explicit_clr)
		return fail_errno(EPERM, "bind %s: cannot clear locked flags %s", src, attr_names(locked & explicit_clr));
	if ((clr & MOUNT_ATTR__ATIME) && (set & MOUNT_ATTR__ATIME) != (have & MOUNT_ATTR__ATIME))
		return fail_errno(EPERM, "bind %s: cannot change locked atime flags", src);
	attr.attr_clr &= ~locked;
	attr.attr_set |= locked;
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
		return fail("set attributes of bind %s (locked flags kept)", src);
	return 0;
}

int op_mount_bind(const struct op *op, uint32_t index)
{
	bool rec = op->ints[0] != 0;
	struct mount_attr rattr = { .attr_set = opt_int(op, 4), .attr_clr = opt_int(op, 5) };
	uint64_t flags = opt_int(op, 7), given = opt_int(op, 8);
	const char *src = op->strs[0], *dest = op->strs[1];
	int tree, srcfd;

	(void)index;
	if (flags & BIND_TREE_GIVEN) {
		/* Made by the parent (id-mapped), attributes already set: a
		 * program file, or (given 0) the fd of its source slot. */
		int fd = -1;

		if (given == 0)
			fd = mount_source_fd(opt_int(op, 9));
		else if (given - 1 < (uint64_t)st.prog->nfds)
			fd = st.prog->fds[given - 1];
		if (fd < 0)
			return fail_errno(EBADF, "bind %s: its tree was not passed", src);
		tree = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (tree < 0)
			return fail("bind %s: dup its tree", src);
		goto attach;
	}
	/* ints[9] (optional): the source's slot in OP_MOUNT_SOURCES + 1. */
	srcfd = mount_source_fd(opt_int(op, 9));
	if (srcfd >= 0)
		tree = sys_open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0));
	else
		tree = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return fail("bind %s", src);
	if (set_bind_attrs(tree, src, op->ints[1], op->ints[2], opt_int(op, 6)) < 0)
		goto fail;
	if ((rattr.attr_set || rattr.attr_clr) &&
	    sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &rattr) < 0) {
		fail("set recursive attributes of bind %s", src);
		goto fail;
	}
attach:
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
	if (mount(src, target, fstype, attr_to_ms(op->ints[0]) | (unsigned long)opt_int(op, 3), data) < 0) {
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

/* Copies the directory tree under from into to: directories, files,
 * symlinks and nodes with their modes, owners and times. Entries are
 * opened relative to their parent without following symlinks; the
 * source is the image's directory the new tmpfs covers (tmpcopyup). */
static int copy_tree(int from, int to, const char *what, int depth)
{
	struct dirent *e;
	DIR *dir;
	int fd, rc = 0;

	if (depth > 128)
		return fail_errno(ELOOP, "copy %s: too deep", what);
	fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return fail("copy %s: open directory", what);
	}
	while (rc == 0 && (errno = 0, e = readdir(dir))) {
		const char *n = e->d_name;
		struct timespec times[2];
		struct stat sb;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (fstatat(from, n, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = fail("copy %s: stat %s", what, n);
			break;
		}
		if (S_ISDIR(sb.st_mode)) {
			int sub_from, sub_to;

			if (mkdirat(to, n, 0700) < 0) {
				rc = fail("copy %s: mkdir %s", what, n);
				break;
			}
			sub_from = openat(from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			sub_to = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub_from < 0 || sub_to < 0)
				rc = fail("copy %s: open %s", what, n);
			else
				rc = copy_tree(sub_from, sub_to, what, depth + 1);
			if (rc == 0 && (fchown(sub_to, sb.st_uid, sb.st_gid) < 0 || fchmod(sub_to, sb.st_mode & 07777) < 0))
				rc = fail("copy %s: set owner and mode of %s", what, n);
			if (sub_from >= 0)
				close(sub_from);
			if (sub_to >= 0)
				close(sub_to);
		} else if (S_ISREG(sb.st_mode)) {
			int in = openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int out = openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			char buf[65536];
			ssize_t r = 0;

			if (in < 0 || out < 0)
				rc = fail("copy %s: open %s", what, n);
			while (rc == 0 && (r = read(in, buf, sizeof(buf))) > 0)
				if (write_all_fd(out, buf, (size_t)r) < 0)
					rc = fail("copy %s: write %s", what, n);
			if (rc == 0 && r < 0)
				rc = fail("copy %s: read %s", what, n);
			if (rc == 0 && (fchown(out, sb.st_uid, sb.st_gid) < 0 || fchmod(out, sb.st_mode & 07777) < 0))
				rc = fail("copy %s: set owner and mode of %s", what, n);
			if (in >= 0)
				close(in);
			if (out >= 0)
				close(out);
		} else if (S_ISLNK(sb.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(from, n, target, sizeof(target) - 1);

			if (len < 0)
				rc = fail("copy %s: readlink %s", what, n);
			else {
				target[len] = 0;
				if (symlinkat(target, to, n) < 0 || fchownat(to, n, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
					rc = fail("copy %s: symlink %s", what, n);
			}
		} else if (mknodat(to, n, sb.st_mode, sb.st_rdev) < 0 ||
			   fchownat(to, n, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = fail("copy %s: mknod %s", what, n);
		}
		if (rc == 0) {
			times[0] = sb.st_atim;
			times[1] = sb.st_mtim;
			if (utimensat(to, n, times, AT_SYMLINK_NOFOLLOW) < 0)
				rc = fail("copy %s: set times of %s", what, n);
		}
	}
	if (rc == 0 && errno)
		rc = fail("copy %s: read directory", what);
	closedir(dir);
	return rc;
}

/* Fills a new, still detached mount before it covers dest: the mode of
 * the directory it covers, and (tmpcopyup) its contents. */
static int fill_new_mount(int mfd, const char *dest, uint64_t flags)
{
	struct stat sb;
	int covered, root, rc = 0;

	covered = open_in_root(dest, O_RDONLY | O_DIRECTORY);
	if (covered < 0)
		return fail("open %s in root", dest);
	root = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		close(covered);
		return fail("open new mount for %s", dest);
	}
	if ((flags & MOUNT_FS_MODE_OF_COVERED) &&
	    (fstat(covered, &sb) < 0 || fchmod(root, sb.st_mode & 07777) < 0))
		rc = fail("give %s its covered directory's mode", dest);
	if (rc == 0 && (flags & MOUNT_FS_COPYUP))
		rc = copy_tree(covered, root, dest, 0);
	close(root);
	close(covered);
	return rc;
}

int op_mount_fs(const struct op *op, uint32_t index)
{
	const char *fstype = op->strs[0], *dest = op->strs[2];
	uint64_t attr = op->ints[0], flags = opt_int(op, 2);
	int mfd;

	(void)index;
	if ((op->nstrs - 3) % 2)
		return fail_errno(EINVAL, "mount %s on %s: option without value", fstype, dest);
	/* Filled first, made read-only after. */
	if (flags)
		attr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	mfd = opt_int(op, 3) ? -2 : new_fs_mount(fstype, op->strs[1], op, 3, attr);
	if (mfd == -2) {
		if (flags)
			return fail_errno(EOPNOTSUPP, "mount %s on %s: tmpcopyup and the covered mode need the new mount API", fstype, dest);
		return mount_fs_legacy(op);
	}
	if (mfd < 0)
		return -1;
	if (flags && fill_new_mount(mfd, dest, flags) < 0)
		goto fail;
	if (flags && (op->ints[0] & MOUNT_ATTR_RDONLY)) {
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

		if (sys_mount_setattr(mfd, "", AT_EMPTY_PATH, &ro) < 0) {
			fail("make %s read-only", dest);
			goto fail;
		}
	}
	if (attach_with_propagation(mfd, dest, op->ints[1]) < 0)
		goto fail;
	close(mfd);
	return 0;
fail:
	close(mfd);
	return -1;
}
