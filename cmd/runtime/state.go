package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli"
)

var stateCommand = cli.Command{
	Name:      "state",
	Usage:     "print the state of a container",
	ArgsUsage: "<container-id>",
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1); err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(c.State(), "", "  ")
		if err != nil {
			return fmt.Errorf("encode state: %w", err)
		}
		// No trailing newline: runc prints none, and parsers do not care.
		_, err = os.Stdout.Write(data)
		return err
	},
}
