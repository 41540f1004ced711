package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/console"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"

	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer"
	"github.com/hullrt/hull/specconv"
)

// createFlags are shared by create and run.
var createFlags = []cli.Flag{
	cli.StringFlag{Name: "bundle, b", Value: ".", Usage: "the bundle directory (config.json and root filesystem)"},
	cli.StringFlag{Name: "pid-file", Usage: "write the init's pid to this file"},
	cli.StringFlag{Name: "console-socket", Usage: "unix socket to send the pty master to (process.terminal)"},
	cli.StringFlag{Name: "pidfd-socket", Usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the init process"},
	cli.BoolFlag{Name: "no-pivot", Usage: "do not use pivot_root (for a rootfs on a ramdisk)"},
	cli.BoolFlag{Name: "no-new-keyring", Usage: "keep the caller's session keyring"},
	cli.IntFlag{Name: "preserve-fds", Usage: "pass this many extra fds (3, 4, ...) to the container"},
}

var createCommand = cli.Command{
	Name:      "create",
	Usage:     "create a container and leave it waiting for start",
	ArgsUsage: "<container-id>",
	Flags:     createFlags,
	Action: func(ctx *cli.Context) error {
		_, err := createContainer(ctx, createMode{detach: true, startLater: true})
		return err
	},
}

// createMode is how run differs from create.
type createMode struct {
	// detach: the caller does not stay to wait (create, run -d); a terminal
	// then needs a console socket.
	detach bool
	// callerTerminal, for a foreground run, receives the caller's
	// terminal when the container gets a pty (found before anything is
	// created, since the pty has nowhere to go without it).
	callerTerminal *console.Console
	// startLater: a separate `start` follows (create, not run), which
	// the start ticket lets skip the Go runtime (package faststart).
	startLater bool
	// beside is CreateOptions.Beside (a foreground run catches the rest
	// of the signals there).
	beside func() <-chan struct{}
}

// createContainer creates the container named by the command's argument
// with the executor the constructor forked at process start. Every failure
// path leaves nothing behind: Create cleans up after itself, and an
// executor not handed over is released by closing its socket.
func createContainer(ctx *cli.Context, mode createMode) (*libcontainer.Container, error) {
	exe, err := takeExecutor()
	if err != nil {
		return nil, err
	}
	handedOver := false
	defer func() {
		if !handedOver {
			releaseExecutor(exe)
		}
	}()
	if err := checkArgs(ctx, 1); err != nil {
		return nil, err
	}
	id := ctx.Args().First()
	if err := specconv.ValidateID(id); err != nil {
		return nil, err
	}
	rootless, err := rootless(ctx)
	if err != nil {
		return nil, err
	}
	opts := libcontainer.CreateOptions{
		NoPivot:            ctx.Bool("no-pivot"),
		NoNewKeyring:       ctx.Bool("no-new-keyring"),
		PreserveFDs:        ctx.Int("preserve-fds"),
		ListenFDs:          socketActivationFDs(),
		Rootless:           rootless,
		SystemdCgroup:      ctx.GlobalBool("systemd-cgroup"),
		Executor:           exe,
		Stdin:              os.Stdin,
		Stdout:             os.Stdout,
		Stderr:             os.Stderr,
		KeepExecutorSocket: !mode.detach,
		StartTicket:        mode.startLater,
		Beside:             mode.beside,
	}
	if opts.PreserveFDs < 0 {
		return nil, fmt.Errorf("--preserve-fds: must not be negative, got %d", opts.PreserveFDs)
	}
	if opts.ConsoleSocket, err = absPath(ctx.String("console-socket")); err != nil {
		return nil, err
	}
	if opts.PidFile, err = absPath(ctx.String("pid-file")); err != nil {
		return nil, err
	}
	if opts.PidfdSocket, err = absPath(ctx.String("pidfd-socket")); err != nil {
		return nil, err
	}
	plan, err := specconv.LoadBundle(ctx.String("bundle"))
	if err != nil {
		return nil, err
	}
	phasetrace.Mark("load")
	for _, w := range plan.Warnings {
		logrus.Warn(w)
	}
	terminal := plan.Spec.Process != nil && plan.Spec.Process.Terminal
	switch {
	case terminal && mode.detach && opts.ConsoleSocket == "":
		return nil, errors.New("process.terminal: cannot allocate a tty when detached without --console-socket")
	case !terminal && opts.ConsoleSocket != "":
		return nil, errors.New("--console-socket: cannot be used when process.terminal is false")
	}
	opts.KeepConsole = terminal && opts.ConsoleSocket == ""
	if opts.KeepConsole && mode.callerTerminal != nil {
		if *mode.callerTerminal, err = callerTerminal(); err != nil {
			return nil, err
		}
	}
	handedOver = true
	return libcontainer.Create(ctx.GlobalString("root"), id, plan, opts)
}

// absPath makes a path flag absolute (engines pass relative ones), leaving
// an unset flag empty.
func absPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", p, err)
	}
	return abs, nil
}
