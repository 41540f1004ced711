package integration

import (
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Resource limits in the config are written to the container's cgroup:
// read on the host while the container runs.
func TestPidsAndMemoryLimitsReachTheCgroup(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, trapScript("TERM", "0")...)
	cgroupPath := "/" + uniqueID(t)
	spec.Linux.CgroupsPath = cgroupPath
	memory := int64(64 << 20)
	spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &memory}
	spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(42)}
	c := newContainer(t, rt, spec)
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })
	run := startForeground(t, c)

	// Where each limit lives: cgroup v1, hybrid with the controller on v2,
	// and v2 alone.
	limits := []struct {
		value string
		files []string
	}{
		{"42", []string{"pids/pids.max", "unified/pids.max", "pids.max"}},
		{"67108864", []string{"memory/memory.limit_in_bytes", "unified/memory.max", "memory.max"}},
	}
	for _, limit := range limits {
		found := false
		for _, file := range limit.files {
			dir, name := filepath.Split(file)
			path := filepath.Join(cgroupRoot, dir, cgroupPath, name)
			if !fileExists(path) {
				continue
			}
			found = true
			if got := strings.TrimSpace(readFile(t, path)); got != limit.value {
				t.Errorf("%s = %s, want %s", path, got, limit.value)
			}
		}
		if !found {
			t.Errorf("no cgroup file for %s holds the limit %s", cgroupPath, limit.value)
		}
	}
	mustSucceed(t, c.kill("KILL"))
	run.wait()
}

// pids.limit 0 is runc's 1 (pids.max 1: the init alone), and a limit
// below what the executor needs to fork the init (0 or 1) still lets the
// init start: the limit is lowered once it exists, as runc sets it then.
func TestPidsLimitZeroIsTheInitAlone(t *testing.T) {
	for _, limit := range []int64{0, 1} {
		rt := newRuntime(t)
		cgroupPath := "/" + uniqueID(t)
		t.Cleanup(func() { removeCgroupDirs(cgroupPath) })
		c := startSleeper(t, rt, func(s *specs.Spec) {
			s.Linux.CgroupsPath = cgroupPath
			s.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(limit)}
		})
		for _, file := range []string{"pids/pids.max", "unified/pids.max", "pids.max"} {
			dir, name := filepath.Split(file)
			path := filepath.Join(cgroupRoot, dir, cgroupPath, name)
			if fileExists(path) {
				if got := strings.TrimSpace(readFile(t, path)); got != "1" {
					t.Errorf("pids.limit %d: %s = %s, want 1", limit, path, got)
				}
			}
		}
		if res := c.exec(nil, "true"); res.code == 0 {
			t.Errorf("pids.limit %d: exec forked a second task: %v", limit, res)
		}
	}
}
