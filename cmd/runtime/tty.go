package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/containerd/console"
)

// ttyAttachment connects the container's pty to hull's own stdio for a
// foreground run: the caller's terminal (if stdin is one) goes raw, bytes
// are copied both ways, and the pty follows the terminal's size.
type ttyAttachment struct {
	master  console.Console
	current console.Console // nil when stdin is not a terminal
	outDone chan struct{}
}

func attachTerminal(master *os.File) (*ttyAttachment, error) {
	m, err := console.ConsoleFromFile(master)
	if err != nil {
		return nil, fmt.Errorf("use the container's pty: %w", err)
	}
	t := &ttyAttachment{master: m, outDone: make(chan struct{})}
	if cur, err := console.ConsoleFromFile(os.Stdin); err == nil {
		if err := cur.SetRaw(); err != nil {
			return nil, fmt.Errorf("make the terminal raw: %w", err)
		}
		t.current = cur
		t.resize()
	}
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
	if t.current != nil {
		t.current.Reset()
	}
	t.master.Close()
}
