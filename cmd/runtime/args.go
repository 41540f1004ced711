package main

import (
	"fmt"

	"github.com/urfave/cli"

	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer"
)

// checkArgs enforces a command's argument count with runc's message.
func checkArgs(ctx *cli.Context, n int) error {
	if ctx.NArg() != n {
		return fmt.Errorf("%q requires exactly %d argument(s)", ctx.Command.Name, n)
	}
	return nil
}

// loadContainer loads the container named by the command's first argument
// (the phase trace's "load": the id checked and the state record read).
func loadContainer(ctx *cli.Context) (*libcontainer.Container, error) {
	c, err := libcontainer.Load(ctx.GlobalString("root"), ctx.Args().First())
	phasetrace.Mark("load")
	return c, err
}

// containerCommand is a command that takes exactly one container id and
// calls act on that container.
func containerCommand(name, usage string, act func(*libcontainer.Container) error) cli.Command {
	return cli.Command{
		Name:      name,
		Usage:     usage,
		ArgsUsage: "<container-id>",
		Action: func(ctx *cli.Context) error {
			if err := checkArgs(ctx, 1); err != nil {
				return err
			}
			c, err := loadContainer(ctx)
			if err != nil {
				return err
			}
			return act(c)
		},
	}
}
