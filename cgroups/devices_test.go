package cgroups

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// runInCgroup runs a shell script born inside d (clone3 CLONE_INTO_CGROUP),
// so it is subject to d's device filter from its first instruction.
func runInCgroup(t *testing.T, d cgroupDir, script string) string {
	t.Helper()
	dir, err := openBeneath(d.root, d.rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(dir.Fd())}
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// The BPF device filter works on any cgroup2 hierarchy, so this runs on the
// hybrid host's "unified" hierarchy as well as on a pure v2 host.
func TestDeviceFilter(t *testing.T) {
	m := testManager(t, nil)
	c := m.v2()
	if c == nil {
		t.Skip("skipping: no cgroup2 hierarchy on this host")
	}
	if err := m.create(c); err != nil {
		t.Fatal(err)
	}
	i := func(v int64) *int64 { return &v }
	rules := []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: i(1), Minor: i(3), Access: "rwm"}, // /dev/null
		{Allow: true, Type: "c", Major: i(1), Minor: i(5), Access: "r"},   // /dev/zero, read only
	}
	if err := attachDeviceFilter(c.dir, rules); err != nil {
		t.Fatalf("attach: %v", err)
	}
	script := `true </dev/null && echo null-read-ok
true >/dev/null && echo null-write-ok
true </dev/zero && echo zero-read-ok
true >/dev/zero && echo zero-write-ok
true </dev/full && echo full-read-ok`
	out := runInCgroup(t, c.dir, script)
	for _, want := range []string{"null-read-ok", "null-write-ok", "zero-read-ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in output:\n%s", want, out)
		}
	}
	for _, deny := range []string{"zero-write-ok", "full-read-ok"} {
		if strings.Contains(out, deny) {
			t.Errorf("%q: access should have been denied:\n%s", deny, out)
		}
	}

	// Replacing the rules detaches the old program: /dev/full opens now,
	// and /dev/null no longer does.
	rules = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}, {Allow: true, Type: "c", Major: i(1), Minor: i(7), Access: "rwm"}}
	if err := attachDeviceFilter(c.dir, rules); err != nil {
		t.Fatalf("re-attach: %v", err)
	}
	out = runInCgroup(t, c.dir, script)
	if !strings.Contains(out, "full-read-ok") || strings.Contains(out, "null-read-ok") {
		t.Errorf("after update, want only /dev/full allowed; output:\n%s", out)
	}

	// A later deny of one access takes just that access away, as on v1.
	rules = []specs.LinuxDeviceCgroup{denyAll, dev(true, "c", 1, 3, "rwm"), dev(false, "c", 1, 3, "w")}
	if err := attachDeviceFilter(c.dir, rules); err != nil {
		t.Fatalf("re-attach: %v", err)
	}
	out = runInCgroup(t, c.dir, script)
	if !strings.Contains(out, "null-read-ok") || strings.Contains(out, "null-write-ok") {
		t.Errorf("want /dev/null readable but not writable; output:\n%s", out)
	}

	// Allow by default, deny one device's writes.
	rules = []specs.LinuxDeviceCgroup{dev(true, "a", -1, -1, "rwm"), dev(false, "c", 1, 5, "w")}
	if err := attachDeviceFilter(c.dir, rules); err != nil {
		t.Fatalf("re-attach: %v", err)
	}
	out = runInCgroup(t, c.dir, script)
	if strings.Count(out, "-ok") != 4 || strings.Contains(out, "zero-write-ok") {
		t.Errorf("want everything but writing /dev/zero; output:\n%s", out)
	}

	// A trailing allow-all wins over the leading deny-all.
	rules = append(rules, specs.LinuxDeviceCgroup{Allow: true, Access: "rwm"})
	if err := attachDeviceFilter(c.dir, rules); err != nil {
		t.Fatalf("re-attach: %v", err)
	}
	if out := runInCgroup(t, c.dir, script); strings.Count(out, "-ok") != 5 {
		t.Errorf("allow-all: want all five accesses to succeed; output:\n%s", out)
	}
}
