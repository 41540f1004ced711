package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// forkAttack is a container's way out of a kill that lists the cgroup's
// pids and then signals them one by one: 32 chains of processes that
// each fork their successor and exit, so that a listed pid is soon gone
// and its successor is in no list. The thousand sleeps started first make
// the list long and put the chains at its end (cgroup.procs is sorted,
// unless pids wrapped meanwhile), so that they have time to move on: a
// kill that lists and then signals (hull's before signalAllProcesses)
// let chains escape in 11 of 15 tries on a 2-core VM; a race, so not
// always. The pids limit bounds what a runtime that loses the race
// leaves running (the chains' zombies count).
const (
	forkAttack = `i=0; while [ $i -lt 1000 ]; do sleep 1000 & i=$((i+1)); done
hop() { hop & }
i=0; while [ $i -lt 32 ]; do hop; i=$((i+1)); done
exec sleep 1000`
	forkAttackReady = 1020
	forkAttackLimit = 8192
)

// forkingContainer starts a container running forkAttack in its own
// cgroup (cgroupPath) and returns once the chains run. Its cleanup kills
// whatever the cgroup still holds, so a failed test leaves no process and
// no cgroup behind.
func forkingContainer(t *testing.T, rt *runtime, sharedPid bool) (*container, string) {
	t.Helper()
	cgroupPath := "/" + uniqueID(t)
	t.Cleanup(func() { killCgroupProcesses(cgroupPath); removeCgroupDirs(cgroupPath) })
	spec := testSpec(t, rt, sh(forkAttack)...)
	if sharedPid {
		withoutPidNamespace(spec)
	}
	spec.Linux.CgroupsPath = cgroupPath
	if spec.Linux.Resources == nil {
		spec.Linux.Resources = &specs.LinuxResources{}
	}
	limit := int64(forkAttackLimit)
	spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: &limit}
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	waitFor(t, "the sleeps and the chains", func() bool { return len(cgroupProcesses(cgroupPath)) >= forkAttackReady })
	return c, cgroupPath
}

// cgroupProcesses lists the pids in cgroup path, in every hierarchy.
func cgroupProcesses(path string) []int {
	seen := map[int]bool{}
	var pids []int
	for _, dir := range cgroupDirs(path) {
		data, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
				seen[pid] = true
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// waitEmptied waits, after a kill that was to reach every process of
// cgroup path, until the cgroup holds none, and fails the test as soon
// as a process that was not there when the kill returned shows up: one
// that forked its way out (its parent was never signalled). Waiting for
// the cgroup to empty alone could be fooled: escaped fork chains end
// when the pids limit runs out.
func waitEmptied(t *testing.T, path string) {
	t.Helper()
	there := map[int]bool{}
	for _, pid := range cgroupProcesses(path) {
		there[pid] = true
	}
	waitFor(t, "the cgroup to hold no process", func() bool {
		pids := cgroupProcesses(path)
		for _, pid := range pids {
			if !there[pid] {
				t.Fatalf("process %d appeared in the cgroup after the kill: a process forked its way out of it", pid)
			}
		}
		return len(pids) == 0
	})
}

// killCgroupProcesses kills what cgroup path still holds, a test's last
// resort: cgroup.kill first, which the chains cannot outrun (a frozen
// task dies once thawed), then as long as something is left, which a
// host without cgroup.kill needs, SIGKILL to each listed pid.
func killCgroupProcesses(path string) {
	for _, dir := range cgroupDirs(path) {
		_ = os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0)
	}
	for _, dir := range cgroupDirs(path) {
		_ = os.WriteFile(filepath.Join(dir, "freezer.state"), []byte("THAWED"), 0)
		_ = os.WriteFile(filepath.Join(dir, "cgroup.freeze"), []byte("0"), 0)
	}
	for range 500 {
		pids := cgroupProcesses(path)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killWithTrace runs `kill ARGS...` with hull's phase trace on and
// returns the result and its trace line ("" from another runtime).
func killWithTrace(t *testing.T, rt *runtime, args ...string) (result, string) {
	t.Helper()
	t.Setenv("HULL_TRACE", "1")
	res := rt.run(append([]string{"kill"}, args...)...)
	os.Unsetenv("HULL_TRACE")
	mustSucceed(t, res)
	if !strings.HasSuffix(runtimeBinary, "hull") {
		return res, ""
	}
	return res, traceLine(t, "kill", res)
}

// checkKillPath fails the test unless the trace shows the way kill took:
// "cgroup.kill" (one write, the kernel kills the whole cgroup) or
// "freezer" (freeze, signal each listed pid, thaw).
func checkKillPath(t *testing.T, trace, want string) {
	t.Helper()
	if trace == "" {
		return
	}
	tookCgroupKill := strings.Contains(trace, " kill:cgroup.kill=")
	froze := strings.Contains(trace, " kill:frozen=") && strings.Contains(trace, " kill:thawed=")
	switch {
	case want == "cgroup.kill" && (!tookCgroupKill || froze):
		t.Errorf("kill did not go through cgroup.kill alone: %s", trace)
	case want == "freezer" && (tookCgroupKill || !froze):
		t.Errorf("kill did not freeze, signal and thaw: %s", trace)
	}
	t.Logf("kill path: %s (%s)", want, trace)
}

// A process that forks in a loop cannot outrun kill: SIGKILL of a
// container sharing the host's pid namespace (with or without --all),
// kill --all KILL, and kill --all with another signal leave no process
// in the cgroup, and delete then succeeds. Listing the pids and then
// signalling them, as hull did, leaves the children forked in between.
func TestKillAllOfAForkLoopLeavesNoProcess(t *testing.T) {
	for _, tc := range []struct {
		name      string
		sharedPid bool
		all       bool
		signal    string
		path      string
	}{
		{"shared-pidns-KILL", true, false, "KILL", "cgroup.kill"},
		{"shared-pidns-all-KILL", true, true, "KILL", "cgroup.kill"},
		{"own-pidns-all-KILL", false, true, "KILL", "cgroup.kill"},
		// TERM kills the shell too: it is not a pid namespace's init.
		{"shared-pidns-all-TERM", true, true, "TERM", "freezer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			c, cgroupPath := forkingContainer(t, rt, tc.sharedPid)
			args := []string{c.id, tc.signal}
			if tc.all {
				args = append([]string{"--all"}, args...)
			}
			_, trace := killWithTrace(t, rt, args...)
			checkKillPath(t, trace, tc.path)
			waitEmptied(t, cgroupPath)
			c.waitStatus(specs.StateStopped)
			mustSucceed(t, c.delete())
			if left := cgroupDirs(cgroupPath); len(left) != 0 {
				t.Errorf("delete left the cgroups %v", left)
			}
		})
	}
}
