package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli"

	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer"
)

var listCommand = cli.Command{
	Name:  "list",
	Usage: "list the containers under --root",
	Flags: []cli.Flag{
		cli.StringFlag{Name: "format, f", Value: "table", Usage: "table or json"},
		cli.BoolFlag{Name: "quiet, q", Usage: "print only the ids"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0); err != nil {
			return err
		}
		root := ctx.GlobalString("root")
		// A missing default root means no container was made yet; a
		// missing root the caller named is a mistake (runc's rule).
		if ctx.GlobalIsSet("root") {
			if _, err := os.Stat(root); err != nil {
				return fmt.Errorf("--root: %w", err)
			}
		}
		states, err := libcontainer.List(root)
		if err != nil {
			return err
		}
		// One write for the whole list: the table writer writes each cell
		// on its own, a system call per cell.
		out := bufio.NewWriter(os.Stdout)
		if err := writeList(out, states, ctx.String("format"), ctx.Bool("quiet")); err != nil {
			return err
		}
		err = out.Flush()
		phasetrace.Mark("list:print")
		return err
	},
}

// writeList prints states as runc's list does: a table with runc's column
// widths, the ids alone, or a JSON array of state objects.
func writeList(w io.Writer, states []libcontainer.State, format string, quiet bool) error {
	if quiet {
		for _, s := range states {
			fmt.Fprintln(w, s.ID)
		}
		return nil
	}
	switch format {
	case "table":
		tw := tabwriter.NewWriter(w, 12, 1, 3, ' ', 0)
		fmt.Fprint(tw, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
		for _, s := range states {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle,
				s.Created.Format(time.RFC3339Nano), s.Owner)
		}
		return tw.Flush()
	case "json":
		if states == nil {
			states = []libcontainer.State{}
		}
		data, err := json.Marshal(states)
		if err != nil {
			return fmt.Errorf("encode list: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	default:
		return fmt.Errorf("--format: unknown format %q (want table or json)", format)
	}
}
