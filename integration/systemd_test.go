package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/internal/testbundle"
)

// The systemd driver's tests need systemd as PID 1: `make test-systemd`
// boots it in a VM and sets HULL_TEST_SYSTEMD=1. On other hosts only the
// clear error for a missing systemd is checked.
func requireSystemd(t *testing.T) {
	t.Helper()
	if os.Getenv("HULL_TEST_SYSTEMD") != "1" {
		t.Skip("needs systemd as PID 1: run `make test-systemd`")
	}
}

func systemdRuntime(t *testing.T) *runtime {
	rt := newRuntime(t)
	rt.globals = []string{"--systemd-cgroup"}
	return rt
}

// unitProperty is `systemctl show -p NAME --value UNIT`.
func unitProperty(t *testing.T, unit, name string) string {
	t.Helper()
	out, err := exec.Command("systemctl", "show", "-p", name, "--value", unit).CombinedOutput()
	if err != nil {
		t.Fatalf("systemctl show %s: %v\n%s", unit, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestSystemdCgroupWithoutSystemdIsAClearError(t *testing.T) {
	if fileExists("/run/systemd/system") {
		t.Skip("systemd runs here: the driver's own tests cover it")
	}
	rt := systemdRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	res := c.create()
	if res.code == 0 || !strings.Contains(res.stderr, "systemd is not running") {
		t.Fatalf("create --systemd-cgroup without systemd: want a clear error, got %v", res)
	}
	assertNothingLeftBehind(t, rt, c.id, c.bundle)
}

// A container gets a transient scope with its limits as properties and
// in the cgroup files; update changes both; delete leaves no unit.
func TestSystemdScopeHoldsTheContainerAndItsLimits(t *testing.T) {
	requireSystemd(t)
	rt := systemdRuntime(t)
	spec := testSpec(t, rt, "sleep", "600")
	id := uniqueID(t)
	spec.Linux.CgroupsPath = "system.slice:hull:" + id
	memory := int64(64 << 20)
	spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &memory}
	spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(20)}
	quota, period := int64(50000), uint64(100000)
	spec.Linux.Resources.CPU = &specs.LinuxCPU{Quota: &quota, Period: &period}
	spec.Annotations = map[string]string{"org.systemd.property.TimeoutStopUSec": "uint64 123000000"}
	c := &container{rt: rt, id: id, bundle: testbundle.New(t, spec)}
	t.Cleanup(c.forceDelete)
	unit := "hull-" + id + ".scope"
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())

	for name, want := range map[string]string{
		"ActiveState": "active", "Delegate": "yes", "MemoryMax": "67108864", "TasksMax": "20",
		"CPUQuotaPerSecUSec": "500ms", "TimeoutStopUSec": "2min 3s",
	} {
		if got := unitProperty(t, unit, name); got != want {
			t.Errorf("%s %s = %q, want %q", unit, name, got, want)
		}
	}
	dir := filepath.Join(cgroupRoot, "system.slice", unit)
	for file, want := range map[string]string{"memory.max": "67108864", "pids.max": "20", "cpu.max": "50000 100000"} {
		if got := strings.TrimSpace(readFile(t, filepath.Join(dir, file))); got != want {
			t.Errorf("%s/%s = %q, want %q", dir, file, got, want)
		}
	}
	pid := c.state().Pid
	if procCgroup := readFile(t, "/proc/"+strconv.Itoa(pid)+"/cgroup"); !strings.Contains(procCgroup, "/system.slice/"+unit) {
		t.Errorf("init is not in the scope: %s", procCgroup)
	}

	update := `{"memory": {"limit": 134217728}, "pids": {"limit": 30}}`
	cmd := rt.command("update", "--resources", "-", c.id)
	cmd.Stdin = strings.NewReader(update)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("update: %v\n%s", err, out)
	}
	if got := unitProperty(t, unit, "MemoryMax"); got != "134217728" {
		t.Errorf("after update MemoryMax = %q, want 134217728", got)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "pids.max"))); got != "30" {
		t.Errorf("after update pids.max = %q, want 30", got)
	}

	mustSucceed(t, c.delete("--force"))
	if got := unitProperty(t, unit, "LoadState"); got != "not-found" {
		t.Errorf("after delete %s LoadState = %q, want not-found", unit, got)
	}
	if fileExists(dir) {
		t.Errorf("after delete %s still exists", dir)
	}
}

// Limits hold under systemd: a memory hog is killed (137) and a fork bomb
// stops at pids.max.
func TestSystemdLimitsAreEnforced(t *testing.T) {
	requireSystemd(t)
	rt := systemdRuntime(t)
	// busybox sh exits when a fork fails: the bomb runs in a subshell, and
	// only builtins run until the kill frees the pids.
	spec := testSpec(t, rt, sh(`(i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null; `+
		`read n < /sys/fs/cgroup/pids.current; read k e < /sys/fs/cgroup/pids.events; echo procs=$n $k=$e; `+
		`kill -9 -1; wait; head -c 200m /dev/zero | tail > /dev/null`)...)
	id := uniqueID(t)
	spec.Linux.CgroupsPath = ":hull:" + id
	memory := int64(32 << 20)
	spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &memory, Swap: &memory}
	spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(10)}
	c := &container{rt: rt, id: id, bundle: testbundle.New(t, spec)}
	t.Cleanup(c.forceDelete)
	res := c.runForeground()
	if res.code != 137 {
		t.Errorf("memory hog under 32 MiB: exit %d, want 137 (OOM kill)\n%v", res.code, res)
	}
	var procs, refused int
	if _, err := fmt.Sscanf(res.stdout, "procs=%d max=%d", &procs, &refused); err != nil || procs > 10 || refused < 1 {
		t.Errorf("fork bomb under pids 10: %q, want at most 10 processes and refused forks", res.stdout)
	}
	if got := unitProperty(t, "hull-"+id+".scope", "LoadState"); got != "not-found" {
		t.Errorf("after run the unit's LoadState = %q, want not-found", got)
	}
}

// A create killed halfway leaves nothing in systemd after delete --force.
func TestSystemdKilledCreateLeavesNoUnit(t *testing.T) {
	requireSystemd(t)
	rt := systemdRuntime(t)
	for _, delay := range []time.Duration{0, 20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond} {
		spec := testSpec(t, rt, "sleep", "600")
		id := uniqueID(t)
		spec.Linux.CgroupsPath = "system.slice:hull:" + id
		c := &container{rt: rt, id: id, bundle: testbundle.New(t, spec)}
		cmd := rt.command("create", "--bundle", c.bundle, c.id)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		c.forceDelete()
		unit := "hull-" + id + ".scope"
		waitFor(t, unit+" gone", func() bool {
			state := unitProperty(t, unit, "LoadState")
			return state == "not-found"
		})
		if pids := processesMentioning(id); len(pids) != 0 {
			t.Errorf("create killed after %v: processes left: %v", delay, pids)
		}
	}
}
