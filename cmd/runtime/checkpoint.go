package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/urfave/cli"
)

// checkpoint and restore take runc's whole grammar, so that engines and
// scripts get a clear answer instead of "Incorrect Usage". Doing the work
// (CRIU's RPC over a socketpair, through go-criu) is not written yet: each
// says so after checking CRIU itself, so the error names the first thing
// that is missing.

var checkpointCommand = cli.Command{
	Name:      "checkpoint",
	Usage:     "checkpoint a running container",
	ArgsUsage: "<container-id>",
	Description: `Checkpoints a running container with CRIU (see --criu). Not implemented
in hull yet: it reports whether CRIU works on this host and fails.`,
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
		if _, err := loadContainer(ctx); err != nil {
			return err
		}
		if err := checkManageCgroupsMode(ctx.String("manage-cgroups-mode")); err != nil {
			return err
		}
		return criuUnsupported(ctx, "checkpoint")
	},
}

var restoreCommand = cli.Command{
	Name:      "restore",
	Usage:     "restore a container from a previous checkpoint",
	ArgsUsage: "<container-id>",
	Description: `Restores a container from a CRIU checkpoint (see --criu). Not implemented
in hull yet: it reports whether CRIU works on this host and fails.`,
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
		cli.BoolFlag{Name: "no-pivot", Usage: "do not use pivot root to jail process inside rootfs. This should be used whenever the rootfs is on top of a ramdisk"},
		cli.StringSliceFlag{Name: "empty-ns", Usage: "create a namespace, but don't restore its properties"},
		cli.BoolFlag{Name: "auto-dedup", Usage: "enable auto deduplication of memory images"},
		cli.BoolFlag{Name: "lazy-pages", Usage: "use userfaultfd to lazily restore memory pages"},
		cli.StringFlag{Name: "lsm-profile", Usage: "Specify an LSM profile to be used during restore in the form of TYPE:NAME."},
		cli.StringFlag{Name: "lsm-mount-context", Usage: "Specify an LSM mount context to be used during restore."},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1); err != nil {
			return err
		}
		if err := checkManageCgroupsMode(ctx.String("manage-cgroups-mode")); err != nil {
			return err
		}
		return criuUnsupported(ctx, "restore")
	},
}

// checkManageCgroupsMode validates --manage-cgroups-mode as runc does.
func checkManageCgroupsMode(mode string) error {
	switch mode {
	case "", "soft", "full", "strict", "ignore":
		return nil
	}
	return fmt.Errorf("invalid --manage-cgroups-mode value %q (want soft, full, strict or ignore)", mode)
}

// criuUnsupported fails command, naming the first missing piece: the CRIU
// binary (--criu), a CRIU that passes `criu check` on this kernel, then
// hull's own support.
func criuUnsupported(ctx *cli.Context, command string) error {
	bin := ctx.GlobalString("criu")
	path, err := exec.LookPath(bin)
	if err != nil {
		return fmt.Errorf("%s: CRIU is needed and %q was not found (install criu, or name it with --criu): %w", command, bin, err)
	}
	out, err := exec.Command(path, "check").CombinedOutput()
	if err != nil {
		why := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(why, '\n'); i >= 0 {
			why = why[i+1:]
		}
		return fmt.Errorf("%s: CRIU (%s) does not work on this kernel: `criu check` failed: %s", command, path, why)
	}
	return errors.New(command + ": not implemented by hull yet (CRIU at " + path + " passes `criu check`)")
}
