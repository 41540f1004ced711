package main

import (
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"

	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/internal/firstinit"
	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer/nsenter"
)

// tracedCommand is the command the phase trace reports on.
var tracedCommand string

// mainInit is when this package's init ran: the last package init, right
// before main.
var mainInit = time.Now()

// startTrace turns the phase trace on for HULL_TRACE=1 or --debug: the
// phases are the Go runtime's start-up (go-start: from the C constructor
// to the first package init), the package inits (init), the CLI's own
// set-up until here (cli), and the boundaries the command reaches (its
// crash points and marks).
func startTrace(ctx *cli.Context) {
	if os.Getenv(phasetrace.Env) != "1" && !ctx.GlobalBool("debug") {
		return
	}
	start := nsenter.ProcessStart()
	if start.IsZero() {
		start = time.Now()
	}
	var firstInit time.Time
	if ns := firstinit.UnixNano(); ns != 0 {
		firstInit = time.Unix(0, ns)
	}
	phasetrace.Enable(start,
		phasetrace.Boundary{Name: "go-start", At: firstInit},
		phasetrace.Boundary{Name: "init", At: mainInit})
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
