package main

import (
	"fmt"

	"github.com/urfave/cli"

	"github.com/hullrt/hull/libcontainer"
)

// describeProgram prints the executor program compiled from a bundle: the
// exact operations a container would get, the best bug report there is.
func describeProgram(ctx *cli.Context) error {
	bundle := ctx.String("bundle")
	if ctx.NArg() == 1 {
		bundle = ctx.Args().First()
	} else if ctx.NArg() > 1 {
		return fmt.Errorf("%q takes at most one bundle", ctx.Command.Name)
	}
	text, err := libcontainer.DescribeBundle(bundle, libcontainer.CompileOptions{NoPivot: ctx.Bool("no-pivot")})
	if err != nil {
		return err
	}
	fmt.Print(text)
	return nil
}

var programFlags = []cli.Flag{
	cli.StringFlag{Name: "bundle, b", Value: ".", Usage: "the bundle to compile"},
	cli.BoolFlag{Name: "no-pivot", Usage: "compile as for create --no-pivot"},
}

var debugCommand = cli.Command{
	Name:  "debug",
	Usage: "tools for looking inside hull",
	Subcommands: []cli.Command{{
		Name:      "program",
		Usage:     "print the executor program of a bundle",
		ArgsUsage: "[bundle]",
		Flags:     programFlags,
		Action:    describeProgram,
	}},
}

// programCommand is `hull program BUNDLE`, the short form of `debug program`.
var programCommand = cli.Command{
	Name:      "program",
	Usage:     "print the executor program of a bundle (debug program)",
	ArgsUsage: "[bundle]",
	Flags:     programFlags,
	Action:    describeProgram,
	Hidden:    true,
}
