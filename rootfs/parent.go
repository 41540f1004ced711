package rootfs

import (
	"fmt"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// needsPrivateParent reports whether, after the root propagation change,
// the mount holding the rootfs may still be shared: pivot_root refuses a
// new root whose parent mount is shared, and a bind under a shared mount
// would propagate back to the host. Only the recursive slave and private
// changes (and runbindable) leave no shared mount behind.
func needsPrivateParent(rootProp uint64) bool {
	if rootProp&unix.MS_REC == 0 {
		return true
	}
	return rootProp&unix.MS_SHARED != 0
}

// hostMountPoint returns the mount point of the host mount that holds
// path, from the runtime's own mount table (the new mount namespace starts
// as a copy of it).
func hostMountPoint(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	mounts, err := mountinfo.GetMounts(mountinfo.ParentsFilter(real))
	if err != nil {
		return "", fmt.Errorf("read mount table: %w", err)
	}
	best := ""
	for _, m := range mounts {
		if len(m.Mountpoint) > len(best) {
			best = m.Mountpoint
		}
	}
	if best == "" {
		return "", fmt.Errorf("no mount holds %s", real)
	}
	return best, nil
}
