package libcontainer

import (
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/program"
)

// namespaceFlags maps namespace types to their clone flag and the short
// name of /proc/PID/ns.
var namespaceFlags = map[specs.LinuxNamespaceType]struct {
	flag uint64
	name string
}{
	specs.MountNamespace:   {unix.CLONE_NEWNS, "mnt"},
	specs.UTSNamespace:     {unix.CLONE_NEWUTS, "uts"},
	specs.IPCNamespace:     {unix.CLONE_NEWIPC, "ipc"},
	specs.NetworkNamespace: {unix.CLONE_NEWNET, "net"},
	specs.CgroupNamespace:  {unix.CLONE_NEWCGROUP, "cgroup"},
	specs.PIDNamespace:     {unix.CLONE_NEWPID, "pid"},
	specs.TimeNamespace:    {unix.CLONE_NEWTIME, "time"},
	specs.UserNamespace:    {unix.CLONE_NEWUSER, "user"},
}

// Clock ids of /proc/self/timens_offsets (numbers are accepted by every
// kernel with time namespaces, names only by newer ones).
var timensClockIDs = map[string]int{"monotonic": unix.CLOCK_MONOTONIC, "boottime": unix.CLOCK_BOOTTIME}

// namespaces emits stage 1: OOM score, joining namespaces by path (the
// user namespace first, so that its capabilities apply to the rest), a new
// user namespace, the other new namespaces in one unshare, time offsets;
// then the wait for the cgroup and a new cgroup namespace (rooted at the
// container's cgroup, so only once the executor is in it).
func (c *compiler) namespaces() error {
	c.oomScoreAdj(c.spec.Process)
	nss := c.spec.Linux.Namespaces
	for _, i := range userFirst(nss) {
		if nss[i].Path != "" {
			if err := c.joinNamespace(i, nss[i]); err != nil {
				return err
			}
		}
	}

	var unshare uint64
	var names []string
	cgroupns := -1
	for i, ns := range nss {
		if ns.Path != "" {
			continue
		}
		switch ns.Type {
		case specs.UserNamespace:
			c.add(nsOrigin(i, ns), program.OpUnshareUser, nil)
			continue
		case specs.CgroupNamespace:
			cgroupns = i
			continue
		}
		unshare |= namespaceFlags[ns.Type].flag
		names = append(names, string(ns.Type))
	}
	if unshare != 0 {
		c.add("linux.namespaces ("+strings.Join(names, ", ")+")", program.OpUnshare, []uint64{unshare})
	}
	if offsets := c.spec.Linux.TimeOffsets; len(offsets) > 0 {
		c.add("linux.timeOffsets", program.OpTimensOffsets, nil, timensOffsetsText(offsets))
	}
	c.hostOpenedSources()
	c.waitCgroup()
	c.afterCgroup(nil)
	if cgroupns >= 0 {
		// Its root is the cgroup the executor is in when it unshares.
		c.add(nsOrigin(cgroupns, nss[cgroupns]), program.OpUnshare, []uint64{unix.CLONE_NEWCGROUP})
	}
	return nil
}

// waitCgroup waits until the parent has put the executor in the
// container's cgroup (MsgCgroupReady). The parent does that while the
// executor runs the ops before this one, which must therefore be all that
// may run outside the cgroup: a new cgroup namespace and the fork of the
// container's first process come after it.
func (c *compiler) waitCgroup() {
	c.add("linux.cgroupsPath (wait until the executor is in the cgroup)", program.OpWaitCgroup, nil)
}

func (c *compiler) oomScoreAdj(p *specs.Process) {
	if p == nil {
		return
	}
	if adj := p.OOMScoreAdj; adj != nil {
		c.add("process.oomScoreAdj", program.OpOomScoreAdj, []uint64{uint64(int64(*adj))})
	}
}

// userFirst returns the indexes of nss with the user namespace first:
// joining it first grants the capabilities to join the others.
func userFirst(nss []specs.LinuxNamespace) []int {
	order := make([]int, 0, len(nss))
	for i, ns := range nss {
		if ns.Type == specs.UserNamespace {
			order = append([]int{i}, order...)
		} else {
			order = append(order, i)
		}
	}
	return order
}

func nsOrigin(i int, ns specs.LinuxNamespace) string {
	return fmt.Sprintf("linux.namespaces[%d] (%s)", i, ns.Type)
}

// joinNamespace opens the namespace file here, in the runtime's view of
// the host, and hands the executor the fd.
func (c *compiler) joinNamespace(i int, ns specs.LinuxNamespace) error {
	f, err := openNamespace(ns.Path)
	if err != nil {
		return fmt.Errorf("linux.namespaces[%d].path: %w", i, err)
	}
	nf := namespaceFlags[ns.Type]
	idx := c.prog.AddFile(f, "ns:"+nf.name+" "+ns.Path)
	c.add(nsOrigin(i, ns), program.OpSetns, []uint64{idx, nf.flag})
	return nil
}

func timensOffsetsText(offsets map[string]specs.LinuxTimeOffset) string {
	clocks := make([]string, 0, len(offsets))
	for clock := range offsets {
		clocks = append(clocks, clock)
	}
	slices.Sort(clocks)
	var sb strings.Builder
	for _, clock := range clocks {
		off := offsets[clock]
		fmt.Fprintf(&sb, "%d %d %d\n", timensClockIDs[clock], off.Secs, off.Nanosecs)
	}
	return sb.String()
}
