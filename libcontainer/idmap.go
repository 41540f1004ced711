package libcontainer

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/nsenter"
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
