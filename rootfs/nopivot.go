package rootfs

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// RevealingMounts lists the host's full procfs and sysfs mounts (the
// root of the filesystem mounted, so nothing of it is masked) outside the
// rootfs, from the runtime's mount table, parents before children. With
// --no-pivot the old root stays in the container's mount namespace, and
// the kernel lets a process that gains a user namespace mount a fresh,
// unmasked procfs or sysfs as long as a fully visible one is in its mount
// namespace (mount_too_revealing). runc hides the same mounts before it
// moves the root; so does hull.
func RevealingMounts(rootfs string) ([]string, error) {
	real, err := filepath.EvalSymlinks(rootfs)
	if err != nil {
		return nil, fmt.Errorf("resolve root.path: %w", err)
	}
	mounts, err := mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		full := m.Root == "/" && (m.FSType == "proc" || m.FSType == "sysfs")
		inside := m.Mountpoint == real || strings.HasPrefix(m.Mountpoint, real+"/")
		return !full || inside, false
	})
	if err != nil {
		return nil, fmt.Errorf("read mount table: %w", err)
	}
	paths := make([]string, 0, len(mounts))
	for _, m := range mounts {
		paths = append(paths, m.Mountpoint)
	}
	return paths, nil
}
