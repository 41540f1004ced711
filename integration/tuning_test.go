package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The policy (field 41) and nice value (field 19) of /proc/self/stat show
// process.scheduler from inside; a real-time policy needs real-time
// runtime in the cgroup on kernels that group real-time time.
func TestSchedulerIsApplied(t *testing.T) {
	rtRuntime, rtPeriod := int64(10000), uint64(1000000)
	for _, tc := range []struct {
		sched specs.Scheduler
		want  string // "nice policy"
	}{
		{specs.Scheduler{Policy: specs.SchedBatch, Nice: 7}, "7 3"},
		{specs.Scheduler{Policy: specs.SchedIdle}, "0 5"},
		{specs.Scheduler{Policy: specs.SchedOther, Nice: -3, Flags: []specs.LinuxSchedulerFlag{specs.SchedFlagResetOnFork}}, "-3 0"},
		{specs.Scheduler{Policy: specs.SchedRR, Priority: 10}, "0 2"},
		{specs.Scheduler{Policy: specs.SchedFIFO, Priority: 20}, "0 1"},
	} {
		t.Run(string(tc.sched.Policy), func(t *testing.T) {
			sched := tc.sched
			// The shell reads its own stat: a forked child would lose a
			// reset-on-fork setting.
			out := outputOf(t, `read -r stat </proc/self/stat; set -- ${stat#*) }; shift 16; nice=$1; shift 22; echo "$nice $1"`,
				func(s *specs.Spec) {
					s.Process.Scheduler = &sched
					// Only a v1 cpu controller groups real-time time
					// (cgroup v2 has no real-time limits).
					if (sched.Policy == specs.SchedRR || sched.Policy == specs.SchedFIFO) && len(cgroupDirsWithFile("cpu.rt_runtime_us")) > 0 {
						s.Linux.Resources.CPU = &specs.LinuxCPU{RealtimeRuntime: &rtRuntime, RealtimePeriod: &rtPeriod}
					}
				})
			if out != tc.want {
				t.Errorf("nice and policy %q, want %q", out, tc.want)
			}
		})
	}
}

// process.ioPriority is the init's, and an exec'd process inherits the
// container's unless its own process says otherwise (busybox ionice
// reads it with ioprio_get).
func TestIOPriorityIsApplied(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_IDLE}
	})
	if out := strings.TrimSpace(mustSucceed(t, c.exec(nil, "ionice", "-p", "1")).stdout); out != "idle" {
		t.Errorf("init's I/O priority %q, want idle", out)
	}
	if out := strings.TrimSpace(mustSucceed(t, c.exec(nil, "ionice")).stdout); out != "idle" {
		t.Errorf("exec'd process's I/O priority %q, want the container's (idle)", out)
	}
	file := processFile(t, specs.Process{
		Args: []string{"ionice"}, Cwd: "/", Env: []string{"PATH=/bin"},
		IOPriority: &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 6},
	})
	if out := strings.TrimSpace(mustSucceed(t, c.exec([]string{"--process", file})).stdout); out != "best-effort: prio 6" {
		t.Errorf("exec --process with its own ioPriority: %q, want best-effort: prio 6", out)
	}
}

func processFile(t *testing.T, p specs.Process) string {
	t.Helper()
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// runPinned runs the runtime with its CPU affinity limited to CPU 0, as a
// runtime started by a pinned shim.
func (rt *runtime) runPinned(args ...string) result {
	rt.t.Helper()
	cmd := exec.Command("taskset", append([]string{"-c", "0", runtimeBinary, "--root", rt.root}, args...)...)
	out, errOut := rt.tempFile(), rt.tempFile()
	defer out.Close()
	defer errOut.Close()
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		rt.t.Fatalf("start %v: %v", cmd.Args, err)
	}
	res := result{args: cmd.Args, code: waitWithTimeout(rt.t, cmd)}
	res.stdout, res.stderr = readAll(rt.t, out), readAll(rt.t, errOut)
	return res
}

func cpusAllowed(t *testing.T, status string) string {
	t.Helper()
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no Cpus_allowed_list in %q", status)
	return ""
}

// A runtime pinned to one CPU does not pin the container: the init and an
// exec'd process get the cgroup's CPUs; execCPUAffinity.final pins an
// exec'd process where it says, and never the init.
func TestCPUAffinity(t *testing.T) {
	if goruntime.NumCPU() < 2 {
		t.Skip("skipping: needs two CPUs to tell a pinned process from an unpinned one")
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		t.Skip("skipping: no taskset (util-linux) to pin the runtime")
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, "sleep", "600")
	spec.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "0-1"}
	spec.Process.ExecCPUAffinity = &specs.CPUAffinity{Final: "1"}
	c := newContainer(t, rt, spec)
	mustSucceed(t, rt.runPinned("create", "--bundle", c.bundle, c.id))
	mustSucceed(t, rt.runPinned("start", c.id))
	init := mustSucceed(t, rt.runPinned("exec", c.id, "cat", "/proc/1/status")).stdout
	if got := cpusAllowed(t, init); got != "0-1" {
		t.Errorf("init's CPUs %s, want the cgroup's 0-1 (not the runtime's 0)", got)
	}
	exec := mustSucceed(t, rt.runPinned("exec", c.id, "cat", "/proc/self/status")).stdout
	if got := cpusAllowed(t, exec); got != "1" {
		t.Errorf("exec'd process's CPUs %s, want execCPUAffinity.final 1", got)
	}
	file := processFile(t, specs.Process{Args: []string{"cat", "/proc/self/status"}, Cwd: "/", Env: []string{"PATH=/bin"},
		ExecCPUAffinity: &specs.CPUAffinity{Initial: "1", Final: "0"}})
	own := mustSucceed(t, rt.runPinned("exec", "--process", file, c.id)).stdout
	if got := cpusAllowed(t, own); got != "0" {
		t.Errorf("exec --process with its own execCPUAffinity: CPUs %s, want 0", got)
	}
}

// LINUX32 makes uname report a 32-bit machine; personality flags are
// or-ed in (/proc/self/personality shows the value). runc 1.5 ignores the
// flags with a warning; hull applies them (a config never loses a field
// silently).
func TestPersonality(t *testing.T) {
	out := outputOf(t, "uname -m; cat /proc/self/personality", func(s *specs.Spec) {
		s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32, Flags: []specs.LinuxPersonalityFlag{"ADDR_NO_RANDOMIZE"}}
	})
	lines := strings.Split(out, "\n")
	want32 := map[string]string{"amd64": "i686", "arm64": "armv8l"}[goruntime.GOARCH]
	if len(lines) != 2 || (want32 != "" && lines[0] != want32) || lines[1] != "00040008" {
		t.Errorf("uname -m and personality %q, want %q and 00040008", out, want32)
	}
	if out := outputOf(t, "cat /proc/self/personality", func(s *specs.Spec) {
		s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux}
	}); out != "00000000" {
		t.Errorf("LINUX personality %q, want 00000000", out)
	}
}

// /proc/self/numa_maps shows the task's memory policy on every mapping
// without a policy of its own.
func TestMemoryPolicy(t *testing.T) {
	if _, err := os.Stat("/proc/self/numa_maps"); err != nil {
		t.Skip("skipping: no /proc/self/numa_maps (kernel without NUMA)")
	}
	for _, tc := range []struct {
		policy specs.LinuxMemoryPolicy
		want   string
	}{
		{specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0", Flags: []specs.MemoryPolicyFlagType{specs.MpolFStaticNodes}}, " bind=static:0 "},
		{specs.LinuxMemoryPolicy{Mode: specs.MpolInterleave, Nodes: "0"}, " interleave:0 "},
		{specs.LinuxMemoryPolicy{Mode: specs.MpolPreferred, Nodes: "0", Flags: []specs.MemoryPolicyFlagType{specs.MpolFRelativeNodes}}, " prefer=relative:0 "},
		{specs.LinuxMemoryPolicy{Mode: specs.MpolLocal}, " local "},
	} {
		t.Run(string(tc.policy.Mode), func(t *testing.T) {
			policy := tc.policy
			out := outputOf(t, "head -n 1 /proc/self/numa_maps", func(s *specs.Spec) { s.Linux.MemoryPolicy = &policy })
			if !strings.Contains(out, tc.want) {
				t.Errorf("numa_maps %q, want %q", out, tc.want)
			}
		})
	}
}

// cgroupDirsWithFile lists the hierarchy roots under /sys/fs/cgroup that
// have file.
func cgroupDirsWithFile(file string) []string {
	found, _ := filepath.Glob(filepath.Join(cgroupRoot, "*", file))
	return found
}
