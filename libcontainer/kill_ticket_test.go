package libcontainer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
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
		if got := killTicket(&tc.rec, nil); got != tc.want {
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
	if err := saveKillTicket(dir, &record{Spec: own, InitPid: 7, InitStartTime: 99}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no ticket written: %v", err)
	}
	if err := saveKillTicket(dir, &record{Spec: own}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("stale ticket kept: %v", err)
	}
}

// The delete section names every cgroup directory delete removes, and is
// left out wherever delete needs Go: hooks to run, an Intel RDT group, no
// manager to ask, a path the C side cannot read back.
func TestKillTicketDeleteSection(t *testing.T) {
	own := func() *specs.Spec {
		return &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}}}}
	}
	newRec := func(t *testing.T, path string) (*record, cgroups.Manager) {
		mgr, err := cgroups.New(cgroups.Config{Path: path, ID: "c"})
		if err != nil {
			t.Skipf("no cgroup hierarchies here: %v", err)
		}
		return &record{Spec: own(), InitPid: 7, InitStartTime: 99,
			CgroupPaths: mgr.Paths(), CgroupCreated: mgr.WouldCreate()}, mgr
	}

	rec, mgr := newRec(t, "/hull-unit-ticket-none/c")
	ticket := killTicket(rec, mgr)
	_, del, ok := strings.Cut(ticket, "\ndelete ")
	if !ok {
		t.Fatalf("no delete section:\n%s", ticket)
	}
	lines := strings.Split(strings.TrimSuffix(del, "\n"), "\n")
	if lines[0] != strconv.Itoa(len(rec.CgroupPaths)) || len(lines) != len(rec.CgroupPaths)+1 {
		t.Fatalf("delete section for %d cgroups:\n%s", len(rec.CgroupPaths), del)
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 4 || f[0] != "cgroup" || f[1] != "1" || f[3] != "hull-unit-ticket-none/c" ||
			!pathRecorded(rec.CgroupPaths, f[2]+"/"+f[3]) {
			t.Errorf("delete section line %q: want \"cgroup 1 ROOT hull-unit-ticket-none/c\" naming a recorded path", l)
		}
	}

	for name, change := range map[string]func(*record) cgroups.Manager{
		"poststop hook": func(r *record) cgroups.Manager {
			r.Spec.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true"}}}
			return mgr
		},
		"intelRdt": func(r *record) cgroups.Manager {
			r.Spec.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "x"}
			return mgr
		},
		"no manager": func(*record) cgroups.Manager { return nil },
		"a path the manager does not have": func(r *record) cgroups.Manager {
			r.CgroupPaths = map[string]string{"memory": "/elsewhere"}
			return mgr
		},
		"a space in the path": func(r *record) cgroups.Manager {
			r2, m2 := newRec(t, "/hull unit/c")
			*r = *r2
			return m2
		},
	} {
		r, _ := newRec(t, "/hull-unit-ticket-none/c")
		m := change(r)
		got := killTicket(r, m)
		if !strings.HasPrefix(got, killTicketMagic+"\ninit 7 99\n") {
			t.Errorf("%s: no kill ticket:\n%s", name, got)
		}
		if strings.Contains(got, "\ndelete ") {
			t.Errorf("%s: the ticket has a delete section:\n%s", name, got)
		}
	}
}
