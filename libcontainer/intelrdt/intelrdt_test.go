package intelrdt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A plain directory stands in for resctrl: the decisions (which group,
// which files, in what order) are ours; the kernel's part needs RDT
// hardware.
func TestOwnedGroupWithSchemata(t *testing.T) {
	root := t.TempDir()
	g := At(root, "ctr", &specs.LinuxIntelRdt{L3CacheSchema: "L3:0=ff", MemBwSchema: "MB:0=50", Schemata: []string{"L2:0=f"}})
	if err := g.Apply(42); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "ctr", "schemata")); got != "L3:0=ff\nMB:0=50\nL2:0=f\n" {
		t.Errorf("schemata %q, want L3, MB, then schemata", got)
	}
	if got := read(t, filepath.Join(root, "ctr", "tasks")); got != "42" {
		t.Errorf("tasks %q", got)
	}
	if err := g.SetSchemata("", "MB:0=20"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "ctr", "schemata")); got != "MB:0=20\n" {
		t.Errorf("updated schemata %q, want only the new MB line", got)
	}
	// resctrl removes a group's files with it; a plain directory does not.
	os.Remove(filepath.Join(root, "ctr", "tasks"))
	os.Remove(filepath.Join(root, "ctr", "schemata"))
	if err := g.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "ctr")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("owned group left behind: %v", err)
	}
	// A group of that name that create did not make is another
	// container's: refused, and left alone by the cleanup.
	if err := os.Mkdir(filepath.Join(root, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	other := At(root, "other", &specs.LinuxIntelRdt{})
	if err := other.Apply(42); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("Apply to an existing group of the same name: %v", err)
	}
	if err := other.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "other")); err != nil {
		t.Errorf("cleanup removed a group it did not make: %v", err)
	}
}

func TestMonitoringGroup(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "gold", "mon_groups"), 0o755); err != nil {
		t.Fatal(err)
	}
	g := At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "gold", EnableMonitoring: true})
	if err := g.Apply(42); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "gold", "mon_groups", "ctr", "tasks")); got != "42" {
		t.Errorf("monitoring group tasks %q", got)
	}
	os.Remove(filepath.Join(root, "gold", "mon_groups", "ctr", "tasks"))
	if err := g.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "gold", "mon_groups", "ctr")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("monitoring group left behind: %v", err)
	}
	// Without mon_groups the kernel has no monitoring: a clear error.
	err := At(root, "ctr", &specs.LinuxIntelRdt{L3CacheSchema: "L3:0=f", EnableMonitoring: true}).Apply(42)
	if err == nil || !strings.Contains(err.Error(), "monitoring") {
		t.Errorf("monitoring without mon_groups: %v", err)
	}
}

func TestClosIDGroups(t *testing.T) {
	root := t.TempDir()
	// A pre-configured group without schemata is joined as it is, never removed.
	if err := os.Mkdir(filepath.Join(root, "gold"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "gold", "schemata"), []byte("    L3:0=0ff;1=f0\n    MB:0=100;1=100\n"), 0o644)
	g := At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "gold"})
	if err := g.Apply(7); err != nil {
		t.Fatal(err)
	}
	if err := g.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "gold")); err != nil {
		t.Errorf("a closID group was removed: %v", err)
	}
	// Matching schemata are accepted, other ones refused.
	if err := At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "gold", L3CacheSchema: "L3:0=ff"}).Apply(7); err != nil {
		t.Errorf("matching schemata refused: %v", err)
	}
	err := At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "gold", MemBwSchema: "MB:0=20"}).Apply(7)
	if err == nil || !strings.Contains(err.Error(), "exists with other schemata") {
		t.Errorf("other schemata: %v", err)
	}
	// A missing closID group is made only when schemata say what it is.
	err = At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "silver"}).Apply(7)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing closID without schemata: %v", err)
	}
	if err := At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "silver", L3CacheSchema: "L3:0=f"}).Apply(7); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "silver", "schemata")); got != "L3:0=f\n" {
		t.Errorf("new closID group schemata %q", got)
	}
	// "/" is the default group: the root itself.
	if g := At(root, "ctr", &specs.LinuxIntelRdt{ClosID: "/"}); g.Path != root || g.Owned {
		t.Errorf("closID / names %s (owned %v), want the root", g.Path, g.Owned)
	}
}

func TestMountPoint(t *testing.T) {
	dir := t.TempDir()
	info := filepath.Join(dir, "mountinfo")
	os.WriteFile(info, []byte("22 1 0:21 / /proc rw - proc proc rw\n"), 0o644)
	if _, err := mountPoint(info); !errors.Is(err, ErrNotMounted) {
		t.Errorf("no resctrl: %v, want ErrNotMounted", err)
	}
	os.WriteFile(info, []byte("22 1 0:21 / /proc rw - proc proc rw\n40 22 0:40 / /sys/fs/res\\040ctrl rw shared:1 - resctrl resctrl rw\n"), 0o644)
	if got, err := mountPoint(info); err != nil || got != "/sys/fs/res ctrl" {
		t.Errorf("mount point %q, %v", got, err)
	}
}
