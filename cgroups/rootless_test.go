package cgroups

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestRootlessDelegated runs unprivileged inside a cgroup2 subtree delegated
// to the test's user, the way systemd delegates one to a user session. It
// needs that setup, so it runs only when HULL_TEST_DELEGATED_CGROUP names the
// delegated cgroup (relative to the cgroup2 root) and the test process
// already lives in a child of it.
func TestRootlessDelegated(t *testing.T) {
	parent := os.Getenv("HULL_TEST_DELEGATED_CGROUP")
	if parent == "" || os.Geteuid() == 0 {
		t.Skip("skipping: run unprivileged with HULL_TEST_DELEGATED_CGROUP set to a delegated cgroup2 subtree")
	}
	r := &specs.LinuxResources{
		Pids: &specs.LinuxPids{Limit: ptr(int64(9))},
		// Attaching a BPF device filter needs privilege; rootless goes on
		// without one, as runc does, and warns for the rule the config
		// asked for beyond the templates' deny-all.
		Devices: []specs.LinuxDeviceCgroup{denyAll, {Allow: true, Type: "c", Major: ptr(int64(10)), Minor: ptr(int64(200)), Access: "rwm"}},
	}
	mi, err := New(Config{Path: parent + "/ctr", ID: "ctr", Rootless: true, Resources: r})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	m := mi.(*manager)
	t.Cleanup(func() {
		if err := m.Destroy(); err != nil {
			t.Errorf("Destroy: %v", err)
		}
		if m.Exists() {
			t.Error("cgroup still there after Destroy")
		}
	})
	pid := startSleep(t, m)
	var warnings []string
	defer func(w func(string)) { Warn = w }(Warn)
	Warn = func(msg string) { warnings = append(warnings, msg) }
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "linux.resources.devices: ignored in rootless mode") {
		t.Errorf("warnings = %q, want one about linux.resources.devices", warnings)
	}
	d := m.v2().dir.path()
	expectFile(t, d, "pids.max", "9")
	if procs := strings.Fields(readFile(t, d, "cgroup.procs")); !slices.Contains(procs, strconv.Itoa(pid)) {
		t.Errorf("pid %d not in %s/cgroup.procs (%v)", pid, d, procs)
	}
	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	checkFrozen(t, m, true)
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	checkFrozen(t, m, false)
}
