package libcontainer

import (
	"fmt"
	"os"
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
	if err := c.joinNamespaces(nss); err != nil {
		return err
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
		// The parent writes them, as runc's does: in a new user
		// namespace the executor may not open its own timens_offsets (a
		// /proc file of a non-dumpable process belongs to the host's
		// root), and the parent has CAP_SYS_TIME over the namespace. A
		// rootless parent may only open it while the executor is
		// dumpable. (Offsets are refused for a joined time namespace.)
		dumpable := uint64(0)
		if !c.opts.HostOpensMountSources && c.plan.HasNamespace(specs.UserNamespace) {
			dumpable = 1
		}
		c.add("linux.timeOffsets (written by the runtime)", program.OpHostStep,
			[]uint64{program.HostStepTimensOffsets, dumpable})
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

func nsOrigin(i int, ns specs.LinuxNamespace) string {
	return fmt.Sprintf("linux.namespaces[%d] (%s)", i, ns.Type)
}

// joinNamespaces joins the namespaces given by path. Their files are
// opened here, in the runtime's view of the host, and the executor gets
// the fds, in joinOrder.
func (c *compiler) joinNamespaces(nss []specs.LinuxNamespace) error {
	files := make([]*os.File, len(nss))
	for i, ns := range nss {
		if ns.Path == "" {
			continue
		}
		f, err := openNamespace(ns.Path)
		if err != nil {
			closeFiles(files)
			return fmt.Errorf("linux.namespaces[%d].path: %w", i, err)
		}
		files[i] = f
		if ns.Type == specs.UserNamespace {
			if err := checkJoinedMappings(c.spec.Linux, f); err != nil {
				closeFiles(files)
				return err
			}
		}
	}
	for _, i := range joinOrder(nss, files) {
		ns := nss[i]
		nf := namespaceFlags[ns.Type]
		idx := c.prog.AddFile(files[i], "ns:"+nf.name+" "+ns.Path)
		c.add(nsOrigin(i, ns), program.OpSetns, []uint64{idx, nf.flag})
	}
	return nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}

// joinOrder returns the indexes of the namespaces to join (files[i] not
// nil) in the order to join them. A joined user namespace comes before
// the namespaces it owns (its capabilities let a rootless runtime join
// them), but after those it does not own: once in it, the executor has no
// privileges over namespaces of another owner (the host's network
// namespace, say), which it can join with the runtime's privileges
// before (runc issue 4390).
func joinOrder(nss []specs.LinuxNamespace, files []*os.File) []int {
	user := -1
	for i, ns := range nss {
		if files[i] != nil && ns.Type == specs.UserNamespace {
			user = i
		}
	}
	var before, after []int
	for i, f := range files {
		switch {
		case f == nil || i == user:
		case user >= 0 && ownedBy(f, files[user]):
			after = append(after, i)
		default:
			before = append(before, i)
		}
	}
	if user < 0 {
		return before
	}
	return append(append(before, user), after...)
}

// ownedBy reports whether the namespace of file ns is owned by the user
// namespace of file userns (NS_GET_USERNS). When the owner cannot be
// told, it is taken as another: the runtime joins the namespace with its
// own privileges, as it did before user namespaces were involved.
func ownedBy(ns, userns *os.File) bool {
	owner, err := unix.IoctlRetInt(int(ns.Fd()), unix.NS_GET_USERNS)
	if err != nil {
		return false
	}
	defer unix.Close(owner)
	var a, b unix.Stat_t
	if unix.Fstat(owner, &a) != nil || unix.Fstat(int(userns.Fd()), &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
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
