package libcontainer

import (
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/specconv"
)

// CompileOptions are the inputs of Compile that are not in config.json.
type CompileOptions struct {
	// NoPivot moves the root with MS_MOVE+chroot instead of pivot_root.
	NoPivot bool
	// PreserveFDs keeps N more fds open in the container, after the
	// ListenFDs ones.
	PreserveFDs int
	// ListenFDs keeps fds 3..3+N-1 open in the container as systemd
	// socket-activation fds, announced by LISTEN_FDS=N and LISTEN_PID=1.
	ListenFDs int
	// ExecFifo is the exec fifo (opened O_RDWR) the init waits on; nil
	// means the init execs as soon as it is ready.
	ExecFifo *os.File
	// Console gives the init a new pty as its stdio (process.terminal).
	Console bool
	// CgroupMounts say what a `cgroup` mount shows (from the cgroup
	// manager). Empty: the mount is an empty tmpfs.
	CgroupMounts []cgroups.Mount
	// ID is the container's id; it names the init's new session keyring
	// ("_ses.ID", as runc). Empty: no new session keyring.
	ID string
	// NoNewKeyring keeps the caller's session keyring (--no-new-keyring).
	NoNewKeyring bool
	// HookReport is where a failed startContainer hook is reported to
	// the start command (opened read-write; see Container.Start). Nil: the
	// failure is only on the init's stderr.
	HookReport *os.File
	// RuntimeInUserNS: the runtime runs in a user namespace other than
	// the initial one (moby/sys/userns.RunningInUserNS), so device nodes
	// are bound rather than made.
	RuntimeInUserNS bool
	// HostOpensMountSources: the parent may open the rootfs and the bind
	// sources in the container's mount namespace for the executor
	// (OpMountSources), which it can when it has privileges over that
	// namespace: not rootless.
	HostOpensMountSources bool
}

// compiler accumulates the program of one container.
type compiler struct {
	plan *specconv.Plan
	spec *specs.Spec
	opts CompileOptions
	prog *program.Program
	lsm  lsmHost
	// userRoot is a host path of the container's root, where its
	// /etc/passwd is read (HOME).
	userRoot string
	// init is set when compiling a container's init (create), not exec.
	init bool
	// mountSources is the index of the OpMountSources op, 0 when there
	// is none (it is never the first op).
	mountSources int
}

func (c *compiler) add(origin string, code program.Code, ints []uint64, strs ...string) {
	c.prog.Add(origin, code, ints, strs...)
}

// Compile turns a validated plan into the executor's program (see
// docs/PROGRAM.md). Namespace files it opens travel in the program's Files;
// the caller closes them with Program.Close once the program is sent.
//
// The order, and why:
//
//	stage 1 (host side)  oom-score-adj (needs the host's privileges to
//	                     lower it); setns for namespaces given by path, the
//	                     user namespace first; unshare-user (the parent maps
//	                     ids); one unshare for the other new namespaces;
//	                     timens-offsets (only before anything enters the
//	                     time namespace); wait-cgroup (the parent joins
//	                     the executor to the cgroup meanwhile); unshare
//	                     of a new cgroup namespace (rooted at the cgroup
//	                     the executor is in); fork (pid and time
//	                     namespaces apply to children).
//	stage 2 (the init)   setsid; a new session keyring; umask 0 while building the root; the rootfs
//	                     layout (package rootfs) with the createRuntime and
//	                     createContainer hooks before pivot_root; sysctls,
//	                     host and domain name; console; rlimits; umask;
//	                     chdir; resolve args[0] and mark fds close-on-exec
//	                     (both before seccomp, which old profiles make
//	                     refuse faccessat2 and close_range); scheduler,
//	                     I/O priority, personality, memory policy (with
//	                     the capabilities, before seccomp); seccomp here
//	                     when it needs CAP_SYS_ADMIN (no no_new_privs);
//	                     bounding set, user, capabilities, no_new_privs;
//	                     seccomp here otherwise; ready; wait for start;
//	                     exec. Without a mount namespace the root is a
//	                     detached clone entered by chroot instead of
//	                     pivot_root (before Linux 6.15 built in a private
//	                     mount namespace of the executor's, then detached
//	                     into the runtime's); without process, stage 2 ends at
//	                     ready and the wait.
func Compile(plan *specconv.Plan, opts CompileOptions) (*program.Program, error) {
	c := &compiler{plan: plan, spec: plan.Spec, opts: opts, prog: &program.Program{}, lsm: hostLSM(), userRoot: plan.Rootfs, init: true}
	if err := c.compile(); err != nil {
		c.prog.Close()
		c.prog.CloseHostFiles()
		return nil, err
	}
	return c.prog, nil
}

func (c *compiler) compile() error {
	if err := checkContainerLSM(c.spec, c.lsm); err != nil {
		return err
	}
	// Compile the seccomp filter first: it is the step most likely to fail
	// on a bad profile, before any namespace file is opened.
	filter, err := compileSeccomp(c.spec)
	if err != nil {
		return err
	}
	// Stage 1: the executor as started, still in the host's namespaces.
	if err := c.namespaces(); err != nil {
		return err
	}
	c.add("process (container init)", program.OpFork, nil)
	// Stage 2: the container's init.
	c.add("process (new session)", program.OpSetsid, nil)
	c.sessionKeyring(c.spec.Process)
	// Directories, files and device nodes get exactly the modes the
	// config asks for (runc clears the umask around them too); the
	// process's own umask is set later.
	c.add("root.path (exact modes while building the root)", program.OpUmask, []uint64{0})
	if err := c.rootfs(); err != nil {
		return err
	}
	c.kernelSettings()
	if c.spec.Process == nil {
		c.noProcess()
		return nil
	}
	return c.processSetup(c.spec.Process, filter)
}

// noProcess ends the program of a config without process (allowed at
// create, refused by start): the init reports ready and waits, as root,
// until delete kills it; should the fifo ever be written it exits.
func (c *compiler) noProcess() {
	c.add("ready (no process)", program.OpReady, nil)
	if c.opts.ExecFifo != nil {
		idx := c.prog.AddFile(c.opts.ExecFifo, "exec fifo")
		c.add("exec fifo (no process: start refuses)", program.OpWaitStart, []uint64{idx})
	}
}

// Session keyring permissions as runc sets them: keep what the kernel
// gave, add search for the owner, or for others in a user namespace
// (where the owner is the mapped root, not the process's user).
const (
	keyringKeepPerms  = 0xffffffff
	keyringUserSearch = 0x00080000 // KEY_USR_SEARCH
	keyringOthSearch  = 0x00000008 // KEY_OTH_SEARCH
)

// sessionKeyring gives the init a session keyring of its own, named after
// the container, so that it does not share the caller's keys; an exec'd
// process joins it.
// Keys the process creates, the session keyring first, get its SELinux
// label (process.selinuxLabel), as runc does; the attribute is reset
// afterwards.
func (c *compiler) sessionKeyring(p *specs.Process) {
	if c.opts.NoNewKeyring || c.opts.ID == "" {
		return
	}
	perm := uint64(keyringUserSearch)
	if c.plan.HasNamespace(specs.UserNamespace) {
		perm = keyringOthSearch
	}
	if !c.init {
		// An exec'd process joins the init's keyring, which its owner
		// made searchable already; as runc, it changes nothing there (in
		// a user namespace it is not yet the owner, and would be refused).
		perm = 0
	}
	label := ""
	if p != nil {
		label = p.SelinuxLabel
	}
	if label != "" {
		c.add("process.selinuxLabel (keyring label)", program.OpLsmAttr, nil, "attr/keycreate", label)
	}
	c.add("session keyring (--no-new-keyring keeps the caller's)", program.OpJoinKeyring,
		[]uint64{keyringKeepPerms, perm}, "_ses."+c.opts.ID)
	if label != "" {
		c.add("process.selinuxLabel (keyring label reset)", program.OpLsmAttr, nil, "attr/keycreate", "")
	}
}
