package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/specconv"
)

// afterCgroup emits what follows the executor's move into the container's
// cgroup (OpWaitCgroup) in stage 1: the CPU affinity, then the host step
// that moves linux.netDevices into the network namespace (the namespace
// exists by now, and nothing of the container has run yet).
//
// The affinity: without process.execCPUAffinity.final (always, for the
// init: the spec makes execCPUAffinity apply to exec'd processes only)
// the caller's affinity is not inherited: a full mask, which the kernel
// clips to the cgroup's cpuset, as runc does. A runtime started from a
// pinned shim must not pin the container. With only `initial` set, the
// affinity is left as the cgroup move made it, as the spec says.
func (c *compiler) afterCgroup(exec *specs.Process) {
	var aff *specs.CPUAffinity
	if exec != nil {
		aff = exec.ExecCPUAffinity
	}
	switch {
	case aff != nil && aff.Final != "":
		mask, _ := specconv.ParseIDList(aff.Final) // validated by specconv
		c.add("process.execCPUAffinity.final", program.OpCpuAffinity, nil, string(mask))
	case aff != nil && aff.Initial != "":
	default:
		c.add("CPU affinity (reset to the cgroup's cpuset)", program.OpCpuAffinity, nil, string(specconv.FullCPUMask()))
	}
	if exec == nil && len(c.spec.Linux.NetDevices) > 0 {
		c.add("linux.netDevices (moved in by the parent)", program.OpHostStep, []uint64{program.HostStepNetDevices})
	}
}

// initialAffinity emits an exec's execCPUAffinity.initial: the first op,
// so that the executor runs there before it joins the container's cgroup.
func (c *compiler) initialAffinity(p *specs.Process) {
	if p.ExecCPUAffinity == nil || p.ExecCPUAffinity.Initial == "" {
		return
	}
	mask, _ := specconv.ParseIDList(p.ExecCPUAffinity.Initial)
	c.add("process.execCPUAffinity.initial", program.OpCpuAffinity, nil, string(mask))
}

// processTuning emits the scheduler, I/O priority, personality and memory
// policy of a process (init or exec), in runc's order, while the process
// still has its capabilities (a real-time policy needs CAP_SYS_NICE) and
// before any seccomp filter (profiles restrict personality and
// set_mempolicy).
func (c *compiler) processTuning(p *specs.Process) {
	if s := p.Scheduler; s != nil {
		a := specconv.SchedulerAttr(s)
		origin := fmt.Sprintf("process.scheduler (%s)", s.Policy)
		if (s.Policy == specs.SchedFIFO || s.Policy == specs.SchedRR) && !c.hasRealtimeRuntime() {
			// Where the kernel groups real-time time (RT_GROUP_SCHED), a
			// cgroup without real-time runtime refuses these with EPERM.
			origin = fmt.Sprintf("process.scheduler (%s, with no linux.resources.cpu.realtimeRuntime)", s.Policy)
		}
		c.add(origin, program.OpSchedAttr, []uint64{
			a.Policy, a.Flags, uint64(int64(a.Nice)), uint64(a.Priority), a.Runtime, a.Deadline, a.Period,
		})
	}
	if io := p.IOPriority; io != nil {
		c.add(fmt.Sprintf("process.ioPriority (%s %d)", io.Class, io.Priority), program.OpIoprio,
			[]uint64{specconv.IOPriorityValue(io)})
	}
	if pers := c.spec.Linux.Personality; pers != nil {
		c.add(fmt.Sprintf("linux.personality (%s)", pers.Domain), program.OpPersonality,
			[]uint64{specconv.PersonalityValue(pers)})
	}
	if mp := c.spec.Linux.MemoryPolicy; mp != nil {
		m := specconv.MemoryPolicy(mp)
		c.add(fmt.Sprintf("linux.memoryPolicy (%s)", mp.Mode), program.OpMempolicy,
			[]uint64{m.Mode, m.MaxNode()}, string(m.Nodes))
	}
}

func (c *compiler) hasRealtimeRuntime() bool {
	r := c.spec.Linux.Resources
	return r != nil && r.CPU != nil && r.CPU.RealtimeRuntime != nil && *r.CPU.RealtimeRuntime > 0
}
