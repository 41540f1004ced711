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

// A nested cgroupsPath makes its missing parents; delete removes them too,
// leaving nothing create made (runtime.md: "Deleting a container MUST
// delete the resources that were created during the create step").
func TestDeleteRemovesTheCgroupParentsCreateMade(t *testing.T) {
	rt := newRuntime(t)
	top := "/" + uniqueID(t)
	spec := testSpec(t, rt, "true")
	spec.Linux.CgroupsPath = top + "/nested/leaf"
	c := newContainer(t, rt, spec)
	t.Cleanup(func() {
		removeCgroupDirs(top + "/nested/leaf")
		removeCgroupDirs(top + "/nested")
		removeCgroupDirs(top)
	})
	mustSucceed(t, c.create())
	if len(cgroupDirs(top+"/nested")) == 0 {
		t.Fatalf("create made no cgroup %s/nested", top)
	}
	mustSucceed(t, c.delete())
	if left := append(cgroupDirs(top+"/nested"), cgroupDirs(top)...); len(left) != 0 {
		t.Errorf("cgroups left after delete: %v", left)
	}
}
