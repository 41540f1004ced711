package main

import (
	"os"

	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer"
)

// The phase trace's state:status is the liveness check (the init's start
// time in /proc, the exec fifo, the freezer), state:print the JSON out.
var stateCommand = containerCommand("state", "print the state of a container",
	func(c *libcontainer.Container) error {
		st := c.State()
		phasetrace.Mark("state:status")
		// The C state path prints what the same function rendered at
		// the last state.json write (libcontainer's state_output.go).
		data, err := libcontainer.StateJSON(st)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		phasetrace.Mark("state:print")
		return err
	})
