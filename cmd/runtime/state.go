package main

import (
	"encoding/json"
	"fmt"
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
		data, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return fmt.Errorf("encode state: %w", err)
		}
		// No trailing newline: runc prints none, and parsers do not care.
		_, err = os.Stdout.Write(data)
		phasetrace.Mark("state:print")
		return err
	})
