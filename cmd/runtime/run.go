package main

import (
	"fmt"
	"os"

	"github.com/containerd/console"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/libcontainer"
)

var runCommand = cli.Command{
	Name:      "run",
	Usage:     "create and start a container; in the foreground, wait for it and delete it",
	ArgsUsage: "<container-id>",
	Flags: append([]cli.Flag{
		cli.BoolFlag{Name: "detach, d", Usage: "return once the container has started"},
		cli.BoolFlag{Name: "keep", Usage: "do not delete the container after it exits"},
		// hull always becomes the subreaper of a foreground run: the init
		// is the executor's child, and hull could not wait for it otherwise.
		cli.BoolFlag{Name: "no-subreaper", Usage: "accepted for runc compatibility; hull needs the subreaper to wait for the init"},
	}, createFlags...),
	Action: runAction,
}

func runAction(ctx *cli.Context) error {
	detach := ctx.Bool("detach")
	signals, err := prepareForeground(detach)
	if err != nil {
		return err
	}
	var host console.Console
	mode := createMode{detach: detach, callerTerminal: &host}
	if signals != nil {
		mode.beside = signals.beside
	}
	c, err := createContainer(ctx, mode)
	if err != nil {
		return err
	}
	if detach {
		if err := c.Start(); err != nil {
			c.Delete(true)
			return err
		}
		return nil
	}
	code, err := runForeground(c, host, signals, ctx.Bool("keep"))
	if err != nil && code > 0 {
		// The process failed to exec: its message, and its status (255,
		// runc's) rather than 1.
		return &failedWith{status: code, err: err}
	}
	if err != nil {
		return err
	}
	return &exitError{code: code}
}

// prepareForeground readies hull to wait for a process it does not fork
// itself: the init (or exec'd process) is the executor's child, so when
// the executor's first stage exits it must be reparented to us, not to pid
// 1; this must happen before the program is sent. The signals that would
// end or stop hull are caught from then on, so that one sent at any point
// reaches the process once it runs rather than killing hull halfway and
// leaving it behind; the others are caught while hull waits for the
// executor (signalRelay says why and when). Detached commands need
// neither: they get a nil relay.
//
// No signal.Stop later: hull exits right after the wait, and Stop would
// restore the handlers one at a time, each a round trip with the
// runtime's signal thread. A late signal lands in the channel and is
// dropped.
func prepareForeground(detach bool) (*signalRelay, error) {
	if detach {
		return nil, nil
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("become child subreaper: %w", err)
	}
	return catchStopSignals(), nil
}

// runForeground starts c, relays signals (and the terminal) to it, waits
// for its init to exit and, unless keep, deletes it.
func runForeground(c *libcontainer.Container, host console.Console, signals *signalRelay, keep bool) (int, error) {
	var tty *ttyAttachment
	if master := c.Console(); master != nil {
		var err error
		if tty, err = attachTerminal(master, host); err != nil {
			c.Delete(true)
			return -1, err
		}
	}
	// Create waited for the signals to be caught (CreateOptions.Beside);
	// this only says that every one is before the init runs its program.
	signals.waitCaught()
	if err := c.Start(); err != nil {
		tty.detach()
		c.Delete(true)
		return -1, err
	}
	crashpoint.Here("run:started")
	go forwardSignals(signals.ch, tty, func(sig unix.Signal) error { return c.Signal(sig, false) })
	code, waitErr := c.Wait()
	crashpoint.Here("run:exited")
	tty.detach()
	if !keep {
		if err := c.Delete(true); err != nil {
			logrus.Warnf("delete container %q: %v", c.ID(), err)
		}
	}
	return code, waitErr
}

// forwardSignals passes every signal hull gets on to the process through
// send, except the ones that are hull's own business: SIGCHLD (Wait
// reaps), SIGWINCH (the terminal's size goes to the pty instead) and SIGURG
// (the Go runtime's preemption signal).
func forwardSignals(signals <-chan os.Signal, tty *ttyAttachment, send func(unix.Signal) error) {
	for s := range signals {
		sig, ok := s.(unix.Signal)
		if !ok {
			continue
		}
		switch sig {
		case unix.SIGCHLD, unix.SIGURG:
		case unix.SIGWINCH:
			tty.resize()
		default:
			if err := send(sig); err != nil {
				logrus.Debugf("forward %s: %v", unix.SignalName(sig), err)
			}
		}
	}
}
