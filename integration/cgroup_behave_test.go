package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// create into a cgroup that already has processes is refused with runc's
// phrase (a frozen one too: "container's cgroup unexpectedly frozen").
func TestCreateIntoBusyCgroupIsRefused(t *testing.T) {
	rt := newRuntime(t)
	first := startSleeper(t, rt, func(s *specs.Spec) { s.Linux.CgroupsPath = "/" + uniqueID(t) })
	spec := testSpec(t, rt, "true")
	spec.Linux.CgroupsPath = readCgroupsPath(t, first)
	c := newContainer(t, rt, spec)
	res := c.create()
	if res.code == 0 || !strings.Contains(res.stderr, "container's cgroup is not empty") {
		t.Errorf("create into a busy cgroup: %v", res)
	}
}

// readCgroupsPath is the linux.cgroupsPath a container was created with.
func readCgroupsPath(t *testing.T, c *container) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.bundle, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	return spec.Linux.CgroupsPath
}
