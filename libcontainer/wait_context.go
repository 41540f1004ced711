package libcontainer

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// WaitContext is Wait that gives up when ctx is done: it then returns
// ctx.Err() and leaves the init running and unreaped, for a later Wait.
func (c *Container) WaitContext(ctx context.Context) (int, error) {
	code, err := waitPidContext(ctx, c.rec.InitPid)
	if err != nil {
		return code, err
	}
	return code, c.execFailure()
}

// WaitContext is Process.Wait that gives up when ctx is done, as
// Container.WaitContext.
func (p *Process) WaitContext(ctx context.Context) (int, error) {
	return waitPidContext(ctx, p.Pid)
}

// waitPidContext waits on a pidfd of pid and on a pipe that ctx's end
// writes to, and reaps pid only once it has exited: giving up never loses
// the exit status.
func waitPidContext(ctx context.Context, pid int) (int, error) {
	if ctx.Done() == nil {
		return waitPid(pid)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, fmt.Errorf("open pidfd of process %d: %w", pid, err)
	}
	defer unix.Close(pidfd)
	// An os.File, not a raw fd: the write from ctx's goroutine and our
	// Close are then ordered by the file's own lock.
	r, w, err := os.Pipe()
	if err != nil {
		return -1, fmt.Errorf("make wait pipe: %w", err)
	}
	defer r.Close()
	defer w.Close()
	stop := context.AfterFunc(ctx, func() { w.Write([]byte{0}) })
	defer stop()
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}, {Fd: int32(r.Fd()), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(fds, -1); errors.Is(err, unix.EINTR) {
			continue
		} else if err != nil {
			return -1, fmt.Errorf("wait for process %d: %w", pid, err)
		}
		if fds[0].Revents != 0 {
			return waitPid(pid)
		}
		return -1, ctx.Err()
	}
}
