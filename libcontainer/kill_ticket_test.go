package libcontainer

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestKillTicket(t *testing.T) {
	own := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}}}}
	shared := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.MountNamespace}}}}
	joined := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"}}}}
	for _, tc := range []struct {
		name string
		rec  record
		want string
	}{
		{"no init yet", record{Spec: own}, ""},
		{"shared pid namespace", record{Spec: shared, InitPid: 7, InitStartTime: 99}, ""},
		{"joined pid namespace", record{Spec: joined, InitPid: 7, InitStartTime: 99}, ""},
		{"no cgroup", record{Spec: own, InitPid: 7, InitStartTime: 99}, killTicketMagic + "\ninit 7 99\n"},
		{"v1 freezer", record{Spec: own, InitPid: 7, InitStartTime: 99, CgroupPaths: map[string]string{"freezer": "/sys/fs/cgroup/freezer/c"}},
			killTicketMagic + "\ninit 7 99\nfreezer-v1 /sys/fs/cgroup/freezer/c/freezer.state\n"},
		{"v2", record{Spec: own, InitPid: 7, InitStartTime: 99, CgroupPaths: map[string]string{"": "/sys/fs/cgroup/c"}},
			killTicketMagic + "\ninit 7 99\nfreeze-v2 /sys/fs/cgroup/c/cgroup.freeze\n"},
		{"newline in a path", record{Spec: own, InitPid: 7, InitStartTime: 99, CgroupPaths: map[string]string{"freezer": "/a\nb"}}, ""},
	} {
		if got := killTicket(&tc.rec); got != tc.want {
			t.Errorf("%s: killTicket = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A record that gets no ticket removes the one an earlier record left, so
// that a ticket never names an init state.json no longer names.
func TestSaveKillTicketRemovesStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, killTicketFile)
	own := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}}}}
	if err := saveKillTicket(dir, &record{Spec: own, InitPid: 7, InitStartTime: 99}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no ticket written: %v", err)
	}
	if err := saveKillTicket(dir, &record{Spec: own}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("stale ticket kept: %v", err)
	}
}
