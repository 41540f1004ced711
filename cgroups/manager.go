package cgroups

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// manager drives the cgroupfs of a v1, hybrid or pure v2 host. On a hybrid
// host the v1 hierarchies carry the limits, and the cgroup2 "unified"
// hierarchy is joined too and takes the controllers v1 does not have.
type manager struct {
	pureV2    bool
	cgroups   []*cgroup
	resources *specs.LinuxResources
	rootless  bool
	// explicitPath: the config set linux.cgroupsPath, so rootless skips nothing.
	explicitPath bool
	loadErr      error // from Load, returned by every operation that needs the hierarchies
}

// cgroup is the container's directory in one hierarchy.
type cgroup struct {
	*hierarchy
	dir cgroupDir
	// skipped marks a hierarchy a rootless caller could not create or join;
	// it is left out of Paths and limits that need it fail.
	skipped bool
	// created is the shallowest directory Apply made for this hierarchy
	// (the container's own or an ancestor), "" if all existed.
	created string
}

// release closes the descriptors cached during one call of the Manager
// interface, so that a long-lived manager holds none between calls.
func (m *manager) release() {
	for _, c := range m.cgroups {
		c.dir.release()
	}
}

func (m *manager) joined() []*cgroup {
	var out []*cgroup
	for _, c := range m.cgroups {
		if !c.skipped {
			out = append(out, c)
		}
	}
	return out
}

// v1 returns the container's cgroup in the v1 hierarchy with controller.
func (m *manager) v1(controller string) *cgroup {
	for _, c := range m.cgroups {
		if !c.skipped && !c.v2 && c.has(controller) {
			return c
		}
	}
	return nil
}

// v2 returns the container's cgroup2 cgroup: the only one on a pure v2 host,
// "unified" on a hybrid one.
func (m *manager) v2() *cgroup {
	for _, c := range m.cgroups {
		if !c.skipped && c.v2 {
			return c
		}
	}
	return nil
}

// v2Offers says whether the cgroup2 hierarchy has controller: on a hybrid
// host only the controllers no v1 hierarchy took are listed there.
func (m *manager) v2Offers(controller string) bool {
	c := m.v2()
	if c == nil {
		return false
	}
	list, err := cgroupDir{root: c.dir.root}.read("cgroup.controllers")
	return err == nil && slices.Contains(strings.Fields(list), controller)
}

func isPermission(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EROFS)
}

// maySkip says whether a rootless manager goes on without hierarchy c,
// for which it got err: a permission error with no linux.cgroupsPath, as
// runc. With one, still the cgroup2 hierarchy of a hybrid host when no
// limit needs its controllers: runc's v1 manager never joins it, so a
// cgroup the host delegated in the v1 hierarchies is enough, and moving a
// process in cgroup2 also needs write access to the common ancestor.
func (m *manager) maySkip(c *cgroup, err error) bool {
	if !m.rootless || !isPermission(err) {
		return false
	}
	return !m.explicitPath || c.v2 && !m.pureV2 && !needsControllers(c, m.resources)
}

func (m *manager) Apply(pid int) error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	for _, c := range m.cgroups {
		if err := m.create(c); err != nil {
			if !m.maySkip(c, err) {
				return fmt.Errorf("create cgroup %s: %w", c.dir.path(), err)
			}
			if c.v2 && m.pureV2 && needsControllers(c, m.resources) {
				return fmt.Errorf("create cgroup %s: rootless needs no limits and no linux.cgroupsPath when it may not create cgroups: %w", c.dir.path(), err)
			}
			c.skipped = true
		}
	}
	if m.frozen() {
		return errors.New("join cgroup: container's cgroup unexpectedly frozen (resume it first)")
	}
	// A cgroup with processes belongs to something else: its limits,
	// freezing and kill --all would hit them too (runc refuses it since 1.2).
	// pid itself does not count: the systemd driver has systemd put it in
	// the new unit's cgroup before this runs.
	if c := m.primary(); c != nil {
		var pids []int
		if err := collectPids(c.dir, &pids); err == nil {
			if others := len(slices.DeleteFunc(pids, func(p int) bool { return p == pid })); others != 0 {
				return fmt.Errorf("join cgroup: container's cgroup is not empty: %d process(es) found", others)
			}
		}
	}
	// Limits go in before the process does, so it never runs unlimited and
	// cpuset is populated before the kernel allows joining.
	if m.resources != nil {
		if err := m.set(m.resources); err != nil {
			return err
		}
	}
	skippedAtJoin := false
	for _, c := range m.joined() {
		if err := c.dir.write("cgroup.procs", strconv.Itoa(pid)); err != nil {
			// runc's rootless manager goes on without a v1 hierarchy it
			// cannot join, never without the cgroup2 one of a v2 host.
			if m.maySkip(c, err) && !(c.v2 && m.pureV2) {
				c.unmake()
				c.skipped = true
				skippedAtJoin = true
				continue
			}
			return fmt.Errorf("join cgroup %s: %w", c.dir.path(), err)
		}
	}
	if skippedAtJoin && m.resources != nil {
		// Limits on a cgroup the process is not in would be a lie: set
		// them again without it, which fails those that needed it.
		if err := m.set(m.resources); err != nil {
			return err
		}
	}
	return nil
}

// unmake removes what Apply made in c's hierarchy, the container's cgroup
// and the ancestors it created, when the container then goes on without
// that hierarchy: delete removes only the hierarchies it joined.
func (c *cgroup) unmake() {
	if c.created == "" {
		return
	}
	_ = c.dir.removeAll()
	top := strings.TrimPrefix(c.created, c.dir.root+"/")
	for d := c.dir.parent(); d.rel != "" && strings.HasPrefix(d.rel+"/", top+"/"); d = d.parent() {
		if d.removeEmpty() != nil {
			break
		}
	}
	c.created = ""
}

// needsControllers says whether r sets a limit that needs a cgroup2
// controller the host offers (runc's needAnyControllers: device rules,
// done with BPF, need none).
func needsControllers(c *cgroup, r *specs.LinuxResources) bool {
	if r == nil {
		return false
	}
	list, err := cgroupDir{root: c.dir.root}.read("cgroup.controllers")
	if err != nil {
		return true
	}
	offered := strings.Fields(list)
	have := func(name string) bool { return slices.Contains(offered, name) }
	nonzero := func(v *int64) bool { return v != nil && *v != 0 }
	unonzero := func(v *uint64) bool { return v != nil && *v != 0 }
	if r.Pids != nil && nonzero(r.Pids.Limit) && have("pids") {
		return true
	}
	if mem := r.Memory; mem != nil && (nonzero(mem.Limit) || nonzero(mem.Reservation) || nonzero(mem.Swap)) && have("memory") {
		return true
	}
	if b := r.BlockIO; b != nil && (b.Weight != nil && *b.Weight != 0 || len(b.WeightDevice) > 0 ||
		len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
		len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0) && have("io") {
		return true
	}
	if cpu := r.CPU; cpu != nil {
		if (unonzero(cpu.Shares) || nonzero(cpu.Quota) || unonzero(cpu.Period) || nonzero(cpu.RealtimeRuntime) ||
			unonzero(cpu.RealtimePeriod) || unonzero(cpu.Burst) || nonzero(cpu.Idle)) && have("cpu") {
			return true
		}
		if (cpu.Cpus != "" || cpu.Mems != "") && have("cpuset") {
			return true
		}
	}
	return len(r.HugepageLimits) > 0 && have("hugetlb")
}

func (m *manager) create(c *cgroup) (err error) {
	switch {
	case c.v2:
		want := m.v2Controllers(c)
		parent := c.dir.parent().rel
		c.created, err = c.dir.mkdirAll(func(level cgroupDir) error {
			if m.pureV2 {
				if err := checkCgroupType(level, m.resources); err != nil {
					return err
				}
			}
			if level.rel == parent {
				enableControllers(level, parentControllers(want, m.resources))
			} else {
				enableControllers(level, want)
			}
			return nil
		})
		if err != nil || !m.pureV2 {
			return err
		}
		if err := checkCgroupType(c.dir, m.resources); err != nil {
			return err
		}
		return makeThreaded(c.dir, m.resources)
	case c.has("cpuset"):
		if c.created, err = c.dir.mkdirAll(inheritCpuset); err != nil {
			return err
		}
		return inheritCpuset(c.dir)
	default:
		c.created, err = c.dir.mkdirAll(nil)
		return err
	}
}

// v2Controllers lists the controllers to delegate down to the container's
// cgroup2 cgroup when creating it: all of them on a pure v2 host, as runc
// does. A hybrid host's cgroup2 holds only what v1 left over (hugetlb,
// rdma, misc); there enabling one changes the hierarchy everyone shares,
// so the limits that need one delegate it themselves (delegate).
func (m *manager) v2Controllers(c *cgroup) []string {
	if !m.pureV2 {
		return nil
	}
	list, err := cgroupDir{root: c.dir.root}.read("cgroup.controllers")
	if err != nil {
		return nil
	}
	return strings.Fields(list)
}

// delegate enables controller on the way from the hierarchy root down to
// d, so that d gets its interface files.
func delegate(d cgroupDir, controller string) {
	level := cgroupDir{root: d.root}
	for name := range strings.SplitSeq(d.rel, "/") {
		if name == "" {
			continue
		}
		enableControllers(level, []string{controller})
		level = level.child(name)
	}
}

// enableControllers delegates controllers from level to its children. It is
// best effort, like runc: a cgroup with processes of its own cannot delegate
// (EBUSY), and the limits that needed the controller report the failure.
func enableControllers(level cgroupDir, want []string) {
	if len(want) == 0 {
		return
	}
	var plus []string
	for _, w := range want {
		plus = append(plus, "+"+w)
	}
	if level.write("cgroup.subtree_control", strings.Join(plus, " ")) == nil {
		return
	}
	for _, p := range plus {
		_ = level.write("cgroup.subtree_control", p)
	}
}

// inheritCpuset copies cpuset.cpus and cpuset.mems from the parent into a
// v1 cpuset cgroup: a new one starts empty, and no process may join it then.
func inheritCpuset(d cgroupDir) error {
	if d.rel == "" {
		return nil
	}
	for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
		cur, err := d.read(file)
		if err != nil {
			return err
		}
		if cur != "" {
			continue
		}
		v, err := d.parent().read(file)
		if err != nil {
			return err
		}
		if err := d.write(file, v); err != nil {
			return err
		}
	}
	return nil
}

func (m *manager) Set(r *specs.LinuxResources) error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	if r == nil {
		return nil
	}
	j := &journal{}
	m.journal(j)
	err := m.set(r)
	m.journal(nil)
	if err != nil {
		j.undo()
		return err
	}
	m.resources = r
	return nil
}

// journal starts (j) or stops (nil) recording old values on every
// container directory.
func (m *manager) journal(j *journal) {
	for _, c := range m.cgroups {
		if c.dir.cache != nil {
			c.dir.cache.journal = j
		}
	}
}

func (m *manager) set(r *specs.LinuxResources) error {
	if m.pureV2 {
		return m.setV2(r)
	}
	return m.setV1(r)
}

func (m *manager) Destroy() error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	var errs []error
	for _, c := range m.joined() {
		if err := c.dir.removeAll(); err != nil {
			errs = append(errs, fmt.Errorf("remove cgroup: %w", err))
		}
	}
	return errors.Join(errs...)
}

// primary is the cgroup whose tree lists the container's processes: the
// cgroup2 one on a pure v2 host, else freezer (what pause acts on).
func (m *manager) primary() *cgroup {
	if m.pureV2 {
		return m.v2()
	}
	for _, name := range []string{"freezer", "pids", "memory"} {
		if c := m.v1(name); c != nil {
			return c
		}
	}
	if c := m.v2(); c != nil {
		return c
	}
	if j := m.joined(); len(j) > 0 {
		return j[0]
	}
	return nil
}

func (m *manager) Pids() ([]int, error) {
	defer m.release()
	if m.loadErr != nil {
		return nil, m.loadErr
	}
	c := m.primary()
	if c == nil {
		return nil, errors.New("list cgroup processes: no cgroup hierarchy")
	}
	var pids []int
	if err := collectPids(c.dir, &pids); err != nil {
		return nil, fmt.Errorf("list cgroup processes: %w", err)
	}
	return pids, nil
}

func collectPids(d cgroupDir, pids *[]int) error {
	procs, err := d.read("cgroup.procs")
	if errors.Is(err, unix.EOPNOTSUPP) {
		// A threaded cgroup lists threads only: its processes belong to
		// the thread root.
		procs, err = threadGroups(d)
	}
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	for f := range strings.FieldsSeq(procs) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("read cgroup.procs of %s: bad pid %q", d.path(), f)
		}
		*pids = append(*pids, pid)
	}
	f, err := openBeneath(d.root, d.rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil // removed meanwhile
	}
	entries, _ := f.ReadDir(-1)
	f.Close()
	for _, e := range entries {
		if e.IsDir() {
			if err := collectPids(d.child(e.Name()), pids); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *manager) Paths() map[string]string {
	out := map[string]string{}
	for _, c := range m.joined() {
		out[c.key] = c.dir.path()
	}
	return out
}

func (m *manager) Created() map[string]string {
	out := map[string]string{}
	for _, c := range m.joined() {
		if c.created != "" {
			out[c.key] = c.created
		}
	}
	return out
}

// Mounts lists every hierarchy: a joined one shows the container's
// cgroup; one a rootless caller could not join shows the caller's own
// cgroup, where the container's processes are (runc binds the init's own
// cgroups the same way).
func (m *manager) Mounts() []Mount {
	var out []Mount
	for _, c := range m.cgroups {
		host := c.dir.path()
		if c.skipped {
			own, err := ownCgroup(c.hierarchy)
			if err != nil {
				continue
			}
			host = cgroupDir{root: c.dir.root, rel: strings.TrimPrefix(own, "/")}.path()
		}
		mnt := Mount{Dir: c.key, FsType: "cgroup", Options: c.options(), HostPath: host}
		if c.v2 {
			mnt.FsType = "cgroup2"
		}
		if len(c.controllers) > 1 {
			for _, name := range c.controllers {
				if name != c.key && !strings.HasPrefix(name, "name=") {
					mnt.Links = append(mnt.Links, name)
				}
			}
		}
		out = append(out, mnt)
	}
	return out
}

func (m *manager) Exists() bool {
	defer m.release()
	c := m.primary()
	return m.loadErr == nil && c != nil && c.dir.exists()
}
