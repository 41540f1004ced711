package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/crashpoint"
)

// Start lets a created container's init exec the user's process, then runs
// the poststart hooks. Only a created container can be started.
func (c *Container) Start() error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	crashpoint.Here("start:locked")
	switch status {
	case Created:
	case Stopped:
		return c.stateError(errors.New("cannot start a container that has stopped"))
	case Running:
		return c.stateError(errors.New("cannot start an already running container"))
	default:
		return c.stateError(fmt.Errorf("cannot start a container in the %s state", status))
	}
	if c.rec.Spec != nil && c.rec.Spec.Process == nil {
		// config.md: process is "REQUIRED when start is called".
		return errors.New("process: required by start")
	}
	report, err := c.openHookReport()
	if err != nil {
		return err
	}
	if report != nil {
		defer report.Close()
	}
	if err := c.openExecFifo(); err != nil {
		return err
	}
	crashpoint.Here("start:fifo")
	if err := waitHookReport(report); err != nil {
		// The init exits after a failed startContainer hook; make sure.
		signalProcess(c.rec.InitPid, c.rec.InitStartTime, unix.SIGKILL)
		return err
	}
	if err := runHooks(c.rec.Spec, c.rec.hookState(Running, c.rec.InitPid), phasePoststart); err != nil {
		// As runc: a failed poststart hook takes the container down.
		signalProcess(c.rec.InitPid, c.rec.InitStartTime, unix.SIGKILL)
		return err
	}
	crashpoint.Here("start:poststart")
	return nil
}

// openExecFifo writes the byte the init waits for and removes the fifo, so
// the container reads as running from now on.
func (c *Container) openExecFifo() error {
	path := filepath.Join(c.dir, fifoFile)
	// Non-blocking: with the init gone there is no reader and open fails
	// with ENXIO instead of hanging.
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ENXIO) {
			return c.stateError(errors.New("cannot start a container that has stopped"))
		}
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer f.Close()
	if _, err := f.Write([]byte{0}); err != nil {
		return fmt.Errorf("write exec fifo: %w", err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove exec fifo: %w", err)
	}
	return nil
}

// openHookReport opens the read end of the fifo a failed startContainer
// hook is reported on (none without such hooks). Opened before the init
// is let go, non-blocking: the init holds the write end until it execs.
func (c *Container) openHookReport() (*os.File, error) {
	path := filepath.Join(c.dir, hookReportFile)
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open hook report: %w", err)
	}
	_ = os.Remove(path)
	return f, nil
}

// waitHookReport waits until the init has run its startContainer hooks:
// the fifo reaches EOF when the init execs the user's process (its end is
// close-on-exec) or dies; a failed hook wrote its error first.
func waitHookReport(report *os.File) error {
	if report == nil {
		return nil
	}
	var msg []byte
	buf := make([]byte, 1024)
	fds := []unix.PollFd{{Fd: int32(report.Fd()), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("wait for startContainer hooks: %w", err)
		}
		n, err := unix.Read(int(report.Fd()), buf)
		if n > 0 {
			msg = append(msg, buf[:n]...)
			continue
		}
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		break
	}
	if len(msg) > 0 {
		return fmt.Errorf("hooks.startContainer: %s", msg)
	}
	return nil
}
