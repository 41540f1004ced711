package seccomp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// notifyFdName names the fd in ContainerProcessState.Fds, as runc does;
// agents written for runc look for it.
const notifyFdName = "seccompFd"

// SendNotifyFd hands the notify fd that loading f returned in the
// container process pid to the seccomp agent at f.ListenerPath: one
// connection carrying the runtime-spec ContainerProcessState as JSON with
// the fd attached (SCM_RIGHTS), the protocol runc and crun speak.
func SendNotifyFd(f *Filter, pid int, state specs.State, notifyFd int) error {
	if f.ListenerPath == "" {
		return errors.New("linux.seccomp.listenerPath: send notify fd: not set")
	}
	msg, err := json.Marshal(specs.ContainerProcessState{
		Version:  specs.Version,
		Fds:      []string{notifyFdName},
		Pid:      pid,
		Metadata: f.ListenerMetadata,
		State:    state,
	})
	if err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: encode container process state: %w", err)
	}
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: f.ListenerPath, Net: "unix"})
	if err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: failed to connect with seccomp agent specified in the seccomp profile: %w", err)
	}
	defer conn.Close()
	n, _, err := conn.WriteMsgUnix(msg, unix.UnixRights(notifyFd), nil)
	if err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: send notify fd to seccomp agent: %w", err)
	}
	if n != len(msg) {
		return fmt.Errorf("linux.seccomp.listenerPath: send notify fd to seccomp agent: short write (%d of %d bytes)", n, len(msg))
	}
	return nil
}
