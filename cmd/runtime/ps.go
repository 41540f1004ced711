package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/urfave/cli"
)

var psCommand = cli.Command{
	Name:      "ps",
	Usage:     "list the processes of a container",
	ArgsUsage: "<container-id> [ps options]",
	Flags: []cli.Flag{
		cli.StringFlag{Name: "format, f", Value: "table", Usage: "table (ps output) or json (pids)"},
	},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 1 {
			return checkArgs(ctx, 1)
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		pids, err := c.Processes()
		if err != nil {
			return err
		}
		switch ctx.String("format") {
		case "json":
			if pids == nil {
				pids = []int{}
			}
			return json.NewEncoder(os.Stdout).Encode(pids)
		case "table":
			return psTable(pids, ctx.Args().Tail())
		default:
			return fmt.Errorf("--format: unknown format %q (want table or json)", ctx.String("format"))
		}
	},
}

// psTable runs the host's ps (with the given options, default -ef) and
// keeps the header and the container's processes, as runc does.
func psTable(pids []int, psArgs []string) error {
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.Command("ps", psArgs...).Output()
	if err != nil {
		return fmt.Errorf("run ps: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	pidCol := -1
	for i, name := range strings.Fields(lines[0]) {
		if name == "PID" {
			pidCol = i
		}
	}
	if pidCol < 0 {
		return fmt.Errorf("run ps: no PID column in its output")
	}
	inContainer := make(map[int]bool, len(pids))
	for _, p := range pids {
		inContainer[p] = true
	}
	fmt.Println(lines[0])
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) <= pidCol {
			continue
		}
		if pid, err := strconv.Atoi(fields[pidCol]); err == nil && inContainer[pid] {
			fmt.Println(line)
		}
	}
	return nil
}
