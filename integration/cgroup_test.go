package integration

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The container's init is in its cgroupsPath from the start, the cgroup
// exists on the host while the container runs, and delete removes it.
func TestInitIsInItsCgroupUntilDelete(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("cat /proc/self/cgroup; echo ready; while :; do sleep 1; done")...)
	cgroupPath := "/" + uniqueID(t)
	spec.Linux.CgroupsPath = cgroupPath
	// Without a cgroup namespace /proc/self/cgroup shows host paths.
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.CgroupNamespace
	})
	c := newContainer(t, rt, spec)
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	run := startForeground(t, c)
	inside := cgroupLines(run.stdout(), cgroupPath)
	if len(inside) == 0 {
		t.Errorf("/proc/self/cgroup in the container has no line with %s:\n%s", cgroupPath, run.stdout())
	}
	dirs := cgroupDirs(cgroupPath)
	if len(dirs) == 0 {
		t.Fatalf("no cgroup directory %s on the host while the container runs", cgroupPath)
	}
	t.Logf("cgroup directories of the running container: %v", dirs)
	pid := strconv.Itoa(c.state().Pid)
	for _, dir := range dirs {
		procs := strings.Fields(readFile(t, filepath.Join(dir, "cgroup.procs")))
		if !slices.Contains(procs, pid) {
			t.Errorf("%s/cgroup.procs lacks the init's pid %s: %v", dir, pid, procs)
		}
	}

	mustSucceed(t, c.kill("KILL"))
	if code := run.wait(); code != 137 {
		t.Errorf("run exited %d, want 137", code)
	}
	if left := cgroupDirs(cgroupPath); len(left) != 0 {
		t.Errorf("cgroup directories left after the container was deleted: %v", left)
	}
}

// cgroupLines returns the lines of a /proc/PID/cgroup text whose path is
// path.
func cgroupLines(procCgroup, path string) []string {
	var lines []string
	for _, l := range strings.Split(procCgroup, "\n") {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 && f[2] == path {
			lines = append(lines, l)
		}
	}
	return lines
}
