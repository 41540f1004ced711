package libcontainer

import (
	"errors"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/internal/phasetrace"
	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/specconv"
)

// ExecOptions are the choices of `hull exec` beside the process itself.
type ExecOptions struct {
	// ConsoleSocket receives the pty master when process.terminal is true.
	ConsoleSocket string
	// KeepConsole keeps the pty master for the caller (Process.Console).
	KeepConsole bool
	// PidFile, if set, receives the new process's pid.
	PidFile string
	// PreserveFDs passes the caller's fds 3..3+N-1 to the process.
	PreserveFDs int
	// SubCgroups puts the process in existing sub-cgroups of the
	// container's (`exec --cgroup`): a controller, or "" for every
	// hierarchy, to a path below the container's cgroup.
	SubCgroups map[string]string
	// IgnorePaused allows exec into a paused container; the process then
	// waits, frozen, until the container is resumed.
	IgnorePaused bool
	// PidfdSocket, if set, receives a pidfd of the process (SCM_RIGHTS,
	// as runc's --pidfd-socket).
	PidfdSocket string
	// Beside is as CreateOptions.Beside: called once the executor is in
	// the cgroup and Exec waits for it to fork and set up the process.
	// The process execs only once the returned channel is closed (it
	// waits for that after it reported ready).
	Beside func() <-chan struct{}
	// Executor is the executor to use; nil starts a fresh one with
	// Stdin, Stdout and Stderr (nil: /dev/null). Exec always consumes it.
	Executor              *nsenter.Executor
	Stdin, Stdout, Stderr *os.File
}

// Process is a process started in a running container by Exec.
type Process struct {
	// Pid is the process's pid in the caller's pid namespace.
	Pid int
	// console is the pty master kept for the caller.
	console *os.File
}

// Console returns the pty master when Exec kept it, else nil.
func (p *Process) Console() *os.File { return p.console }

// Wait waits for the process to exit and returns its shell-style exit
// code. The caller must be its (sub)reaper, as for Container.Wait.
func (p *Process) Wait() (int, error) { return waitPid(p.Pid) }

// Exec starts process in the running container c: the executor joins the
// init's namespaces and cgroup, forks into its pid namespace and execs.
// It returns once the process has exec'd (or failed to, with the error).
//
// The process never gets inheritable capabilities, whatever the config or
// process says (runc's CVE-2022-29162: a program the exec'd process runs
// could otherwise gain them through file capabilities); without them no
// ambient capability can be raised either, so both sets are cleared.
func (c *Container) Exec(process *specs.Process, opts ExecOptions) (*Process, error) {
	process = withoutInheritableCaps(process)
	cr := &creation{
		opts: CreateOptions{ConsoleSocket: opts.ConsoleSocket, KeepConsole: opts.KeepConsole, PidFile: opts.PidFile, PidfdSocket: opts.PidfdSocket},
		exe:  opts.Executor,
	}
	p, err := cr.exec(c, process, opts)
	if err != nil {
		// No state directory or cgroup of its own: cleanup only kills and
		// reaps what this exec started.
		cr.cleanup()
		return nil, err
	}
	return p, nil
}

func (cr *creation) exec(c *Container, process *specs.Process, opts ExecOptions) (*Process, error) {
	if err := c.refresh(); err != nil {
		return nil, err
	}
	var err error
	if cr.exe == nil {
		if cr.exe, err = startExecutor(opts.PreserveFDs, opts.Stdin, opts.Stdout, opts.Stderr); err != nil {
			return nil, err
		}
	}
	switch st := c.Status(); {
	case st == Paused && !opts.IgnorePaused:
		return nil, c.stateError(fmt.Errorf("cannot exec in a paused container (use --ignore-paused to override)"))
	case st != Running && st != Created && st != Paused:
		return nil, c.stateError(fmt.Errorf("cannot exec in a %s container", st))
	}
	spec, err := c.rec.fullSpec()
	if err != nil {
		return nil, err
	}
	plan := &specconv.Plan{Spec: spec, Bundle: c.rec.Bundle, Rootfs: c.rec.Rootfs}
	var gate *startGate
	if opts.Beside != nil {
		if gate, err = openStartGate(); err != nil {
			return nil, err
		}
		defer gate.close()
	}
	cr.prog, err = CompileExec(plan, process, c.rec.InitPid, CompileOptions{
		PreserveFDs:  opts.PreserveFDs,
		Console:      process != nil && process.Terminal,
		ID:           c.id,
		NoNewKeyring: c.rec.NoNewKeyring,
		ExecFifo:     gate.waitEnd(),
	})
	if err != nil {
		return nil, err
	}
	phasetrace.Mark("exec:compile")
	// The namespace files are open now: if the init is still the one we
	// recorded, they are the container's, even should the init exit next.
	if !processAlive(c.rec.InitPid, c.rec.InitStartTime) {
		cr.prog.Close()
		return nil, c.stateError(ErrNotRunning)
	}
	err = cr.exe.SendProgram(cr.prog)
	cr.prog.Close()
	if err != nil {
		return nil, err
	}
	crashpoint.Here("exec:program")
	// The executor joins the namespaces meanwhile, and waits for
	// MsgCgroupReady before it forks the process. A paused container's
	// cgroup is joined all the same: the executor then stops there until
	// resume (--ignore-paused).
	if err := cgroups.Load(c.rec.CgroupPaths).Join(cr.exe.Pid, opts.SubCgroups); err != nil {
		return nil, fmt.Errorf("add executor to the container's cgroup: %w", err)
	}
	crashpoint.Here("exec:cgroup")
	if err := joinIntelRdt(c.rec, cr.exe.Pid); err != nil {
		return nil, err
	}
	if err := cr.cgroupReady(); err != nil {
		return nil, err
	}
	if gate != nil {
		gate.openWhenClosed(opts.Beside())
	}
	if err := cr.converse(c.rec); err != nil {
		return nil, execPidsError(err, c.rec.CgroupPaths)
	}
	if cr.initPid == 0 {
		return nil, errors.New("executor reported no pid for the process")
	}
	crashpoint.Here("exec:pid")
	cr.reapExecutor()
	// The executor's socket is close-on-exec: EOF means execve succeeded.
	if m, err := cr.exe.ReadMessage(); err == nil && m.Type == program.MsgError {
		return nil, executorError(cr.prog, m)
	} else if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if opts.PidFile != "" {
		if err := writePidFile(opts.PidFile, cr.initPid); err != nil {
			return nil, err
		}
	}
	crashpoint.Here("exec:done")
	if err := cr.sendPidfd("setns"); err != nil {
		return nil, err
	}
	p := &Process{Pid: cr.initPid, console: cr.console}
	cr.console = nil
	cr.exe.Sock.Close()
	return p, nil
}

// withoutInheritableCaps returns a copy of p with empty inheritable and
// ambient capability sets.
func withoutInheritableCaps(p *specs.Process) *specs.Process {
	if p == nil || p.Capabilities == nil {
		return p
	}
	copied := *p
	caps := *p.Capabilities
	caps.Inheritable, caps.Ambient = nil, nil
	copied.Capabilities = &caps
	return &copied
}
