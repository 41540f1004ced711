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
