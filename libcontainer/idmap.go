package libcontainer

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/rootfs"
)

// newIDMapUserns makes a user namespace with the given mappings and
// returns its fd, for mount_setattr(MOUNT_ATTR_IDMAP). It is made here on
// the host side (as runc does): the executor may already be inside the
// container's user namespace, where it could not write these maps. A Go
// process cannot unshare a user namespace (it is multithreaded), so a
// child is cloned into one: our own binary started as the executor's
// user-namespace holder, which waits in its C constructor, before Go
// starts. Go writes its maps before exec; the namespace outlives the
// holder through the fd.
func newIDMapUserns(uids, gids []specs.LinuxIDMapping) (*os.File, error) {
	if len(uids) == 0 || len(gids) == 0 {
		return nil, fmt.Errorf("needs both uidMappings and gidMappings (on the mount, or the container's)")
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{nsenter.UsernsHolderArgv0}
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  unix.CLONE_NEWUSER,
		UidMappings: sysIDMaps(uids),
		GidMappings: sysIDMaps(gids),
		Pdeathsig:   unix.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start a user namespace holder: %w", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", cmd.Process.Pid))
	if err != nil {
		return nil, fmt.Errorf("open the user namespace: %w", err)
	}
	return f, nil
}

func sysIDMaps(maps []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(maps))
	for i, m := range maps {
		out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
	}
	return out
}

// idmappedTree makes the detached, id-mapped copy of an id-mapped bind's
// source here on the host side (as runc does): setting MOUNT_ATTR_IDMAP
// takes privileges over the source's filesystem that the executor no
// longer has inside the container's user namespace. The bind's other
// attributes are set on it too; the executor only attaches it.
func idmappedTree(a rootfs.BindMount, userns *os.File) (*os.File, error) {
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	if a.Recursive {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, a.Source, flags)
	if err != nil {
		return nil, fmt.Errorf("bind %s: %w", a.Source, err)
	}
	tree := os.NewFile(uintptr(fd), a.Source)
	set := func(what string, recursive bool, attr *unix.MountAttr) error {
		f := uint(unix.AT_EMPTY_PATH)
		if recursive {
			f |= unix.AT_RECURSIVE
		}
		if err := unix.MountSetattr(fd, "", f, attr); err != nil {
			return fmt.Errorf("%s of bind %s: %w", what, a.Source, err)
		}
		return nil
	}
	var err2 error
	if a.AttrSet != 0 || a.AttrClr != 0 {
		err2 = set("set attributes", false, &unix.MountAttr{Attr_set: a.AttrSet, Attr_clr: a.AttrClr})
	}
	if err2 == nil && (a.RecAttrSet != 0 || a.RecAttrClr != 0) {
		err2 = set("set recursive attributes", true, &unix.MountAttr{Attr_set: a.RecAttrSet, Attr_clr: a.RecAttrClr})
	}
	if err2 == nil {
		err2 = set("id-map (MOUNT_ATTR_IDMAP)", a.IDMap.Recursive,
			&unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())})
	}
	if err2 != nil {
		tree.Close()
		return nil, err2
	}
	return tree, nil
}
