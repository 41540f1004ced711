package libcontainer

import (
	"fmt"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/specconv"
)

// CompileExec compiles the program of `hull exec`: join every namespace
// of the running container through its init (pid initPid), fork into its
// pid namespace, then set up process (from --process or the exec flags)
// as the init's was: console, rlimits, cwd, the container's seccomp
// filter, capabilities, user, execve. opts.ExecFifo, if set, is the
// process's start gate (startGate): once ready, it waits to read a byte
// from it before it execs; without it, an exec starts at once. Before
// the fork the executor waits for MsgCgroupReady: the parent sends it
// once it has put the executor in the container's cgroup. The parent should check that initPid is still the container's
// init (start time) after Compile opened its namespaces.
func CompileExec(plan *specconv.Plan, process *specs.Process, initPid int, opts CompileOptions) (*program.Program, error) {
	if err := specconv.ValidateProcess(process); err != nil {
		return nil, err
	}
	process = inheritTuning(process, plan.Spec.Process)
	process = inheritLabels(process, plan.Spec.Process)
	c := &compiler{plan: plan, spec: plan.Spec, opts: opts, prog: &program.Program{}, lsm: lsmFor(process),
		userRoot: "/proc/" + strconv.Itoa(initPid) + "/root"}
	if err := checkProcessLSM(process, c.lsm); err != nil {
		return nil, err
	}
	if err := c.compileExec(process, initPid); err != nil {
		c.prog.Close()
		return nil, err
	}
	return c.prog, nil
}

func (c *compiler) compileExec(process *specs.Process, initPid int) error {
	filter, err := compileSeccomp(c.spec)
	if err != nil {
		return err
	}
	c.initialAffinity(process)
	c.oomScoreAdj(process)
	if err := c.joinInitNamespaces(initPid); err != nil {
		return err
	}
	c.waitCgroup()
	c.afterCgroup(process)
	c.add("process (in the container's pid namespace)", program.OpFork, nil)
	c.add("process (new session)", program.OpSetsid, nil)
	// Joins the init's keyring by name (its permissions let us search it).
	c.sessionKeyring(process)
	if !c.plan.HasNamespace(specs.MountNamespace) {
		if err := c.joinInitRoot(initPid); err != nil {
			return err
		}
	}
	return c.processSetup(process, filter)
}

// joinInitRoot enters the root of a container that has no mount
// namespace (a chroot, which setns cannot join) through its init.
func (c *compiler) joinInitRoot(initPid int) error {
	path := "/proc/" + strconv.Itoa(initPid) + "/root"
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("open root of container init %d: %w", initPid, err)
	}
	idx := c.prog.AddFile(f, "root "+path)
	c.add(fmt.Sprintf("root.path (root of init %d, no mount namespace)", initPid), program.OpChroot, []uint64{idx})
	return nil
}

// joinInitNamespaces joins the namespaces of the container's init, in
// joinOrder.
func (c *compiler) joinInitNamespaces(initPid int) error {
	nss := c.spec.Linux.Namespaces
	files := make([]*os.File, len(nss))
	paths := make([]string, len(nss))
	for i, ns := range nss {
		paths[i] = "/proc/" + strconv.Itoa(initPid) + "/ns/" + namespaceFlags[ns.Type].name
		f, err := os.OpenFile(paths[i], os.O_RDONLY, 0)
		if err != nil {
			closeFiles(files)
			return fmt.Errorf("join namespace of container init %d: %w", initPid, err)
		}
		files[i] = f
	}
	for _, i := range joinOrder(nss, files) {
		ns := nss[i]
		nf := namespaceFlags[ns.Type]
		idx := c.prog.AddFile(files[i], "ns:"+nf.name+" "+paths[i])
		c.add(fmt.Sprintf("linux.namespaces[%d] (%s of init %d)", i, ns.Type, initPid),
			program.OpSetns, []uint64{idx, nf.flag})
	}
	return nil
}

// inheritTuning gives an exec'd process the container's scheduler, I/O
// priority and execCPUAffinity where its own process leaves them unset,
// as runc does (a --process file overrides them one by one).
func inheritTuning(p, container *specs.Process) *specs.Process {
	if container == nil {
		return p
	}
	merged := *p
	if merged.Scheduler == nil {
		merged.Scheduler = container.Scheduler
	}
	if merged.IOPriority == nil {
		merged.IOPriority = container.IOPriority
	}
	if merged.ExecCPUAffinity == nil {
		merged.ExecCPUAffinity = container.ExecCPUAffinity
	}
	return &merged
}
