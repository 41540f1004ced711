package cgroups

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// These tests create real cgroups under a parent unique to the test, check
// what the kernel reads back, and remove the parent in every hierarchy.

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: creating cgroups needs root")
	}
}

func ptr[T any](v T) *T { return &v }

// testManager returns a manager for <unique parent>/ctr and removes the
// parent, with anything under it, when the test ends.
func testManager(t *testing.T, r *specs.LinuxResources) *manager {
	t.Helper()
	requireRoot(t)
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	parent := fmt.Sprintf("/hull-test-%d-%s", os.Getpid(), name)
	pm, err := New(Config{Path: parent, ID: "parent"})
	if err != nil {
		t.Fatalf("New(parent): %v", err)
	}
	t.Cleanup(func() {
		if err := pm.Destroy(); err != nil {
			t.Errorf("remove test parent: %v", err)
		}
		for _, p := range pm.Paths() {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("test parent %s still there (stat: %v)", p, err)
			}
		}
	})
	m, err := New(Config{Path: parent + "/ctr", ID: "ctr", Resources: r})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m.(*manager)
}

// startSleep starts a process to put in a cgroup; it is thawed, killed and
// reaped before the cgroups are removed.
func startSleep(t *testing.T, m *manager) int {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() {
		_ = m.Thaw()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd.Process.Pid
}

func requireController(t *testing.T, m *manager, name string) {
	t.Helper()
	if m.pureV2 || m.v1(name) == nil {
		if !m.v2Offers(name) {
			t.Skipf("skipping: no %s cgroup controller on this host", name)
		}
	}
}

func readFile(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	return strings.TrimSpace(string(b))
}

func expectFile(t *testing.T, dir, file, want string) {
	t.Helper()
	if got := readFile(t, dir, file); got != want {
		t.Errorf("%s/%s = %q, want %q", dir, file, got, want)
	}
}

// dirOf is the container's directory that holds controller's files.
func dirOf(t *testing.T, m *manager, controller string) string {
	t.Helper()
	if c := m.v1(controller); c != nil && !m.pureV2 {
		return c.dir.path()
	}
	return m.v2().dir.path()
}

func TestApplyLimitsAndJoin(t *testing.T) {
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr(int64(64 << 20))},
		Pids:   &specs.LinuxPids{Limit: ptr(int64(42))},
		CPU:    &specs.LinuxCPU{Shares: ptr(uint64(512)), Quota: ptr(int64(50000)), Period: ptr(uint64(100000))},
	}
	m := testManager(t, r)
	requireController(t, m, "memory")
	requireController(t, m, "pids")
	requireController(t, m, "cpu")
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !m.Exists() {
		t.Fatal("Exists() = false after Apply")
	}
	if m.pureV2 {
		d := dirOf(t, m, "memory")
		expectFile(t, d, "memory.max", strconv.Itoa(64<<20))
		expectFile(t, d, "pids.max", "42")
		expectFile(t, d, "cpu.weight", strconv.FormatUint(cpuSharesToWeight(512), 10))
		expectFile(t, d, "cpu.max", "50000 100000")
	} else {
		expectFile(t, dirOf(t, m, "memory"), "memory.limit_in_bytes", strconv.Itoa(64<<20))
		expectFile(t, dirOf(t, m, "pids"), "pids.max", "42")
		expectFile(t, dirOf(t, m, "cpu"), "cpu.shares", "512")
		expectFile(t, dirOf(t, m, "cpu"), "cpu.cfs_quota_us", "50000")
		expectFile(t, dirOf(t, m, "cpu"), "cpu.cfs_period_us", "100000")
	}
	for key, p := range m.Paths() {
		procs := strings.Fields(readFile(t, p, "cgroup.procs"))
		if !slices.Contains(procs, strconv.Itoa(pid)) {
			t.Errorf("hierarchy %q: pid %d not in %s/cgroup.procs (%v)", key, pid, p, procs)
		}
	}
	pids, err := m.Pids()
	if err != nil || !slices.Contains(pids, pid) {
		t.Errorf("Pids() = %v, %v; want it to contain %d", pids, err, pid)
	}
}

func TestPidsRecursive(t *testing.T) {
	m := testManager(t, nil)
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	// The container may make cgroups of its own; its processes there count.
	c := m.primary()
	sub := c.dir.child("sub")
	if _, err := sub.mkdirAll(nil); err != nil {
		t.Fatalf("mkdir sub: %v", err)
	}
	if c.has("cpuset") {
		if err := inheritCpuset(sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := sub.write("cgroup.procs", strconv.Itoa(pid)); err != nil {
		t.Fatalf("join sub: %v", err)
	}
	pids, err := m.Pids()
	if err != nil || !slices.Contains(pids, pid) {
		t.Fatalf("Pids() = %v, %v; want it to contain %d from a child cgroup", pids, err, pid)
	}
}

// killAndReap ends a process started by startSleep before the test ends,
// so that its cgroups can go.
func killAndReap(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
}

func TestCpuset(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0", Mems: "0"}})
	requireController(t, m, "cpuset")
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	expectFile(t, dirOf(t, m, "cpuset"), "cpuset.cpus", "0")
	expectFile(t, dirOf(t, m, "cpuset"), "cpuset.mems", "0")
}

func TestCpusetInheritedWhenUnset(t *testing.T) {
	m := testManager(t, nil)
	if m.pureV2 {
		t.Skip("skipping: cgroup v2 cpusets inherit without help")
	}
	requireController(t, m, "cpuset")
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply without cpuset values: %v", err)
	}
	root := m.v1("cpuset").mountpoint
	expectFile(t, dirOf(t, m, "cpuset"), "cpuset.cpus", readFile(t, root, "cpuset.cpus"))
}

func TestBlkioWeight(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr(uint16(500))}})
	if m.pureV2 {
		requireController(t, m, "io")
	} else {
		requireController(t, m, "blkio")
	}
	if err := m.create(m.primaryFor("blkio", "io")); err != nil {
		t.Fatal(err)
	}
	d := m.primaryFor("blkio", "io").dir
	var file, want string
	switch {
	case d.has("io.bfq.weight"):
		file, want = "io.bfq.weight", "default 500"
	case d.has("io.weight"):
		file, want = "io.weight", "default "+strconv.FormatUint(blkioWeightToIOWeight(500), 10)
	case d.has("blkio.weight"):
		file, want = "blkio.weight", "500"
	case d.has("blkio.bfq.weight"):
		file, want = "blkio.bfq.weight", "500"
	default:
		t.Skip("skipping: no blkio/io weight file (BFQ scheduler not in use)")
	}
	if err := m.Apply(startSleep(t, m)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	expectFile(t, d.path(), file, want)
}

// primaryFor is the container's cgroup with the v1 controller, or the
// cgroup2 one when the v1 controller is missing.
func (m *manager) primaryFor(v1, v2 string) *cgroup {
	if c := m.v1(v1); c != nil && !m.pureV2 {
		return c
	}
	return m.v2()
}

func TestFreezeThaw(t *testing.T) {
	m := testManager(t, nil)
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	checkFrozen(t, m, true)
	if err := m.Apply(pid); err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Errorf("Apply into a frozen cgroup: error = %v, want one saying it is frozen", err)
	}
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	checkFrozen(t, m, false)
	// The process runs again: it can take a signal and exit.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

func checkFrozen(t *testing.T, m *manager, frozen bool) {
	t.Helper()
	if c := m.freezerV1(); c != nil {
		want := map[bool]string{true: "FROZEN", false: "THAWED"}[frozen]
		expectFile(t, c.dir.path(), "freezer.state", want)
		return
	}
	want := map[bool]string{true: "frozen 1", false: "frozen 0"}[frozen]
	if ev := readFile(t, m.v2().dir.path(), "cgroup.events"); !strings.Contains(ev, want) {
		t.Errorf("cgroup.events = %q, want a line %q", ev, want)
	}
}

func TestDestroyLeavesNothing(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(10))}})
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	killAndReap(t, pid)
	// A cgroup the container made for itself goes too.
	if _, err := m.primary().dir.child("nested").mkdirAll(nil); err != nil {
		t.Fatal(err)
	}
	paths := m.Paths()
	loaded := Load(paths)
	if err := loaded.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	for key, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("hierarchy %q: %s still there after Destroy", key, p)
		}
	}
	if loaded.Exists() {
		t.Error("Exists() = true after Destroy")
	}
	if err := loaded.Destroy(); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
}

func TestLoadKeepsPaths(t *testing.T) {
	m := testManager(t, nil)
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	loaded := Load(m.Paths())
	if got, want := loaded.Paths(), m.Paths(); !maps.Equal(got, want) {
		t.Fatalf("Load(Paths()).Paths() = %v, want %v", got, want)
	}
	pids, err := loaded.Pids()
	if err != nil || !slices.Contains(pids, pid) {
		t.Fatalf("loaded Pids() = %v, %v", pids, err)
	}
	if err := loaded.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(7))}}); err != nil {
		t.Fatalf("loaded Set: %v", err)
	}
	expectFile(t, dirOf(t, m, "pids"), "pids.max", "7")
}

// LoadFrom, in the process whose manager made the paths, rebuilds the
// manager Load would: the same paths, processes, limits and removal.
func TestLoadFromIsLoad(t *testing.T) {
	m := testManager(t, nil)
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	paths := m.Paths()
	from := LoadFrom(m, paths).(*manager)
	loaded := Load(paths).(*manager)
	if got, want := from.Paths(), loaded.Paths(); !maps.Equal(got, want) {
		t.Fatalf("LoadFrom(m, Paths()).Paths() = %v, Load's %v", got, want)
	}
	if from.pureV2 != loaded.pureV2 || len(from.cgroups) != len(loaded.cgroups) {
		t.Fatalf("LoadFrom: pureV2 %v, %d cgroups; Load: %v, %d", from.pureV2, len(from.cgroups), loaded.pureV2, len(loaded.cgroups))
	}
	for i, c := range from.cgroups {
		l := loaded.cgroups[i]
		if c.key != l.key || c.mountpoint != l.mountpoint || c.dir.root != l.dir.root || c.dir.rel != l.dir.rel {
			t.Fatalf("cgroup %d: LoadFrom %s %s/%s, Load %s %s/%s", i, c.key, c.dir.root, c.dir.rel, l.key, l.dir.root, l.dir.rel)
		}
	}
	// Paths outside a hierarchy are dropped, as Load drops them.
	odd := maps.Clone(paths)
	for k := range odd {
		odd[k] = "/elsewhere/" + k
		break
	}
	if got, want := LoadFrom(m, odd).Paths(), Load(odd).Paths(); !maps.Equal(got, want) {
		t.Fatalf("LoadFrom of a path outside its hierarchy: %v, Load's %v", got, want)
	}
	pids, err := from.Pids()
	if err != nil || !slices.Contains(pids, pid) {
		t.Fatalf("LoadFrom Pids() = %v, %v", pids, err)
	}
	killAndReap(t, pid)
	if err := from.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if loaded.Exists() {
		t.Error("Exists() = true after the LoadFrom manager's Destroy")
	}
}

func TestSetMemoryAndSwapBothWays(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(64 << 20)), Swap: ptr(int64(128 << 20))}})
	requireController(t, m, "memory")
	d := dirOf(t, m, "memory")
	swapFile := "memory.memsw.limit_in_bytes"
	if m.pureV2 {
		swapFile = "memory.swap.max"
	}
	if _, err := os.Stat(filepath.Join(m.primaryFor("memory", "memory").mountpoint, swapFile)); err != nil && !m.pureV2 {
		t.Skipf("skipping: no %s (swap accounting off)", swapFile)
	}
	if err := m.Apply(startSleep(t, m)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	// Growing needs swap first, shrinking needs the limit first on v1.
	for _, mem := range [][2]int64{{256 << 20, 512 << 20}, {32 << 20, 48 << 20}} {
		err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(mem[0]), Swap: ptr(mem[1])}})
		if err != nil {
			t.Fatalf("Set(limit %d, swap %d): %v", mem[0], mem[1], err)
		}
		if m.pureV2 {
			expectFile(t, d, "memory.max", strconv.FormatInt(mem[0], 10))
			if _, err := os.Stat(filepath.Join(d, swapFile)); err == nil {
				expectFile(t, d, swapFile, strconv.FormatInt(mem[1]-mem[0], 10))
			}
		} else {
			expectFile(t, d, "memory.limit_in_bytes", strconv.FormatInt(mem[0], 10))
			expectFile(t, d, swapFile, strconv.FormatInt(mem[1], 10))
		}
	}
}

func TestErrorsNameTheField(t *testing.T) {
	m := testManager(t, nil)
	requireController(t, m, "memory")
	if err := m.Apply(startSleep(t, m)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	var warnings []string
	defer func(w func(string)) { Warn = w }(Warn)
	Warn = func(msg string) { warnings = append(warnings, msg) }
	err := m.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr(uint64(200))}})
	if m.pureV2 {
		if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "linux.resources.memory.swappiness: ignored") {
			t.Errorf("warnings = %q, want one about linux.resources.memory.swappiness", warnings)
		}
		err = m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(5))}, Unified: map[string]string{"pids.max": "bogus"}})
		want := `linux.resources.unified["pids.max"]: write pids.max: invalid argument`
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v, want %q", err, want)
		}
		return
	}
	if err == nil || !strings.HasPrefix(err.Error(), "linux.resources.memory.swappiness: ") {
		t.Fatalf("error = %v, want it to name linux.resources.memory.swappiness", err)
	}
	err = m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(5))}, Memory: &specs.LinuxMemory{Limit: ptr(int64(-5))}})
	want := "linux.resources.memory.limit: write memory.limit_in_bytes: invalid argument"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestHugetlb(t *testing.T) {
	sizes, _ := filepath.Glob("/sys/kernel/mm/hugepages/hugepages-*kB")
	if len(sizes) == 0 {
		t.Skip("skipping: the kernel has no huge pages")
	}
	m := testManager(t, &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}})
	requireController(t, m, "hugetlb")
	if err := m.Apply(startSleep(t, m)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	dir, file := "", "hugetlb.2MB.max"
	if c := m.v1("hugetlb"); c != nil && !m.pureV2 {
		dir, file = c.dir.path(), "hugetlb.2MB.limit_in_bytes"
	} else {
		dir = m.v2().dir.path()
	}
	expectFile(t, dir, file, strconv.Itoa(4<<20))
	if err := m.Set(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 8 << 20}}}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	expectFile(t, dir, file, strconv.Itoa(8<<20))
}

func TestNetworkWithoutHierarchy(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr(uint32(0x100001))}})
	if !m.pureV2 && m.v1("net_cls") != nil {
		if err := m.Apply(startSleep(t, m)); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		expectFile(t, m.v1("net_cls").dir.path(), "net_cls.classid", strconv.Itoa(0x100001))
		return
	}
	err := m.Apply(startSleep(t, m))
	if err == nil || !strings.HasPrefix(err.Error(), "linux.resources.network") {
		t.Fatalf("Apply error = %v, want one naming linux.resources.network", err)
	}
}

func TestDevices(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(3)), Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr(int64(136)), Access: "rw"},
	}})
	if m.pureV2 {
		if err := m.Apply(startSleep(t, m)); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		out := runInCgroup(t, m.v2().dir, "true </dev/null && echo null-ok; true </dev/zero && echo zero-ok")
		if !strings.Contains(out, "null-ok") || strings.Contains(out, "zero-ok") {
			t.Fatalf("want /dev/null allowed and /dev/zero denied; output:\n%s", out)
		}
		return
	}
	requireController(t, m, "devices")
	if err := m.Apply(startSleep(t, m)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	d := m.v1("devices").dir.path()
	expectFile(t, d, "devices.list", "c 1:3 rwm\nc 136:* rw")
	// Updates change only what differs, and can open everything up and
	// close it again.
	for _, step := range []struct {
		rules []specs.LinuxDeviceCgroup
		list  string
	}{
		{[]specs.LinuxDeviceCgroup{denyAll, dev(true, "c", 1, 3, "r"), dev(true, "c", 1, 5, "rwm")}, "c 1:3 r\nc 1:5 rwm"},
		{[]specs.LinuxDeviceCgroup{denyAll, dev(true, "a", -1, -1, "rwm")}, "a *:* rwm"},
		{[]specs.LinuxDeviceCgroup{denyAll, dev(true, "c", 1, 3, "rwm")}, "c 1:3 rwm"},
	} {
		if err := m.Set(&specs.LinuxResources{Devices: step.rules}); err != nil {
			t.Fatalf("Set(%v): %v", step.rules, err)
		}
		expectFile(t, d, "devices.list", step.list)
	}
}

// Without systemd as PID 1 the driver says so, as a missing host feature.
func TestSystemdWithoutSystemdIsUnsupported(t *testing.T) {
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("systemd runs here")
	}
	if _, err := New(Config{ID: "x", Systemd: true}); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("New(Systemd) error = %v, want errors.ErrUnsupported", err)
	}
}

func TestKernelMemoryIgnoredWithWarning(t *testing.T) {
	m := testManager(t, &specs.LinuxResources{Memory: &specs.LinuxMemory{Kernel: ptr(int64(64 << 20))}})
	requireController(t, m, "memory")
	var warnings []string
	defer func(w func(string)) { Warn = w }(Warn)
	Warn = func(msg string) { warnings = append(warnings, msg) }
	if err := m.Apply(startSleep(t, m)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "linux.resources.memory.kernel: ignored") {
		t.Fatalf("warnings = %q, want one about linux.resources.memory.kernel", warnings)
	}
}

func TestLoadDropsPathsOutsideTheHierarchy(t *testing.T) {
	m := Load(map[string]string{
		"memory":  "/sys/fs/cgroup/memory/../../../etc",
		"pids":    "/etc/passwd",
		"freezer": "/sys/fs/cgroup/freezer",
		"nosuch":  "/sys/fs/cgroup/nosuch/x",
	})
	if p := m.Paths(); len(p) != 0 {
		t.Fatalf("Paths() = %v, want none", p)
	}
}
