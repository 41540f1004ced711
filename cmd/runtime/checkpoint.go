package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer"
	"github.com/hullrt/hull/specconv"
)

// checkpoint and restore drive CRIU (the global --criu names it) through
// its RPC, `criu swrk`, over a socketpair, as runc does; the grammar and
// defaults are runc's.

var checkpointCommand = cli.Command{
	Name:      "checkpoint",
	Usage:     "checkpoint a running container",
	ArgsUsage: "<container-id>",
	Description: `Saves the state of a running container with CRIU (see --criu) in
--image-path (default ./checkpoint). Unless --leave-running or --pre-dump,
the container is stopped and deleted once dumped. --parent-path names an
earlier --pre-dump's directory relative to --image-path. Without a working
CRIU it fails saying why, and the container keeps running.`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "image-path", Usage: "path for saving criu image files"},
		cli.StringFlag{Name: "work-path", Usage: "path for saving work files and logs"},
		cli.StringFlag{Name: "parent-path", Usage: "path for previous criu image files in pre-dump"},
		cli.BoolFlag{Name: "leave-running", Usage: "leave the process running after checkpointing"},
		cli.BoolFlag{Name: "tcp-established", Usage: "allow open tcp connections"},
		cli.BoolFlag{Name: "tcp-skip-in-flight", Usage: "skip in-flight tcp connections"},
		cli.BoolFlag{Name: "link-remap", Usage: "allow one to link unlinked files back when possible"},
		cli.BoolFlag{Name: "ext-unix-sk", Usage: "allow external unix sockets"},
		cli.BoolFlag{Name: "shell-job", Usage: "allow shell jobs"},
		cli.BoolFlag{Name: "lazy-pages", Usage: "use userfaultfd to lazily restore memory pages"},
		cli.IntFlag{Name: "status-fd", Value: -1, Usage: "criu writes \\0 to this FD once lazy-pages is ready"},
		cli.StringFlag{Name: "page-server", Usage: "ADDRESS:PORT of the page server"},
		cli.BoolFlag{Name: "file-locks", Usage: "handle file locks, for safety"},
		cli.BoolFlag{Name: "pre-dump", Usage: "dump container's memory information only, leave the container running after this"},
		cli.StringFlag{Name: "manage-cgroups-mode", Usage: "cgroups mode: soft|full|strict|ignore (default: soft)"},
		cli.StringSliceFlag{Name: "empty-ns", Usage: "create a namespace, but don't restore its properties"},
		cli.BoolFlag{Name: "auto-dedup", Usage: "enable auto deduplication of memory images"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1); err != nil {
			return err
		}
		if os.Geteuid() != 0 {
			logrus.Warn("checkpoint is untested with rootless containers")
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		opts, err := criuOptions(ctx)
		if err != nil {
			return err
		}
		return c.Checkpoint(opts)
	},
}

var restoreCommand = cli.Command{
	Name:      "restore",
	Usage:     "restore a container from a previous checkpoint",
	ArgsUsage: "<container-id>",
	Description: `Creates container <container-id> from the bundle (--bundle) and the
checkpoint in --image-path (default ./checkpoint), restored by CRIU (see
--criu). Without --detach hull waits for the restored init, passes signals
on, deletes the container and exits with the init's status. Stdio that
were pipes at the checkpoint become restore's own stdio.`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "console-socket", Usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
		cli.StringFlag{Name: "image-path", Usage: "path to criu image files for restoring"},
		cli.StringFlag{Name: "work-path", Usage: "path for saving work files and logs"},
		cli.BoolFlag{Name: "tcp-established", Usage: "allow open tcp connections"},
		cli.BoolFlag{Name: "ext-unix-sk", Usage: "allow external unix sockets"},
		cli.BoolFlag{Name: "shell-job", Usage: "allow shell jobs"},
		cli.BoolFlag{Name: "file-locks", Usage: "handle file locks, for safety"},
		cli.StringFlag{Name: "manage-cgroups-mode", Usage: "cgroups mode: soft|full|strict|ignore (default: soft)"},
		cli.StringFlag{Name: "bundle, b", Usage: "path to the root of the bundle directory"},
		cli.BoolFlag{Name: "detach, d", Usage: "detach from the container's process"},
		cli.StringFlag{Name: "pid-file", Usage: "specify the file to write the process id to"},
		cli.BoolFlag{Name: "no-subreaper", Usage: "disable the use of the subreaper used to reap reparented processes"},
		cli.BoolFlag{Name: "no-pivot", Usage: "do not use pivot root to jail process inside rootfs. This should be used whenever the rootfs is on top of a ramdisk (accepted as runc does: CRIU sets up the root itself)"},
		cli.StringSliceFlag{Name: "empty-ns", Usage: "create a namespace, but don't restore its properties"},
		cli.BoolFlag{Name: "auto-dedup", Usage: "enable auto deduplication of memory images"},
		cli.BoolFlag{Name: "lazy-pages", Usage: "use userfaultfd to lazily restore memory pages"},
		cli.StringFlag{Name: "lsm-profile", Usage: "Specify an LSM profile to be used during restore in the form of TYPE:NAME."},
		cli.StringFlag{Name: "lsm-mount-context", Usage: "Specify an LSM mount context to be used during restore."},
	},
	Action: restoreAction,
}

func restoreAction(ctx *cli.Context) error {
	if err := checkArgs(ctx, 1); err != nil {
		return err
	}
	id := ctx.Args().First()
	if err := specconv.ValidateID(id); err != nil {
		return err
	}
	copts, err := criuOptions(ctx)
	if err != nil {
		return err
	}
	opts := libcontainer.RestoreOptions{
		CriuOptions:   *copts,
		SystemdCgroup: ctx.GlobalBool("systemd-cgroup"),
		Stdin:         os.Stdin,
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
	}
	if opts.ConsoleSocket, err = absPath(ctx.String("console-socket")); err != nil {
		return err
	}
	if opts.PidFile, err = absPath(ctx.String("pid-file")); err != nil {
		return err
	}
	bundle := ctx.String("bundle")
	if bundle == "" {
		bundle = "."
	}
	plan, err := specconv.LoadBundle(bundle)
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		logrus.Warn(w)
	}
	detach := ctx.Bool("detach")
	// CRIU restores the init as our child (rst_sibling); the subreaper
	// also collects what the init leaves behind, as in runc.
	var signals *signalRelay
	switch {
	case detach:
	case ctx.Bool("no-subreaper"):
		signals = catchStopSignals()
	default:
		if signals, err = prepareForeground(false); err != nil {
			return err
		}
	}
	if signals != nil {
		// CRIU restores the process as it was, running: no wait to
		// hide the rest of the signals behind.
		signals.waitCaught()
	}
	c, err := libcontainer.Restore(ctx.GlobalString("root"), id, plan, opts)
	if err != nil {
		return err
	}
	if detach {
		return nil
	}
	go forwardSignals(signals.ch, nil, func(sig unix.Signal) error { return c.Signal(sig, false) })
	code, waitErr := c.Wait()
	if err := c.Delete(true); err != nil {
		logrus.Warnf("delete container %q: %v", c.ID(), err)
	}
	if waitErr != nil {
		return waitErr
	}
	return &exitError{code: code}
}

// criuOptions reads the flags checkpoint and restore share, as runc does:
// the image directory defaults to ./checkpoint and is made, a parent path
// is relative to it and must exist, the network namespace is always
// created empty (--empty-ns network is accepted and changes nothing).
func criuOptions(ctx *cli.Context) (*libcontainer.CriuOptions, error) {
	if err := checkManageCgroupsMode(ctx.String("manage-cgroups-mode")); err != nil {
		return nil, err
	}
	imagePath := ctx.String("image-path")
	if imagePath == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("--image-path: %w", err)
		}
		imagePath = filepath.Join(wd, "checkpoint")
	}
	imagePath, err := absPath(imagePath)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(imagePath, 0o700); err != nil {
		return nil, fmt.Errorf("--image-path: %w", err)
	}
	parent := ctx.String("parent-path")
	if parent != "" {
		if filepath.IsAbs(parent) {
			return nil, errors.New("--parent-path must be relative (to --image-path)")
		}
		fi, err := os.Stat(filepath.Join(imagePath, parent))
		if err == nil && !fi.IsDir() {
			err = fmt.Errorf("%s: %w", filepath.Join(imagePath, parent), unix.ENOTDIR)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid --parent-path: %w", err)
		}
	}
	workPath, err := absPath(ctx.String("work-path"))
	if err != nil {
		return nil, err
	}
	opts := &libcontainer.CriuOptions{
		CriuPath:          ctx.GlobalString("criu"),
		ImagePath:         imagePath,
		WorkPath:          workPath,
		ParentPath:        parent,
		LeaveRunning:      ctx.Bool("leave-running"),
		PreDump:           ctx.Bool("pre-dump"),
		TCPEstablished:    ctx.Bool("tcp-established"),
		TCPSkipInFlight:   ctx.Bool("tcp-skip-in-flight"),
		LinkRemap:         ctx.Bool("link-remap"),
		ExtUnixSk:         ctx.Bool("ext-unix-sk"),
		ShellJob:          ctx.Bool("shell-job"),
		FileLocks:         ctx.Bool("file-locks"),
		AutoDedup:         ctx.Bool("auto-dedup"),
		LazyPages:         ctx.Bool("lazy-pages"),
		StatusFd:          -1,
		ManageCgroupsMode: ctx.String("manage-cgroups-mode"),
		LsmProfile:        ctx.String("lsm-profile"),
		LsmMountContext:   ctx.String("lsm-mount-context"),
		EmptyNs:           unix.CLONE_NEWNET,
	}
	if ctx.IsSet("status-fd") {
		opts.StatusFd = ctx.Int("status-fd")
	}
	if ps := ctx.String("page-server"); ps != "" {
		host, port, err := net.SplitHostPort(ps)
		if err != nil || host == "" || port == "" {
			return nil, errors.New("--page-server: use ADDRESS:PORT")
		}
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("--page-server: invalid port %q", port)
		}
		opts.PageServerAddress, opts.PageServerPort = host, int32(n)
	}
	for _, ns := range ctx.StringSlice("empty-ns") {
		if ns != "network" {
			return nil, fmt.Errorf("--empty-ns: namespace %q is not supported (only network)", ns)
		}
	}
	return opts, nil
}

// checkManageCgroupsMode validates --manage-cgroups-mode as runc does.
func checkManageCgroupsMode(mode string) error {
	switch mode {
	case "", "soft", "full", "strict", "ignore":
		return nil
	}
	return fmt.Errorf("invalid --manage-cgroups-mode value %q (want soft, full, strict or ignore)", mode)
}
