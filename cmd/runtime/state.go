package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/hullrt/hull/libcontainer"
)

var stateCommand = containerCommand("state", "print the state of a container",
	func(c *libcontainer.Container) error {
		data, err := json.MarshalIndent(c.State(), "", "  ")
		if err != nil {
			return fmt.Errorf("encode state: %w", err)
		}
		// No trailing newline: runc prints none, and parsers do not care.
		_, err = os.Stdout.Write(data)
		return err
	})
