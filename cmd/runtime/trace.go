package main

import (
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"

	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer/nsenter"
)

// tracedCommand is the command the phase trace reports on.
var tracedCommand string

// startTrace turns the phase trace on for HULL_TRACE=1 or --debug: the
// phases are the Go start-up, the CLI's own set-up, and the boundaries
// the command reaches (its crash points).
func startTrace(ctx *cli.Context) {
	if os.Getenv(phasetrace.Env) != "1" && !ctx.GlobalBool("debug") {
		return
	}
	start := nsenter.ProcessStart()
	if start.IsZero() {
		start = time.Now()
	}
	phasetrace.Enable(start)
	crashpoint.Reached = phasetrace.Mark
	tracedCommand = ctx.Args().First()
	phasetrace.Mark("cli")
}

// reportTrace prints the trace when the command ends: a debug line in the
// log, or with HULL_TRACE=1 alone a line on stderr.
func reportTrace() {
	line := phasetrace.Report(tracedCommand)
	if line == "" {
		return
	}
	if logrus.IsLevelEnabled(logrus.DebugLevel) {
		logrus.Debug(line)
		return
	}
	fmt.Fprintln(os.Stderr, line)
}
