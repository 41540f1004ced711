package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/seccomp"
)

// logFile is the --log file, if any; nil means the log goes to stderr.
var logFile *os.File

// configureLogging points logrus where runc would: --log FILE (appending,
// as containerd and conmon read it) or stderr, in --log-format.
func configureLogging(ctx *cli.Context) error {
	if ctx.GlobalBool("debug") {
		logrus.SetLevel(logrus.DebugLevel)
	}
	if err := setLogFormat(logrus.StandardLogger(), ctx.GlobalString("log-format")); err != nil {
		return err
	}
	logrus.SetOutput(os.Stderr)
	if path := ctx.GlobalString("log"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		logFile = f
		logrus.SetOutput(f)
	}
	startTrace(ctx)
	cgroups.Warn = func(msg string) { logrus.Warn(msg) }
	seccomp.Debug = func(msg string) { logrus.Debug(msg) }
	return nil
}

// setLogFormat selects runc's formats: logrus text or one JSON object per
// line with level, msg and time.
func setLogFormat(l *logrus.Logger, format string) error {
	switch format {
	case "text", "":
		l.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	case "json":
		l.SetFormatter(&logrus.JSONFormatter{})
	default:
		return fmt.Errorf("--log-format: unknown format %q (want text or json)", format)
	}
	return nil
}

// exitError ends the command with a status and no message: `run` passes
// on the container's exit code this way.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// failedWith ends the command with err reported and a status other than
// 1 (exec's failures end with 255, as runc's). It is not a cli.ExitCoder,
// which urfave/cli would print a second time.
type failedWith struct {
	status int
	err    error
}

func (e *failedWith) Error() string { return e.err.Error() }
func (e *failedWith) Unwrap() error { return e.err }

// fatal reports the error that ended the command and exits. It is always
// the last error line of the log, which containerd shows to its user; with
// --log the user on a terminal also gets it on stderr, as with runc.
func fatal(err error) {
	var exit *exitError
	if errors.As(err, &exit) {
		os.Exit(exit.code)
	}
	reportError(logrus.StandardLogger(), logFile != nil, os.Stderr, err)
	// urfave/cli's own errors carry runc's status: 3 for an unknown
	// command ("No help topic for ...").
	var coded cli.ExitCoder
	if errors.As(err, &coded) && coded.ExitCode() != 0 {
		os.Exit(coded.ExitCode())
	}
	var failed *failedWith
	if errors.As(err, &failed) {
		os.Exit(failed.status)
	}
	os.Exit(1)
}

// reportError logs err at level error and, when the log goes to a file,
// prints it on stderr too.
func reportError(l *logrus.Logger, toFile bool, stderr io.Writer, err error) {
	l.Error(err)
	if toFile {
		fmt.Fprintln(stderr, err)
	}
}
