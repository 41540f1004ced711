package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/containerd/console"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/internal/specjson"
	"github.com/hullrt/hull/libcontainer"
)

var execCommand = cli.Command{
	Name:      "exec",
	Usage:     "run a new process in a running container",
	ArgsUsage: "<container-id> [command [args...]]",
	Flags: []cli.Flag{
		cli.StringFlag{Name: "process, p", Usage: "JSON file of the process (as config.json's process)"},
		cli.StringFlag{Name: "console-socket", Usage: "unix socket to send the pty master to"},
		cli.StringFlag{Name: "pid-file", Usage: "write the process's pid to this file"},
		cli.BoolFlag{Name: "detach, d", Usage: "return once the process has started"},
		cli.BoolFlag{Name: "tty, t", Usage: "give the process a pty"},
		cli.StringFlag{Name: "cwd", Usage: "working directory in the container"},
		cli.StringSliceFlag{Name: "env, e", Usage: "add an environment variable (KEY=VALUE)"},
		cli.StringFlag{Name: "user, u", Usage: "uid[:gid] to run as"},
		// A string slice, not an Int64SliceFlag: urfave/cli copies a
		// single value of a two-named int slice flag onto itself, so
		// `-g 10` would give the groups 10,10 (as it does in runc).
		cli.StringSliceFlag{Name: "additional-gids, g", Usage: "supplementary group ids"},
		cli.StringSliceFlag{Name: "cap, c", Usage: "add a capability"},
		cli.BoolFlag{Name: "no-new-privs", Usage: "set no_new_privs for the process"},
		cli.IntFlag{Name: "preserve-fds", Usage: "pass this many extra fds (3, 4, ...) to the process"},
		cli.StringFlag{Name: "apparmor", Usage: "set the apparmor profile for the process"},
		cli.StringFlag{Name: "process-label", Usage: "set the asm process label for the process commonly used with selinux"},
		cli.StringFlag{Name: "pidfd-socket", Usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the exec process"},
		cli.StringSliceFlag{Name: "cgroup", Usage: "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."},
		cli.BoolFlag{Name: "ignore-paused", Usage: "allow exec in a paused container"},
	},
	SkipArgReorder: true,
	Action:         execAction,
}

// execAction runs exec; once its arguments are there, any failure ends
// with status 255 and "exec failed: ", as with runc (docker and podman
// tell the process's own status from the runtime's failure by it).
func execAction(ctx *cli.Context) error {
	if ctx.NArg() < 1 {
		return checkArgs(ctx, 1)
	}
	// A malformed flag is a usage error (status 1), as urfave/cli's own.
	if _, err := additionalGids(ctx); err != nil {
		return err
	}
	err := execInContainer(ctx)
	var exit *exitError
	if err == nil || errors.As(err, &exit) {
		return err
	}
	return &failedWith{status: 255, err: fmt.Errorf("exec failed: %w", err)}
}

func execInContainer(ctx *cli.Context) error {
	exe, err := takeExecutor()
	if err != nil {
		return err
	}
	handedOver := false
	defer func() {
		if !handedOver {
			releaseExecutor(exe)
		}
	}()
	detach := ctx.Bool("detach")
	c, err := loadContainer(ctx)
	if err != nil {
		return err
	}
	process, err := execProcess(ctx, c.Spec())
	if err != nil {
		return err
	}
	phasetrace.Mark("exec:process")
	opts := libcontainer.ExecOptions{
		Executor: exe, PreserveFDs: ctx.Int("preserve-fds"),
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	}
	if opts.ConsoleSocket, err = absPath(ctx.String("console-socket")); err != nil {
		return err
	}
	if opts.PidFile, err = absPath(ctx.String("pid-file")); err != nil {
		return err
	}
	if opts.PidfdSocket, err = absPath(ctx.String("pidfd-socket")); err != nil {
		return err
	}
	if opts.SubCgroups, err = subCgroupPaths(ctx.StringSlice("cgroup")); err != nil {
		return err
	}
	opts.IgnorePaused = ctx.Bool("ignore-paused")
	switch {
	case process.Terminal && detach && opts.ConsoleSocket == "":
		return errors.New("--tty: cannot allocate a tty when detached without --console-socket")
	case !process.Terminal && opts.ConsoleSocket != "":
		return errors.New("--console-socket: cannot be used without a tty")
	}
	opts.KeepConsole = process.Terminal && opts.ConsoleSocket == ""
	var host console.Console
	if opts.KeepConsole {
		if host, err = callerTerminal(); err != nil {
			return err
		}
	}
	// Detached too: a process that fails to start is then reparented to
	// hull, which reaps it, instead of a zombie the container keeps.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become child subreaper: %w", err)
	}
	// Every signal is caught while the executor sets the process up, and
	// before the process runs (see signalRelay).
	var signals *signalRelay
	if !detach {
		signals = catchAllBeside()
		opts.Beside = signals.beside
	}
	phasetrace.Mark("exec:signals")
	handedOver = true
	p, err := c.Exec(process, opts)
	if err != nil {
		return err
	}
	if detach {
		return nil
	}
	var tty *ttyAttachment
	if master := p.Console(); master != nil {
		if tty, err = attachTerminal(master, host); err != nil {
			unix.Kill(p.Pid, unix.SIGKILL)
			return err
		}
	}
	signals.waitCaught() // done: the process exec'd only after that
	go forwardSignals(signals.ch, tty, func(sig unix.Signal) error { return unix.Kill(p.Pid, sig) })
	// The process runs: hull only relays from here, on the caller's CPUs.
	signals.unpinThreads()
	code, err := p.Wait()
	tty.detach()
	if err != nil {
		return err
	}
	return &exitError{code: code}
}

// execProcess builds the process to exec: the --process file, or the
// container's own process with the command line and flags applied (as runc).
func execProcess(ctx *cli.Context, spec *specs.Spec) (*specs.Process, error) {
	if path := ctx.String("process"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--process: %w", err)
		}
		var p specs.Process
		if err := specjson.UnmarshalProcess(data, &p); err != nil {
			return nil, fmt.Errorf("--process: decode %s: %w", path, err)
		}
		return &p, nil
	}
	if ctx.NArg() < 2 {
		return nil, errors.New("exec: no command given (arguments after the id, or --process)")
	}
	var p specs.Process
	if spec != nil && spec.Process != nil {
		p = *spec.Process
		if caps := spec.Process.Capabilities; caps != nil {
			copied := *caps
			p.Capabilities = &copied
		}
	}
	p.Args = ctx.Args().Tail()
	p.Terminal = ctx.Bool("tty")
	p.Env = append(append([]string(nil), p.Env...), ctx.StringSlice("env")...)
	if cwd := ctx.String("cwd"); cwd != "" {
		p.Cwd = cwd
	}
	if u := ctx.String("user"); u != "" {
		user, err := parseUser(u)
		if err != nil {
			return nil, err
		}
		p.User = user
	}
	gids, err := additionalGids(ctx)
	if err != nil {
		return nil, err
	}
	p.User.AdditionalGids = append(append([]uint32(nil), p.User.AdditionalGids...), gids...)
	if caps := ctx.StringSlice("cap"); len(caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		c := p.Capabilities
		c.Bounding = append(append([]string(nil), c.Bounding...), caps...)
		c.Effective = append(append([]string(nil), c.Effective...), caps...)
		c.Permitted = append(append([]string(nil), c.Permitted...), caps...)
	}
	if ctx.Bool("no-new-privs") {
		p.NoNewPrivileges = true
	}
	if profile := ctx.String("apparmor"); profile != "" {
		p.ApparmorProfile = profile
	}
	if label := ctx.String("process-label"); label != "" {
		p.SelinuxLabel = label
	}
	return &p, nil
}

// additionalGids parses --additional-gids.
func additionalGids(ctx *cli.Context) ([]uint32, error) {
	var gids []uint32
	for _, text := range ctx.StringSlice("additional-gids") {
		g, err := strconv.ParseUint(text, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--additional-gids: %q is not a group id", text)
		}
		gids = append(gids, uint32(g))
	}
	return gids, nil
}

// parseUser parses --user uid[:gid] (numeric, as runc without a passwd lookup).
func parseUser(s string) (specs.User, error) {
	uidText, gidText, hasGid := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(uidText, 10, 32)
	if err != nil {
		return specs.User{}, fmt.Errorf("--user: uid %q is not a number", uidText)
	}
	u := specs.User{UID: uint32(uid)}
	if hasGid {
		gid, err := strconv.ParseUint(gidText, 10, 32)
		if err != nil {
			return specs.User{}, fmt.Errorf("--user: gid %q is not a number", gidText)
		}
		u.GID = uint32(gid)
	}
	return u, nil
}

// subCgroupPaths parses --cgroup arguments as runc does: one PATH (every
// hierarchy; the only form cgroup v2 takes), or CONTROLLER[,CONTROLLER]:PATH
// any number of times.
func subCgroupPaths(args []string) (map[string]string, error) {
	if len(args) == 0 {
		return nil, nil
	}
	paths := make(map[string]string, len(args))
	for _, arg := range args {
		ctrls, p, ok := strings.Cut(arg, ":")
		if !ok {
			if len(args) != 1 {
				return nil, fmt.Errorf("invalid --cgroup argument: %s (missing <controller>: prefix)", arg)
			}
			paths[""] = arg
			continue
		}
		for ctrl := range strings.SplitSeq(ctrls, ",") {
			if ctrl == "" {
				return nil, fmt.Errorf("invalid --cgroup argument: %s (empty <controller> prefix)", arg)
			}
			if _, dup := paths[ctrl]; dup {
				return nil, fmt.Errorf("invalid --cgroup argument(s): controller %s specified multiple times", ctrl)
			}
			paths[ctrl] = p
		}
	}
	return paths, nil
}
