package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// frozen reports whether the kernel's freezer holds cgroup path: v1
// freezer.state, or cgroup.freeze on v2 (alone or hybrid).
func frozen(t *testing.T, path string) bool {
	t.Helper()
	if f := filepath.Join(cgroupRoot, "freezer", path, "freezer.state"); fileExists(f) {
		return strings.TrimSpace(readFile(t, f)) == "FROZEN"
	}
	for _, f := range []string{filepath.Join(cgroupRoot, "unified", path, "cgroup.freeze"), filepath.Join(cgroupRoot, path, "cgroup.freeze")} {
		if fileExists(f) {
			return strings.TrimSpace(readFile(t, f)) == "1"
		}
	}
	t.Fatalf("no freezer file for cgroup %s", path)
	return false
}

// pause freezes every process of the container (state says paused, the
// freezer holds them), a paused container cannot be deleted without
// --force, and resume thaws them.
func TestPauseFreezesAndResumeThaws(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Linux.CgroupsPath = cgroupPath })
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	mustSucceed(t, rt.run("pause", c.id))
	if st := c.state().Status; st != specs.ContainerState("paused") {
		t.Fatalf("status after pause = %s, want paused", st)
	}
	if !frozen(t, cgroupPath) {
		t.Errorf("cgroup %s is not frozen after pause", cgroupPath)
	}
	if res := c.delete(); res.code == 0 {
		t.Errorf("delete of a paused container without --force succeeded: %v", res)
	}
	if res := rt.run("pause", c.id); res.code == 0 {
		t.Errorf("pausing a paused container succeeded: %v", res)
	}
	if res := c.exec(nil, "true"); res.code == 0 {
		t.Errorf("exec into a paused container succeeded: %v", res)
	}

	mustSucceed(t, rt.run("resume", c.id))
	if frozen(t, cgroupPath) {
		t.Errorf("cgroup %s is still frozen after resume", cgroupPath)
	}
	if st := c.state().Status; st != specs.StateRunning {
		t.Fatalf("status after resume = %s, want running", st)
	}
	if out := mustSucceed(t, c.exec(nil, "echo", "thawed")).stdout; strings.TrimSpace(out) != "thawed" {
		t.Errorf("exec after resume printed %q", out)
	}
	if res := rt.run("resume", c.id); res.code == 0 {
		t.Errorf("resuming a running container succeeded: %v", res)
	}
}

// kill KILL of a paused container thaws it, as runc does, so the init
// dies and the container reads stopped (the v1 freezer would otherwise
// hold it, paused, for ever); another signal leaves it paused.
func TestKillOfAPausedContainerThawsItForSIGKILL(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Linux.CgroupsPath = cgroupPath })
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	mustSucceed(t, rt.run("pause", c.id))
	mustSucceed(t, rt.run("kill", c.id, "USR1"))
	if st := c.state().Status; st != specs.ContainerState("paused") || !frozen(t, cgroupPath) {
		t.Fatalf("after kill USR1 of a paused container: status %s, frozen %v; want paused and frozen", st, frozen(t, cgroupPath))
	}
	mustSucceed(t, rt.run("kill", c.id, "KILL"))
	waitFor(t, "the killed paused container to stop", func() bool { return c.state().Status == specs.StateStopped })
	if fileExists(filepath.Join(cgroupRoot, "freezer", cgroupPath)) && frozen(t, cgroupPath) {
		t.Errorf("cgroup %s is still frozen after kill KILL", cgroupPath)
	}
	mustSucceed(t, c.delete())
}

// ps --format json lists the container's pids: the init and an exec'd
// process while it runs.
func TestPsListsTheContainersProcesses(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	mustSucceed(t, c.exec([]string{"--detach"}, "sleep", "300"))

	var pids []int
	waitFor(t, "two processes in ps", func() bool {
		out := mustSucceed(t, rt.run("ps", "--format", "json", c.id)).stdout
		pids = nil
		if err := json.Unmarshal([]byte(out), &pids); err != nil {
			t.Fatalf("ps --format json printed %q: %v", out, err)
		}
		return len(pids) == 2
	})
	if init := c.state().Pid; !slices.Contains(pids, init) {
		t.Errorf("ps lists %v, without the init %d", pids, init)
	}
	for _, pid := range pids {
		comm := strings.TrimSpace(readFile(t, filepath.Join("/proc", strconv.Itoa(pid), "comm")))
		if comm != "sleep" {
			t.Errorf("pid %d in ps is %q, not one of the container's sleeps", pid, comm)
		}
	}
}

// update --resources changes the limits of a running container's cgroup.
func TestUpdateChangesTheCgroupLimits(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = cgroupPath
		s.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(100)}
	})
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	resources := `{"pids": {"limit": 17}, "memory": {"limit": 33554432}}`
	file := filepath.Join(t.TempDir(), "resources.json")
	if err := os.WriteFile(file, []byte(resources), 0o644); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, rt.run("update", "--resources", file, c.id))

	want := map[string][]string{
		"17":       {"pids/pids.max", "unified/pids.max", "pids.max"},
		"33554432": {"memory/memory.limit_in_bytes", "unified/memory.max", "memory.max"},
	}
	for value, files := range want {
		found := false
		for _, f := range files {
			dir, name := filepath.Split(f)
			path := filepath.Join(cgroupRoot, dir, cgroupPath, name)
			if !fileExists(path) {
				continue
			}
			found = true
			if got := strings.TrimSpace(readFile(t, path)); got != value {
				t.Errorf("after update %s = %s, want %s", path, got, value)
			}
		}
		if !found {
			t.Errorf("no cgroup file of %s holds %s", cgroupPath, value)
		}
	}

	if res := rt.run("update", "--resources", file, "no-such-container"); res.code == 0 {
		t.Errorf("update of an unknown container succeeded: %v", res)
	}
}
