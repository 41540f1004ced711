package libcontainer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/containerd/console"
	"github.com/moby/sys/userns"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/libcontainer/intelrdt"
	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/seccomp"
	"github.com/hullrt/hull/specconv"
)

// CreateOptions are the choices of `hull create` that are not in config.json.
type CreateOptions struct {
	// NoPivot moves the root with MS_MOVE+chroot instead of pivot_root
	// (for a rootfs on a ramdisk).
	NoPivot bool
	// NoNewKeyring keeps the caller's session keyring.
	NoNewKeyring bool
	// PreserveFDs passes the caller's fds 3..3+N-1 to the container
	// (after the ListenFDs ones).
	PreserveFDs int
	// ListenFDs passes the caller's first N fds from 3 on to the container
	// as systemd socket-activation fds: its environment gets LISTEN_FDS=N
	// and LISTEN_PID=1 (runc's, when it was started with LISTEN_FDS).
	ListenFDs int
	// ConsoleSocket is the unix socket the pty master is sent to when
	// process.terminal is true.
	ConsoleSocket string
	// KeepConsole keeps the pty master for the caller (Container.Console)
	// instead of sending it to ConsoleSocket: a foreground `run`.
	KeepConsole bool
	// KeepExecutorSocket keeps the executor socket open after create so
	// that Wait can report an exec failure of the init (a foreground `run`).
	KeepExecutorSocket bool
	// PidFile, if set, receives the init's pid (written atomically).
	PidFile string
	// PidfdSocket, if set, is a unix socket that receives a pidfd of the
	// init (SCM_RIGHTS, runc's --pidfd-socket).
	PidfdSocket string
	// Executor is the executor to use; nil starts a fresh one
	// (nsenter.Start) whose stdio, and so the container's, are Stdin,
	// Stdout and Stderr (nil: /dev/null). Create always consumes it.
	Executor              *nsenter.Executor
	Stdin, Stdout, Stderr *os.File
	// Rootless: cgroups the runtime may not create or join are skipped
	// when the config asks for no limits there (--rootless). Whether the
	// runtime itself is unprivileged (uid maps, setgroups) it sees for itself.
	Rootless bool
	// SystemdCgroup selects the systemd cgroup driver.
	SystemdCgroup bool
	// Beside, if set, is called once, when the executor has the program
	// and is in the cgroup and create starts waiting for it to set up
	// the container's process (namespaces, mounts: milliseconds, on
	// another CPU). Work the caller starts there in a goroutine runs
	// during that wait, on the P the waiting goroutine frees (the CLI
	// runs on one), instead of before it. Create waits for the channel
	// it returns to close before anything names the init (state.json,
	// the pid file, the pidfd socket). Not called when create fails
	// earlier.
	Beside func() <-chan struct{}
	// StartTicket writes the start ticket (start_ticket.go) when the
	// container's start needs no Go: for a CLI whose `start` has a C path
	// (package faststart), on a create that a separate start follows.
	StartTicket bool
}

// Create creates the container id under root from plan and leaves its
// init waiting for Start. On any failure nothing is left behind: the init
// is killed, the cgroup and the state directory removed.
//
// A caller that wants to Wait for the init (a foreground run) must have
// made itself a child subreaper (PR_SET_CHILD_SUBREAPER) before calling
// Create: the init is the executor's child, and is reparented on its exit.
func Create(root, id string, plan *specconv.Plan, opts CreateOptions) (*Container, error) {
	cr := &creation{opts: opts, exe: opts.Executor}
	c, err := cr.run(root, id, plan)
	if err != nil {
		cr.cleanup()
		return nil, err
	}
	return c, nil
}

// creation is one create in progress; it remembers everything that must be
// undone if a later step fails.
type creation struct {
	opts      CreateOptions
	exe       *nsenter.Executor
	exeReaped bool
	dir       string
	lock      *dirLock
	mgr       cgroups.Manager
	rdt       *intelrdt.Group
	prog      *program.Program
	// initPid is the container's init (for Exec: the new process).
	initPid      int
	console      *os.File
	keepSock     bool
	wrotePidFile bool
	// spec is the config being created, for error messages.
	spec *specs.Spec
	// pidfd names the init (the exec'd process) from MsgPid on, when
	// PidfdSocket asks for it.
	pidfd int
}

func (cr *creation) run(root, id string, plan *specconv.Plan) (*Container, error) {
	if err := specconv.ValidateID(id); err != nil {
		return nil, err
	}
	if plan == nil || plan.Spec == nil {
		return nil, errors.New("no plan to create from")
	}
	created := time.Now().UTC()
	var err error
	if cr.exe == nil {
		if cr.exe, err = startExecutor(cr.opts.ListenFDs+cr.opts.PreserveFDs, cr.opts.Stdin, cr.opts.Stdout, cr.opts.Stderr); err != nil {
			return nil, err
		}
	}
	spec := plan.Spec
	cr.spec = spec
	cfg := cgroups.Config{ID: id, Systemd: cr.opts.SystemdCgroup, Rootless: cr.opts.Rootless}
	if spec.Linux != nil {
		cfg.Path = spec.Linux.CgroupsPath
		cfg.Resources = resourcesAtJoin(spec.Linux.Resources)
	}
	cfg.Annotations = spec.Annotations
	// cgroups' errors name the field themselves. New makes nothing; the
	// manager is cr's (for cleanup to destroy) only once the directory is
	// ours: the cgroup of an id that exists is another container's.
	mgr, err := cgroups.New(cfg)
	if err != nil {
		return nil, err
	}
	if spec.Linux != nil && spec.Linux.IntelRdt != nil {
		if cr.rdt, err = intelrdt.Find(id, spec.Linux.IntelRdt); err != nil {
			return nil, err
		}
	}
	dir, err := makeContainerDir(root, id)
	if err != nil {
		return nil, err
	}
	cr.dir = dir
	crashpoint.Here("create:dir")
	if cr.lock, err = lockDir(dir, id); err != nil {
		if errors.Is(err, ErrNotExist) {
			return nil, fmt.Errorf("container %q was deleted while being created", id)
		}
		return nil, err
	}
	if err := cr.saveIntent(plan, mgr, created); err != nil {
		return nil, err
	}
	crashpoint.Here("create:intent")
	cr.mgr = mgr
	// The executor runs stage 1 up to OpWaitCgroup while we join it to the
	// cgroup (applyCgroup after SendProgram); it neither forks nor enters
	// a new cgroup namespace before cgroupReady. Rootless, the cgroups
	// Apply could create and join decide what a `cgroup` mount shows
	// (Mounts), which Compile needs: there Apply comes first.
	if cr.opts.Rootless {
		if err := cr.applyCgroup(); err != nil {
			return nil, err
		}
	}
	fifo, err := makeExecFifo(dir)
	if err != nil {
		return nil, err
	}
	var report *os.File
	if spec.Hooks != nil && len(spec.Hooks.StartContainer) > 0 {
		if report, err = makeFifo(dir, hookReportFile); err != nil {
			fifo.Close()
			return nil, err
		}
		defer report.Close()
	}
	cr.prog, err = Compile(plan, CompileOptions{
		HookReport:      report,
		NoPivot:         cr.opts.NoPivot,
		PreserveFDs:     cr.opts.PreserveFDs,
		ListenFDs:       cr.opts.ListenFDs,
		ExecFifo:        fifo,
		Console:         spec.Process != nil && spec.Process.Terminal,
		CgroupMounts:    cr.mgr.Mounts(),
		ID:              id,
		NoNewKeyring:    cr.opts.NoNewKeyring,
		RuntimeInUserNS: userns.RunningInUserNS(),
		// Rootless, the container's root is the caller, and we could
		// not join its mount namespace anyway.
		HostOpensMountSources: !cr.opts.Rootless && os.Geteuid() == 0,
	})
	if err != nil {
		fifo.Close()
		return nil, err
	}
	// The parent's own files serve the exchanges until create returns.
	defer cr.prog.CloseHostFiles()
	err = cr.exe.SendProgram(cr.prog)
	// The executor holds its own copies now (or never will).
	cr.prog.Close()
	if err != nil {
		return nil, err
	}
	crashpoint.Here("create:program")
	if !cr.opts.Rootless {
		if err := cr.applyCgroup(); err != nil {
			return nil, err
		}
	}
	crashpoint.Here("create:cgroup")
	if err := cr.cgroupReady(); err != nil {
		return nil, err
	}
	var besideDone <-chan struct{}
	if cr.opts.Beside != nil {
		besideDone = cr.opts.Beside()
	}
	logrus.Debugf("create %s: sent a program of %d ops to executor %d in cgroup %v",
		id, len(cr.prog.Ops), cr.exe.Pid, cr.mgr.Paths())
	rec := &record{
		ID: id, Bundle: plan.Bundle, Rootfs: plan.Rootfs, Created: created,
		CgroupPaths: cr.mgr.Paths(), CgroupCreated: cr.mgr.Created(), Rootless: cr.opts.Rootless, Spec: spec,
		NoNewKeyring: cr.opts.NoNewKeyring,
	}
	if err := cr.converse(rec); err != nil {
		return nil, err
	}
	crashpoint.Here("create:ready")
	if besideDone != nil {
		<-besideDone
	}
	if cr.initPid == 0 {
		cr.initPid = cr.exe.Pid // no fork: the executor itself becomes the init
	} else {
		cr.reapExecutor()
	}
	st, err := readProcStat(cr.initPid)
	if err != nil {
		return nil, fmt.Errorf("read start time of init %d: %w", cr.initPid, err)
	}
	rec.InitPid, rec.InitStartTime = cr.initPid, st.StartTime
	if err := saveRecord(dir, rec, cr.mgr); err != nil {
		return nil, err
	}
	if cr.opts.StartTicket {
		if err := saveStartTicket(dir, rec); err != nil {
			return nil, err
		}
	}
	crashpoint.Here("create:state")
	// state.json names everything now; a leftover intent is harmless
	// (state.json wins) but untidy.
	if err := os.Remove(filepath.Join(dir, intentFile)); err != nil {
		logrus.Debugf("create %s: remove intent record: %v", id, err)
	}
	logrus.Debugf("create %s: init %d waits for start", id, cr.initPid)
	if cr.opts.PidFile != "" {
		if err := writePidFile(cr.opts.PidFile, cr.initPid); err != nil {
			return nil, err
		}
		cr.wrotePidFile = true
	}
	crashpoint.Here("create:pidfile")
	if err := cr.sendPidfd("standard"); err != nil {
		return nil, err
	}
	// Until now the init would die with us (OpWaitStart watches the
	// socket); from here on it outlives create and waits for start alone.
	// An init already gone is the stopped container's business.
	if err := cr.exe.Reply(program.MsgCreated); err != nil {
		logrus.Debugf("create %s: tell the init create is done: %v", id, err)
	}
	crashpoint.Here("create:done")
	c := &Container{id: id, dir: dir, rec: rec, console: cr.console, cgroupsMadeBy: cr.mgr}
	cr.console = nil
	if cr.opts.KeepExecutorSocket {
		c.exe, c.prog = cr.exe, cr.prog
		cr.keepSock = true
	}
	cr.finish()
	return c, nil
}

// saveIntent records, before anything is made, what this create is about
// to make: the cgroup directories (and ancestors) Apply would create and
// the executor. Whoever finds the directory without state.json and
// without its lock held (delete, list, a later create of the id) knows
// from it what to kill and remove.
func (cr *creation) saveIntent(plan *specconv.Plan, mgr cgroups.Manager, created time.Time) error {
	intent := &record{
		ID: filepath.Base(cr.dir), Bundle: plan.Bundle, Rootfs: plan.Rootfs, Created: created,
		CgroupPaths: mgr.Paths(), CgroupCreated: mgr.WouldCreate(), Rootless: cr.opts.Rootless,
		ExecutorPid: cr.exe.Pid,
	}
	if st, err := readProcStat(cr.exe.Pid); err == nil {
		intent.ExecutorStartTime = st.StartTime
	}
	return saveIntent(cr.dir, intent)
}

// applyCgroup creates the container's cgroup and moves the executor into
// it. On failure cleanup aborts the executor (it waits in OpWaitCgroup at
// the latest) and removes the cgroup.
func (cr *creation) applyCgroup() error {
	if err := cr.mgr.Apply(cr.exe.Pid); err != nil {
		return fmt.Errorf("add executor to cgroup: %w", err)
	}
	if cr.rdt != nil {
		// Its children, the init among them, inherit the group.
		return cr.rdt.Apply(cr.exe.Pid)
	}
	return nil
}

// cgroupReady tells the executor, waiting in OpWaitCgroup (or still
// before it), that it is in the container's cgroup. An executor that has
// already exited (a failed op) is not an error here: converse reads why.
func (cr *creation) cgroupReady() error {
	err := cr.exe.Reply(program.MsgCgroupReady)
	if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) {
		return nil
	}
	return err
}

// converse answers the executor's messages until it reports the init
// ready (waiting on the exec fifo).
func (cr *creation) converse(rec *record) error {
	for {
		m, err := cr.exe.ReadMessage()
		if errors.Is(err, io.EOF) {
			return cr.exitedEarly()
		}
		if err != nil {
			return err
		}
		switch m.Type {
		case program.MsgUsermapReq:
			if err := writeIDMaps(cr.exe.Pid, rec.Spec.Linux, os.Geteuid() != 0); err != nil {
				cr.exe.Reply(program.MsgAbort)
				return err
			}
			if err := cr.exe.Reply(program.MsgAck); err != nil {
				return err
			}
		case program.MsgPid:
			if len(m.Payload) < 4 {
				return errors.New("receive init pid: short message")
			}
			cr.initPid = int(binary.LittleEndian.Uint32(m.Payload))
			if err := cr.openPidfd(); err != nil {
				return err
			}
			if err := cr.lowerPidsLimit(); err != nil {
				return err
			}
		case program.MsgHooks:
			if err := cr.runHookPhase(rec, m); err != nil {
				return err
			}
		case program.MsgHostStep:
			if err := cr.hostStep(rec, m); err != nil {
				cr.exe.Reply(program.MsgAbort)
				return err
			}
			if err := cr.exe.Reply(program.MsgAck); err != nil {
				return err
			}
		case program.MsgMountSources:
			if err := sendMountSources(cr.exe, cr.prog, m); err != nil {
				cr.exe.Reply(program.MsgAbort)
				return err
			}
		case program.MsgConsole:
			if err := cr.takeConsole(m.File); err != nil {
				return err
			}
		case program.MsgSeccompFd:
			if err := cr.sendSeccompFd(rec, m.File); err != nil {
				cr.exe.Reply(program.MsgAbort)
				return err
			}
			if err := cr.exe.Reply(program.MsgAck); err != nil {
				return err
			}
		case program.MsgReady:
			return nil
		case program.MsgError:
			return executorError(cr.prog, m)
		default:
			if m.File != nil {
				m.File.Close()
			}
			return fmt.Errorf("receive from executor: unexpected message type %d", m.Type)
		}
	}
}

// runHookPhase runs the hooks the executor asks for and answers ACK, or
// ABORT when a hook failed.
func (cr *creation) runHookPhase(rec *record, m *nsenter.Message) error {
	if len(m.Payload) < 4 {
		return errors.New("receive hook phase: short message")
	}
	var phases []hookPhase
	switch p := binary.LittleEndian.Uint32(m.Payload); p {
	case program.HooksCreateRuntime:
		phases = []hookPhase{phasePrestart, phaseCreateRuntime}
	case program.HooksCreateContainer:
		phases = []hookPhase{phaseCreateContainer}
	default:
		return fmt.Errorf("receive hook phase: unknown phase %d", p)
	}
	pid := cr.initPid
	if pid == 0 {
		pid = cr.exe.Pid
	}
	if err := runHooks(rec.Spec, rec.hookState(Creating, pid), phases...); err != nil {
		cr.exe.Reply(program.MsgAbort)
		return err
	}
	return cr.exe.Reply(program.MsgAck)
}

// hostStep does the host-side work the executor waits for in OpHostStep.
// The executor (stage 1, before its fork) is the process whose namespaces
// the work is for.
func (cr *creation) hostStep(rec *record, m *nsenter.Message) error {
	if len(m.Payload) < 4 {
		return errors.New("receive host step: short message")
	}
	switch step := binary.LittleEndian.Uint32(m.Payload); step {
	case program.HostStepNetDevices:
		return moveNetDevices(rec.Spec.Linux.NetDevices, cr.exe.Pid)
	case program.HostStepTimensOffsets:
		name := strconv.Itoa(cr.exe.Pid) + "/timens_offsets"
		if err := writeProc(name, []byte(timensOffsetsText(rec.Spec.Linux.TimeOffsets))); err != nil {
			return fmt.Errorf("linux.timeOffsets: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("receive host step: unknown step %d", step)
	}
}

// sendSeccompFd hands the seccomp notify fd of the process being started
// to the agent at linux.seccomp.listenerPath, with the container's state
// (as runc: "creating" during create, the current status for an exec).
func (cr *creation) sendSeccompFd(rec *record, fd *os.File) error {
	if fd == nil {
		return errors.New("receive seccomp notify fd: no file descriptor")
	}
	defer fd.Close()
	spec, err := rec.fullSpec()
	if err != nil {
		return err
	}
	var sc *specs.LinuxSeccomp
	if spec.Linux != nil {
		sc = spec.Linux.Seccomp
	}
	if sc == nil || sc.ListenerPath == "" {
		return errors.New("linux.seccomp.listenerPath: a notify fd came but no listener is set")
	}
	pid := cr.initPid
	if pid == 0 {
		pid = cr.exe.Pid
	}
	state := rec.hookState(Creating, pid)
	if rec.InitPid != 0 {
		// An exec: pid is the new process, the state the container's.
		state = rec.hookState(Running, rec.InitPid)
	}
	f := &seccomp.Filter{ListenerPath: sc.ListenerPath, ListenerMetadata: sc.ListenerMetadata}
	return seccomp.SendNotifyFd(f, pid, state, int(fd.Fd()))
}

// takeConsole sends the pty master to the console socket, or keeps it for
// a foreground run.
func (cr *creation) takeConsole(master *os.File) error {
	if master == nil {
		return errors.New("receive console: no file descriptor")
	}
	switch {
	case cr.opts.ConsoleSocket != "":
		// The pty goes as the kernel made it, translating "\n" to "\r\n"
		// (as runc's): what the engine relays it to is in raw mode and
		// translates nothing. Clearing ONLCR here would also race with a
		// process already writing, so an exec's output would end in
		// "\r\n" or "\n" by chance.
		defer master.Close()
		return sendConsole(cr.opts.ConsoleSocket, master)
	case cr.opts.KeepConsole:
		// As runc's own relay: a fresh pty translates "\n" to "\r\n",
		// and the terminal hull relays it to does it again.
		if err := console.ClearONLCR(master.Fd()); err != nil {
			master.Close()
			return fmt.Errorf("clear ONLCR on the container's pty: %w", err)
		}
		cr.console = master
		return nil
	default:
		master.Close()
		return errors.New("process.terminal: a console needs --console-socket when detached")
	}
}

// exitedEarly explains an executor that hung up before the init was ready.
// The kernel's OOM killer is named as the cause when it struck in the
// container's cgroup: a bare "signal: killed" sends users looking in the
// wrong place.
func (cr *creation) exitedEarly() error {
	msg := "container init exited before it was ready"
	if !cr.exeReaped {
		cr.exeReaped = true
		if st, err := cr.exe.Wait(); err == nil && !st.Success() {
			msg += ": executor " + st.String()
		}
	}
	if cr.mgr != nil && oomKills(cr.mgr.Paths()) > 0 {
		limit := "the memory limit"
		if r := cr.memoryLimit(); r != nil {
			limit = "the limit of " + strconv.FormatInt(*r, 10) + " bytes"
		}
		return fmt.Errorf("linux.resources.memory.limit: container init was OOM-killed under %s before it was ready", limit)
	}
	return errors.New(msg)
}

// memoryLimit is linux.resources.memory.limit of the config being created.
func (cr *creation) memoryLimit() *int64 {
	if cr.spec == nil || cr.spec.Linux == nil || cr.spec.Linux.Resources == nil || cr.spec.Linux.Resources.Memory == nil {
		return nil
	}
	return cr.spec.Linux.Resources.Memory.Limit
}

// reapExecutor collects the executor's stage 1, which exits once it has
// forked the init.
func (cr *creation) reapExecutor() {
	if cr.exeReaped || cr.exe == nil {
		return
	}
	cr.exe.Wait()
	cr.exeReaped = true
}

// finish releases what a successful create no longer needs.
func (cr *creation) finish() {
	if cr.pidfd > 0 {
		unix.Close(cr.pidfd)
		cr.pidfd = 0
	}
	if cr.exe != nil && !cr.keepSock {
		cr.exe.Sock.Close()
	}
	cr.lock.unlock()
}

// cleanup undoes a failed create: abort and kill the executor and init,
// remove the cgroup, the state directory and the pid file.
func (cr *creation) cleanup() {
	if cr.exe != nil {
		cr.exe.Reply(program.MsgAbort)
		cr.exe.Sock.Close()
		if !cr.exeReaped {
			unix.Kill(cr.exe.Pid, unix.SIGKILL)
			cr.reapExecutor()
		}
	}
	if cr.initPid > 0 && cr.initPid != cr.exe.Pid {
		if st, err := readProcStat(cr.initPid); err == nil {
			if signalProcess(cr.initPid, st.StartTime, unix.SIGKILL) == nil {
				waitGone(cr.initPid, st.StartTime, 10*time.Second)
			}
		}
		// When the process was reparented to us (we are its subreaper, as
		// `hull exec` is), it is ours to reap: else a failed exec leaves a
		// zombie that no one in the container will wait for. ECHILD when
		// it went elsewhere.
		reapIfChild(cr.initPid)
	}
	if cr.console != nil {
		cr.console.Close()
	}
	if cr.pidfd > 0 {
		unix.Close(cr.pidfd)
	}
	if cr.mgr != nil {
		cr.mgr.Destroy()
		cgroups.RemoveCreatedParents(cr.mgr, cr.mgr.Created())
	}
	if cr.rdt != nil {
		cr.rdt.Destroy()
	}
	if cr.wrotePidFile {
		os.Remove(cr.opts.PidFile)
	}
	if cr.dir != "" {
		os.RemoveAll(cr.dir)
	}
	cr.lock.unlock()
}

// makeExecFifo creates the exec fifo the init waits on and opens it
// read-write: the init inherits this fd, and a read-write fifo neither
// blocks on open nor sees EOF while Start has not written.
func makeExecFifo(dir string) (*os.File, error) {
	return makeFifo(dir, fifoFile)
}

// makeFifo creates the fifo name in dir (only root may write it) and
// opens it read-write.
func makeFifo(dir, name string) (*os.File, error) {
	path := filepath.Join(dir, name)
	if err := unix.Mkfifo(path, 0o622); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return f, nil
}

// writePidFile writes pid atomically, without a newline, as runc does.
func writePidFile(path string, pid int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("resolve pid file: %w", err)
	}
	return writeFileAtomic(abs, []byte(strconv.Itoa(pid)), 0o644)
}

// startExecutor starts a fresh executor for library callers, with the
// given stdio and the caller's preserved fds.
func startExecutor(preserveFDs int, stdin, stdout, stderr *os.File) (*nsenter.Executor, error) {
	extra := make([]*os.File, preserveFDs)
	for i := range extra {
		extra[i] = os.NewFile(uintptr(3+i), "preserved-fd-"+strconv.Itoa(3+i))
	}
	exe, err := nsenter.Start(stdin, stdout, stderr, extra)
	if err != nil {
		return nil, fmt.Errorf("start executor: %w", err)
	}
	return exe, nil
}
