package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli"

	"github.com/hullrt/hull/specconv"
)

var specCommand = cli.Command{
	Name:  "spec",
	Usage: "write a template config.json (the same as runc's)",
	Flags: []cli.Flag{
		cli.StringFlag{Name: "bundle, b", Usage: "directory to write config.json in"},
		cli.BoolFlag{Name: "rootless", Usage: "a template for a container run without privileges"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0); err != nil {
			return err
		}
		path := filepath.Join(ctx.String("bundle"), "config.json")
		data, err := json.MarshalIndent(specconv.Example(ctx.Bool("rootless")), "", "\t")
		if err != nil {
			return fmt.Errorf("encode config.json: %w", err)
		}
		// O_EXCL: never overwrite a config the user wrote.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("file %s exists: remove it first", path)
			}
			return fmt.Errorf("write config.json: %w", err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return fmt.Errorf("write config.json: %w", err)
		}
		return f.Close()
	},
}
