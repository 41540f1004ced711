package libcontainer

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/program"
)

// Wait waits for the init to exit and returns its exit code the way a
// shell reports it: the exit status, or 128+N when killed by signal N. The
// caller must be the init's (sub)reaper: see Create. Only the init is
// reaped: the caller's other children stay the caller's business.
//
// When Create kept the executor socket, an exec failure the init reported
// after Start is returned as the error.
func (c *Container) Wait() (int, error) {
	code, err := waitPid(c.rec.InitPid)
	if err != nil {
		return code, err
	}
	return code, c.execFailure()
}

// waitPid waits for pid, a child of the caller (or reparented to it).
func waitPid(pid int) (int, error) {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("wait for process %d: %w", pid, err)
		}
		return exitCode(ws), nil
	}
}

// execFailure returns the error the init sent before dying, if any: a
// failed execve after start is reported on the executor socket. The init
// is gone, so the read cannot block: it finds that message or EOF.
func (c *Container) execFailure() error {
	if c.exe == nil {
		return nil
	}
	defer func() {
		c.exe.Sock.Close()
		c.exe = nil
	}()
	m, err := c.exe.ReadMessage()
	if err != nil || m.Type != program.MsgError {
		if m != nil && m.File != nil {
			m.File.Close()
		}
		return nil
	}
	p := c.prog
	if p == nil {
		p = &program.Program{}
	}
	return executorError(p, m)
}

// exitCode converts a wait status to a shell-style exit code.
func exitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// reapIfChild waits for pid, already killed or exited, if it is our
// child; it returns at once (ECHILD) when it is not.
func reapIfChild(pid int) {
	for {
		_, err := unix.Wait4(pid, nil, 0, nil)
		if !errors.Is(err, unix.EINTR) {
			return
		}
	}
}
