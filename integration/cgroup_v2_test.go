package integration

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// requirePureCgroupV2 skips a test of a cgroup2-only feature on a host
// whose cgroups are v1 or hybrid (make test-v2 runs it in a v2 guest).
func requirePureCgroupV2(t *testing.T) {
	t.Helper()
	if !fileExists(filepath.Join(cgroupRoot, "cgroup.controllers")) {
		t.Skip("a cgroup v2 feature: needs a pure cgroup v2 host (make test-v2 runs this test)")
	}
}

// makeCgroup creates a cgroup2 directory for a test and removes it (and
// what is below it) when the test ends.
func makeCgroup(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join(cgroupRoot, rel)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeCgroupTree(dir) })
	return dir
}

// removeCgroupTree removes dir's empty cgroups, deepest first.
func removeCgroupTree(dir string) {
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for _, d := range slices.Backward(dirs) {
		_ = os.Remove(d)
	}
}

func cgroupType(t *testing.T, dir string) string {
	t.Helper()
	return strings.TrimSpace(readFile(t, filepath.Join(dir, "cgroup.type")))
}

// linux.resources.unified["cgroup.type"] = "threaded" makes the
// container's cgroup threaded before the init joins it (runc writes the
// unified keys as files). The threaded controllers' limits apply, the init
// is listed in cgroup.threads, ps finds it (cgroup.procs is unreadable in a
// threaded cgroup), and delete removes the cgroup.
func TestThreadedCgroupWhenUnifiedAsks(t *testing.T) {
	requirePureCgroupV2(t)
	rt := newRuntime(t)
	path := "/" + uniqueID(t)
	limit := int64(37)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
		s.Linux.Resources = &specs.LinuxResources{
			Pids:    &specs.LinuxPids{Limit: &limit},
			Unified: map[string]string{"cgroup.type": "threaded"},
		}
	})
	t.Cleanup(func() { removeCgroupDirs(path) })
	dir := filepath.Join(cgroupRoot, path)
	if typ := cgroupType(t, dir); typ != "threaded" {
		t.Errorf("cgroup.type of %s is %q, want threaded", dir, typ)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "pids.max"))); got != "37" {
		t.Errorf("pids.max = %q, want 37", got)
	}
	pid := strconv.Itoa(c.state().Pid)
	if threads := strings.Fields(readFile(t, filepath.Join(dir, "cgroup.threads"))); !slices.Contains(threads, pid) {
		t.Errorf("cgroup.threads %v lacks the init's pid %s", threads, pid)
	}
	ps := mustSucceed(t, c.rt.run("ps", "--format", "json", c.id))
	if !slices.Contains(strings.FieldsFunc(ps.stdout, func(r rune) bool { return r < '0' || r > '9' }), pid) {
		t.Errorf("ps --format json lists %s, want the init's pid %s", strings.TrimSpace(ps.stdout), pid)
	}
	// A fork bomb stops at pids.max in the threaded cgroup too.
	res := c.exec(nil, "sh", "-c", "i=0; while [ $i -lt 45 ]; do sleep 30 & i=$((i+1)); done 2>/dev/null; echo started")
	if n := len(strings.Fields(readFile(t, filepath.Join(dir, "cgroup.threads")))); n > 37 {
		t.Errorf("%d threads in the cgroup, pids.max is 37 (%v)", n, res)
	}
	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)
	mustSucceed(t, c.delete())
	if fileExists(dir) {
		t.Errorf("delete left the threaded cgroup %s", dir)
	}
}

// A cgroupsPath under a threaded cgroup: the kernel makes the new cgroup
// "domain invalid", and the runtime turns it threaded as runc does, when
// no limit needs a domain controller. A memory limit there is refused
// with an error naming the field, and nothing is left behind.
func TestCgroupUnderThreadedParentTurnsThreaded(t *testing.T) {
	requirePureCgroupV2(t)
	top := uniqueID(t)
	root := makeCgroup(t, top)
	if err := os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("+pids"), 0o644); err != nil {
		t.Fatal(err)
	}
	threaded := filepath.Join(root, "t")
	if err := os.Mkdir(threaded, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(threaded, "cgroup.type"), []byte("threaded"), 0o644); err != nil {
		t.Fatalf("make %s threaded: %v", threaded, err)
	}
	if typ := cgroupType(t, root); typ != "domain threaded" {
		t.Fatalf("cgroup.type of %s is %q, want domain threaded", root, typ)
	}

	rt := newRuntime(t)
	limit := int64(29)
	path := "/" + top + "/t/ctr"
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
		s.Linux.Resources = &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}
	})
	dir := filepath.Join(cgroupRoot, path)
	if typ := cgroupType(t, dir); typ != "threaded" {
		t.Errorf("cgroup.type of %s is %q, want threaded", dir, typ)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "pids.max"))); got != "29" {
		t.Errorf("pids.max = %q, want 29", got)
	}
	pid := strconv.Itoa(c.state().Pid)
	if threads := strings.Fields(readFile(t, filepath.Join(dir, "cgroup.threads"))); !slices.Contains(threads, pid) {
		t.Errorf("cgroup.threads %v lacks the init's pid %s", threads, pid)
	}
	mustSucceed(t, c.delete("--force"))
	if fileExists(dir) {
		t.Errorf("delete --force left the cgroup %s", dir)
	}

	memory := int64(64 << 20)
	spec := testSpec(t, rt, "true")
	spec.Linux.CgroupsPath = "/" + top + "/t/mem"
	spec.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &memory}}
	bad := newContainer(t, rt, spec)
	res := bad.create()
	if res.code == 0 {
		t.Fatalf("a memory limit in a threaded subtree was accepted: %v", res)
	}
	if !strings.Contains(res.stderr, "linux.resources.memory") || !strings.Contains(res.stderr, "threaded") {
		t.Errorf("the error does not name linux.resources.memory and the threaded subtree: %s", res.stderr)
	}
	if left := filepath.Join(cgroupRoot, spec.Linux.CgroupsPath); fileExists(left) {
		t.Errorf("the refused create left the cgroup %s", left)
	}
	if st := bad.rt.run("state", bad.id); st.code == 0 {
		t.Errorf("the refused create left a container: %s", st.stdout)
	}
}

// With a cgroup namespace the container sees its own cgroup as the root,
// however deep its cgroupsPath: /proc/self/cgroup names "/", the cgroup
// mount's root in mountinfo is "/", the files at /sys/fs/cgroup are its own
// cgroup's (its pids.max), and an exec'd process sees the same.
func TestCgroupNamespaceShowsOwnCgroupAsRoot(t *testing.T) {
	if !fileExists("/proc/self/ns/cgroup") {
		t.Skip("kernel without cgroup namespaces")
	}
	rt := newRuntime(t)
	top := "/" + uniqueID(t)
	path := top + "/nested/leaf"
	t.Cleanup(func() {
		removeCgroupDirs(path)
		removeCgroupDirs(top + "/nested")
		removeCgroupDirs(top)
	})
	limit := int64(41)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
		s.Linux.Resources = &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	})
	script := "cat /proc/self/cgroup; echo ==; cat /proc/self/mountinfo; echo ==; " +
		"cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max"
	for _, how := range []string{"init", "exec"} {
		var out string
		if how == "init" {
			// The init's own view: its /proc/1 entries.
			out = mustSucceed(t, c.exec(nil, "sh", "-c", strings.ReplaceAll(script, "/proc/self/", "/proc/1/"))).stdout
		} else {
			out = mustSucceed(t, c.exec(nil, "sh", "-c", script)).stdout
		}
		parts := strings.Split(out, "==\n")
		if len(parts) != 3 {
			t.Fatalf("%s: unexpected output:\n%s", how, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(parts[0]), "\n") {
			if f := strings.SplitN(line, ":", 3); len(f) != 3 || f[2] != "/" {
				t.Errorf("%s: /proc/self/cgroup line %q does not name the namespace's root /", how, line)
			}
		}
		mounts := 0
		for _, line := range strings.Split(parts[1], "\n") {
			fields := strings.Fields(line)
			sep := slices.Index(fields, "-")
			if sep < 0 || sep+1 >= len(fields) || !strings.HasPrefix(fields[sep+1], "cgroup") {
				continue
			}
			mounts++
			if fields[3] != "/" {
				t.Errorf("%s: the cgroup mount at %s has root %s in mountinfo, want /", how, fields[4], fields[3])
			}
		}
		if mounts == 0 {
			t.Errorf("%s: no cgroup mount in mountinfo:\n%s", how, parts[1])
		}
		if got := strings.TrimSpace(parts[2]); got != "41" {
			t.Errorf("%s: pids.max at /sys/fs/cgroup is %q, want the container's 41", how, got)
		}
	}
}

// memory.swap equal to memory.limit means "no swap" (v1's memsw limit is
// memory plus swap): on v2 memory.swap.max becomes 0, as runc writes it,
// not left unlimited.
func TestMemorySwapEqualToLimitDisablesSwap(t *testing.T) {
	requirePureCgroupV2(t)
	rt := newRuntime(t)
	path := "/" + uniqueID(t)
	limit := int64(48 << 20)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = path
		s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit, Swap: &limit}}
	})
	t.Cleanup(func() { removeCgroupDirs(path) })
	dir := filepath.Join(cgroupRoot, path)
	if !fileExists(filepath.Join(dir, "memory.swap.max")) {
		t.Skip("the kernel has no swap accounting (no memory.swap.max)")
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "memory.max"))); got != strconv.FormatInt(limit, 10) {
		t.Errorf("memory.max = %q, want %d", got, limit)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "memory.swap.max"))); got != "0" {
		t.Errorf("memory.swap.max = %q, want 0 (swap equal to the limit)", got)
	}
	mustSucceed(t, c.delete("--force"))
}
