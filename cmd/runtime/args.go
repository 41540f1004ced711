package main

import (
	"fmt"

	"github.com/urfave/cli"

	"github.com/hullrt/hull/libcontainer"
)

// checkArgs enforces a command's argument count with runc's message.
func checkArgs(ctx *cli.Context, n int) error {
	if ctx.NArg() != n {
		return fmt.Errorf("%q requires exactly %d argument(s)", ctx.Command.Name, n)
	}
	return nil
}

// loadContainer loads the container named by the command's first argument.
func loadContainer(ctx *cli.Context) (*libcontainer.Container, error) {
	return libcontainer.Load(ctx.GlobalString("root"), ctx.Args().First())
}
