package libcontainer

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/rootfs"
)

// checkHostDevice makes sure the host path a device node is bound from (a
// container with a user namespace cannot mknod) is that device: the
// config's type, major and minor, not followed through a symlink. A
// config naming a host file that is no such device (planted in /dev, or
// any path) would otherwise bind that file into the container: the
// device-nodes-with-a-host-path-as-source class of runtime CVEs.
func checkHostDevice(source string, want *rootfs.Mknod) error {
	// Device nodes created with a host path as source: the host node must
	// be the device itself (no symlink, no planted file).
	var st unix.Stat_t
	if err := unix.Lstat(source, &st); err != nil {
		return fmt.Errorf("host device %s: %w", source, err)
	}
	if st.Mode&unix.S_IFMT != want.Mode&unix.S_IFMT {
		return fmt.Errorf("host %s is not a device of the config's type (mode %#o), refusing to bind it", source, st.Mode&unix.S_IFMT)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFIFO {
		return nil
	}
	if major, minor := uint64(unix.Major(st.Rdev)), uint64(unix.Minor(st.Rdev)); major != want.Major || minor != want.Minor {
		return fmt.Errorf("host %s is device %d:%d, not %d:%d, refusing to bind it", source, major, minor, want.Major, want.Minor)
	}
	return nil
}
