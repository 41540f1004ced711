package libcontainer

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// openPidfd takes a pidfd of the process the executor just reported, when
// a pidfd socket wants one. It is taken at once: the process cannot have
// been reaped yet (it is still the child of the executor's first stage,
// which never waits for it, or was just reparented to us), so the pid is
// still its own.
func (cr *creation) openPidfd() error {
	if cr.opts.PidfdSocket == "" || cr.pidfd > 0 || cr.initPid <= 0 {
		return nil
	}
	fd, err := unix.PidfdOpen(cr.initPid, 0)
	if err != nil {
		return fmt.Errorf("--pidfd-socket: open a pidfd of %d: %w", cr.initPid, err)
	}
	cr.pidfd = fd
	return nil
}

// sendPidfd hands the pidfd to the listener at PidfdSocket, as runc does:
// one unix stream connection, kind ("standard" for an init, "setns" for an
// exec'd process) as data and the pidfd by SCM_RIGHTS.
func (cr *creation) sendPidfd(kind string) error {
	if cr.opts.PidfdSocket == "" {
		return nil
	}
	if err := cr.openPidfd(); err != nil {
		return err
	}
	conn, err := net.Dial("unix", cr.opts.PidfdSocket)
	if err != nil {
		return fmt.Errorf("--pidfd-socket: connect: %w", err)
	}
	defer conn.Close()
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("--pidfd-socket: %s is not a unix socket", cr.opts.PidfdSocket)
	}
	if _, _, err := uc.WriteMsgUnix([]byte(kind), unix.UnixRights(cr.pidfd), nil); err != nil {
		return fmt.Errorf("--pidfd-socket: send the pidfd: %w", err)
	}
	return nil
}
