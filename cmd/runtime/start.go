package main

import "github.com/urfave/cli"

var startCommand = cli.Command{
	Name:      "start",
	Usage:     "start a created container: run its user process",
	ArgsUsage: "<container-id>",
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1); err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Start()
	},
}
