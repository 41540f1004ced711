package libcontainer

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// openPidfd returns a pidfd for pid after checking, with the pidfd already
// held, that the pid still belongs to the process started at startTime. A
// pidfd names one process for good, so a signal sent through it can never
// reach a process that reused the pid later. It returns errNoProcess when
// the process is gone or the pid was reused.
func openPidfd(pid int, startTime uint64) (int, error) {
	if pid <= 0 {
		return -1, errNoProcess // no process recorded (a create not finished)
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return -1, errNoProcess
		}
		return -1, fmt.Errorf("open pidfd of %d: %w", pid, err)
	}
	st, err := readProcStat(pid)
	if err != nil || st.StartTime != startTime {
		unix.Close(fd)
		if err != nil && !errors.Is(err, errNoProcess) {
			return -1, err
		}
		return -1, errNoProcess
	}
	return fd, nil
}

// signalProcess sends sig to the process pid started at startTime.
func signalProcess(pid int, startTime uint64, sig unix.Signal) error {
	fd, err := openPidfd(pid, startTime)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return errNoProcess
		}
		return fmt.Errorf("send %s to %d: %w", unix.SignalName(sig), pid, err)
	}
	return nil
}

// waitGone waits up to timeout for the process pid started at startTime to
// exit. A pidfd becomes readable when its process exits, reaped or not.
func waitGone(pid int, startTime uint64, timeout time.Duration) error {
	fd, err := openPidfd(pid, startTime)
	if err != nil {
		if errors.Is(err, errNoProcess) {
			return nil
		}
		return err
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("wait for process %d to exit: timed out after %s", pid, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait for process %d to exit: %w", pid, err)
		}
		if n > 0 {
			return nil
		}
	}
}
