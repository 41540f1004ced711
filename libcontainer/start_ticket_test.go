package libcontainer

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestStartTicket(t *testing.T) {
	hook := []specs.Hook{{Path: "/bin/true"}}
	proc := &specs.Process{Args: []string{"true"}}
	for _, tc := range []struct {
		name  string
		spec  *specs.Spec
		paths map[string]string
		want  string
	}{
		{"no process", &specs.Spec{}, nil, ""},
		{"poststart hook", &specs.Spec{Process: proc, Hooks: &specs.Hooks{Poststart: hook}}, nil, ""},
		{"startContainer hook", &specs.Spec{Process: proc, Hooks: &specs.Hooks{StartContainer: hook}}, nil, ""},
		{"other hooks only", &specs.Spec{Process: proc, Hooks: &specs.Hooks{Poststop: hook, CreateRuntime: hook}}, nil, startTicketMagic + "\n"},
		{"v1 freezer", &specs.Spec{Process: proc}, map[string]string{"freezer": "/sys/fs/cgroup/freezer/c", "": "/sys/fs/cgroup/unified/c"},
			startTicketMagic + "\nfreezer-v1 /sys/fs/cgroup/freezer/c/freezer.state\n"},
		{"v2", &specs.Spec{Process: proc}, map[string]string{"": "/sys/fs/cgroup/c"},
			startTicketMagic + "\nfreeze-v2 /sys/fs/cgroup/c/cgroup.freeze\n"},
		{"newline in a path", &specs.Spec{Process: proc}, map[string]string{"freezer": "/a\nb"}, ""},
	} {
		if got := startTicket(tc.spec, tc.paths); got != tc.want {
			t.Errorf("%s: startTicket = %q, want %q", tc.name, got, tc.want)
		}
	}
}
