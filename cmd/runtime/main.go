// The CLI runs on one P (internal/oneproc) and keeps it: without this the
// runtime's sysmon would raise GOMAXPROCS to the CPU count a second into
// a long command.
//go:debug updatemaxprocs=0

// Command hull is the runc-compatible CLI of the hull container runtime:
// containerd's shim, conmon and the OCI conformance tools call it as they
// would call runc, with the same global flags, commands and output.
package main

import (
	"os"

	"github.com/urfave/cli"

	// The CLI runs on one P: the runtime starts with one, and the first
	// package inits put the caller's CPU affinity back.
	_ "github.com/hullrt/hull/internal/oneproc"
	// `start` of a container whose create left a start ticket runs in C,
	// before the Go runtime starts.
	_ "github.com/hullrt/hull/libcontainer/faststart"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

const usage = `hull is a low-level OCI container runtime, compatible with runc.

To start a container, create a bundle (a directory with a config.json and
a root filesystem, see "hull spec") and run "hull run -b <bundle> <id>".`

func main() {
	keepInheritedFdsToOurselves()
	app := newApp()
	// urfave/cli must not print errors or exit on its own: fatal does both,
	// in runc's format.
	cli.OsExiter = func(int) {}
	cli.ErrWriter = os.Stderr
	err := app.Run(os.Args)
	releaseUnusedExecutor()
	reportTrace()
	if err != nil {
		fatal(err)
	}
}

// newApp is hull's whole command line: main runs it, and the man pages
// and shell completions are generated from it (gendocs.go).
func newApp() *cli.App {
	app := cli.NewApp()
	app.Name = "hull"
	app.Usage = usage
	app.Version = version
	cli.VersionPrinter = printVersion
	app.Flags = globalFlags()
	app.Commands = []cli.Command{
		createCommand, startCommand, runCommand, execCommand, stateCommand, killCommand,
		deleteCommand, listCommand, pauseCommand, resumeCommand, psCommand, updateCommand, eventsCommand, checkpointCommand, restoreCommand,
		specCommand, featuresCommand, debugCommand, programCommand,
	}
	app.Commands = append(app.Commands, buildOnlyCommands...)
	app.Before = func(ctx *cli.Context) error {
		if err := configureLogging(ctx); err != nil {
			return err
		}
		return prepareXDGStateRoot(ctx)
	}
	return app
}

// buildOnlyCommands are hidden commands that special builds add (the
// gendocs tag adds the man page and completion generator).
var buildOnlyCommands []cli.Command

// globalFlags are runc's global flags; they come before the command.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		cli.BoolFlag{Name: "debug", Usage: "enable debug logging"},
		cli.StringFlag{Name: "log", Usage: "write the log to this file instead of stderr"},
		cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
		cli.StringFlag{Name: "root", Value: defaultRoot(), Usage: "directory for the containers' state"},
		cli.BoolFlag{Name: "systemd-cgroup", Usage: "use the systemd cgroup driver: linux.cgroupsPath is slice:prefix:name"},
		cli.StringFlag{Name: "rootless", Value: "auto", Usage: "ignore cgroup permission errors: true, false or auto"},
		cli.StringFlag{Name: "criu", Value: "criu", Usage: "path to the criu binary used for checkpoint and restore"},
	}
}
