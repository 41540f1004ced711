package integration

import (
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// capSet reads one Cap* line (CapInh, CapAmb, ...) of /proc/self/status.
func capSet(t *testing.T, status, name string) uint64 {
	t.Helper()
	for _, l := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(l, name+":"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
			if err != nil {
				t.Fatalf("parse %q: %v", l, err)
			}
			return mask
		}
	}
	t.Fatalf("no %s line in %q", name, status)
	return 0
}

// An unknown capability name is ignored with runc's warning, and an
// ambient capability that is not inheritable is skipped with runc's
// warning; the container runs with the known ones.
func TestUnknownCapabilityIsAWarning(t *testing.T) {
	const kill, netBind = 1 << 5, 1 << 10
	res := runInContainer(t, "grep ^Cap /proc/self/status", func(s *specs.Spec) {
		s.Process.Capabilities = &specs.LinuxCapabilities{
			Bounding:    []string{"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_FOO"},
			Effective:   []string{"CAP_KILL", "CAP_NET_BIND_SERVICE"},
			Permitted:   []string{"CAP_KILL", "CAP_NET_BIND_SERVICE"},
			Inheritable: []string{"CAP_KILL"},
			Ambient:     []string{"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_BAR"},
		}
	})
	mustSucceed(t, res)
	for _, want := range []string{
		"ignoring unknown or unavailable capabilities: [CAP_BAR CAP_FOO]",
		"can't raise ambient capability CAP_NET_BIND_SERVICE",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("no warning %q: %v", want, res)
		}
	}
	if got := capSet(t, res.stdout, "CapBnd"); got != kill|netBind {
		t.Errorf("CapBnd = %#x, want %#x", got, kill|netBind)
	}
	if got := capSet(t, res.stdout, "CapAmb"); got != kill {
		t.Errorf("CapAmb = %#x, want %#x (CAP_KILL)", got, kill)
	}
}

// exec --cap adds to the bounding, effective and permitted sets; with an
// ambient set in the spec the exec'd process still gets no inheritable
// and hence no ambient capabilities (hull's rule, see the README), and
// an unknown --cap is a warning.
func TestExecCapWithAmbientFromSpec(t *testing.T) {
	const kill, netAdmin = 1 << 5, 1 << 12
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Process.Capabilities = &specs.LinuxCapabilities{
			Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"},
			Inheritable: []string{"CAP_KILL"}, Ambient: []string{"CAP_KILL"},
		}
	})
	res := mustSucceed(t, c.exec([]string{"--cap", "CAP_NET_ADMIN", "--cap", "CAP_FOO"}, "grep", "^Cap", "/proc/self/status"))
	if !strings.Contains(res.stderr, "ignoring unknown or unavailable capabilities: [CAP_FOO]") {
		t.Errorf("no warning about CAP_FOO: %v", res)
	}
	want := map[string]uint64{"CapInh": 0, "CapAmb": 0, "CapPrm": kill | netAdmin, "CapEff": kill | netAdmin, "CapBnd": kill | netAdmin}
	for name, w := range want {
		if got := capSet(t, res.stdout, name); got != w {
			t.Errorf("%s = %#x, want %#x\n%s", name, got, w, res.stdout)
		}
	}
}
