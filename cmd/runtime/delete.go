package main

import (
	"errors"

	"github.com/urfave/cli"

	"github.com/hullrt/hull/libcontainer"
)

var deleteCommand = cli.Command{
	Name:      "delete",
	Usage:     "delete a stopped container (and with --force a running one)",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		cli.BoolFlag{Name: "force, f", Usage: "kill the container first if it is running"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1); err != nil {
			return err
		}
		force := ctx.Bool("force")
		c, err := loadContainer(ctx)
		if err != nil {
			// As runc: deleting a container that is already gone with
			// --force is not an error (engines retry deletes). What a
			// killed create left behind goes too, freeing the id.
			if force && errors.Is(err, libcontainer.ErrNotExist) {
				return libcontainer.RemoveAbandoned(ctx.GlobalString("root"), ctx.Args().First())
			}
			return err
		}
		return c.Delete(force)
	},
}
