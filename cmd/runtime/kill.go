package main

import (
	"github.com/urfave/cli"

	"github.com/hullrt/hull/libcontainer"
)

var killCommand = cli.Command{
	Name:      "kill",
	Usage:     "send a signal (default SIGTERM) to a container's init",
	ArgsUsage: "<container-id> [signal]",
	Flags: []cli.Flag{
		cli.BoolFlag{Name: "all, a", Usage: "signal every process in the container's cgroup"},
	},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 1 || ctx.NArg() > 2 {
			return checkArgs(ctx, 1)
		}
		sigName := "SIGTERM"
		if ctx.NArg() == 2 {
			sigName = ctx.Args().Get(1)
		}
		sig, err := libcontainer.ParseSignal(sigName)
		if err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Signal(sig, ctx.Bool("all"))
	},
}
