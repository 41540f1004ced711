package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli"
)

var updateCommand = cli.Command{
	Name:      "update",
	Usage:     "change the resource limits of a container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		cli.StringFlag{Name: "resources, r", Usage: `JSON file of linux.resources ("-" for stdin)`},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1); err != nil {
			return err
		}
		path := ctx.String("resources")
		if path == "" {
			return fmt.Errorf("--resources: required (only whole linux.resources updates are supported)")
		}
		r, err := readResources(path)
		if err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Update(r)
	},
}

// readResources decodes a linux.resources object from path or stdin.
func readResources(path string) (*specs.LinuxResources, error) {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--resources: %w", err)
		}
		defer f.Close()
		in = f
	}
	var r specs.LinuxResources
	if err := json.NewDecoder(in).Decode(&r); err != nil {
		return nil, fmt.Errorf("--resources: decode linux.resources: %w", err)
	}
	return &r, nil
}
