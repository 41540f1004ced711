package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A device rule whose access has letters other than r, w and m (a deny
// "rwa") is accepted as runc accepts it: the unknown letters are ignored.
func TestDeviceRuleWithUnknownAccessLetter(t *testing.T) {
	out := outputOf(t, "echo x > /dev/null && echo null-ok", func(s *specs.Spec) {
		s.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwa"}}
	})
	if out != "null-ok" {
		t.Errorf("got %q, want null-ok", out)
	}
}

// linux.resources.unified on a cgroup v1 host is refused with runc's
// phrase, naming the field, and nothing is left behind.
func TestUnifiedOnCgroupV1IsInvalidConfiguration(t *testing.T) {
	if fileExists("/sys/fs/cgroup/cgroup.controllers") {
		t.Skip("a cgroup v2 host accepts linux.resources.unified")
	}
	rt := newRuntime(t)
	spec := testSpec(t, rt, "true")
	spec.Linux.Resources.Unified = map[string]string{"pids.max": "10"}
	c := newContainer(t, rt, spec)
	res := c.runForeground()
	if res.code == 0 {
		t.Fatalf("unified on cgroup v1 ran: %v", res)
	}
	if !strings.Contains(res.stderr, "invalid configuration") || !strings.Contains(res.stderr, "linux.resources.unified") {
		t.Errorf("error lacks runc's phrase or the field: %v", res)
	}
	assertNothingLeftBehind(t, rt, c.id, c.bundle)
}
