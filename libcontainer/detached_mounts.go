package libcontainer

import (
	"sync"

	"golang.org/x/sys/unix"
)

// mountOnDetachedTree reports whether the kernel attaches a mount onto a
// detached mount tree (Linux 6.15; older kernels answer EINVAL), which a
// container without a mount namespace needs for its detached root. A
// variable so that golden tests do not depend on the kernel.
var mountOnDetachedTree = sync.OnceValue(probeMountOnDetachedTree)

// probeMountOnDetachedTree tries it: two non-recursive clones of "/" (one
// mount each), the second attached onto the first. Closing them
// dissolves both; nothing reaches a mount table.
func probeMountOnDetachedTree() bool {
	const flags = unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	target, err := unix.OpenTree(unix.AT_FDCWD, "/", flags)
	if err != nil {
		return false
	}
	defer unix.Close(target)
	m, err := unix.OpenTree(unix.AT_FDCWD, "/", flags)
	if err != nil {
		return false
	}
	defer unix.Close(m)
	return unix.MoveMount(m, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH) == nil
}
