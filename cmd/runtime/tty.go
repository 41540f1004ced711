package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/containerd/console"
)

// ttyAttachment connects the container's pty to hull's own stdio for a
// foreground run: the caller's terminal goes raw, bytes are copied both
// ways, and the pty follows the terminal's size.
type ttyAttachment struct {
	master  console.Console
	current console.Console
	outDone chan struct{}
}

// callerTerminal finds the terminal a foreground process with a pty is
// attached to, as runc does: stderr, stdout or stdin if one is a terminal,
// else the controlling terminal (/dev/tty). Without one there is nothing
// to attach the pty to, and the command fails before it starts anything.
func callerTerminal() (console.Console, error) {
	for _, f := range []*os.File{os.Stderr, os.Stdout, os.Stdin} {
		c, err := console.ConsoleFromFile(f)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, console.ErrNotAConsole) {
			return nil, fmt.Errorf("use the caller's terminal: %w", err)
		}
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return nil, fmt.Errorf("--tty without --console-socket needs a terminal: %w", err)
	}
	c, err := console.ConsoleFromFile(tty)
	if err != nil {
		tty.Close()
		return nil, fmt.Errorf("use the controlling terminal: %w", err)
	}
	return c, nil
}

// attachTerminal copies between the container's pty master and hull's
// stdio, with current (from callerTerminal) in raw mode.
func attachTerminal(master *os.File, current console.Console) (*ttyAttachment, error) {
	m, err := console.ConsoleFromFile(master)
	if err != nil {
		return nil, fmt.Errorf("use the container's pty: %w", err)
	}
	t := &ttyAttachment{master: m, current: current, outDone: make(chan struct{})}
	if err := current.SetRaw(); err != nil {
		return nil, fmt.Errorf("make the terminal raw: %w", err)
	}
	t.resize()
	go io.Copy(m, os.Stdin)
	go func() {
		// Ends with EIO once every holder of the pty's slave has exited.
		io.Copy(os.Stdout, m)
		close(t.outDone)
	}()
	return t, nil
}

// resize gives the pty the size of the caller's terminal.
func (t *ttyAttachment) resize() {
	if t == nil || t.current == nil {
		return
	}
	t.master.ResizeFrom(t.current)
}

// detach waits (briefly: a daemon left in the container may hold the pty)
// for the container's last output, then restores the caller's terminal.
func (t *ttyAttachment) detach() {
	if t == nil {
		return
	}
	select {
	case <-t.outDone:
	case <-time.After(time.Second):
	}
	t.current.Reset()
	t.master.Close()
}
