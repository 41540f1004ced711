package integration

import (
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

const capChown = 0 // CAP_CHOWN's bit number

// chownScript tries to give a file away and reports the effective set.
const chownScript = "touch /tmp/f && chown 4321 /tmp/f && echo chowned; grep CapEff /proc/self/status"

// setCaps gives the process exactly caps in all of its sets but ambient.
func setCaps(caps ...string) func(*specs.Spec) {
	return func(s *specs.Spec) {
		s.Root.Readonly = false
		s.Process.Capabilities = &specs.LinuxCapabilities{
			Bounding: caps, Effective: caps, Permitted: caps, Inheritable: caps,
		}
	}
}

func TestDroppedCapabilityIsMissing(t *testing.T) {
	res := runInContainer(t, chownScript, setCaps("CAP_KILL", "CAP_FOWNER"))
	if strings.Contains(res.stdout, "chowned") || !strings.Contains(res.stderr, "Operation not permitted") {
		t.Errorf("chown without CAP_CHOWN did not fail with EPERM: %v", res)
	}
	if hasCap(t, res.stdout, capChown) {
		t.Errorf("CAP_CHOWN is in the effective set: %v", res)
	}
}

func TestKeptCapabilityIsPresent(t *testing.T) {
	res := runInContainer(t, chownScript, setCaps("CAP_KILL", "CAP_CHOWN"))
	if !strings.Contains(res.stdout, "chowned") {
		t.Errorf("chown with CAP_CHOWN failed: %v", res)
	}
	if !hasCap(t, res.stdout, capChown) {
		t.Errorf("CAP_CHOWN is not in the effective set: %v", res)
	}
}

// hasCap reads the CapEff line of /proc/self/status in out.
func hasCap(t *testing.T, out string, bit uint) bool {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "CapEff:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
			if err != nil {
				t.Fatalf("parse %q: %v", l, err)
			}
			return mask&(1<<bit) != 0
		}
	}
	t.Fatalf("no CapEff line in %q", out)
	return false
}

// As a non-root user, after execve the effective and permitted sets are
// the ambient set; bounding and inheritable stay as configured.
func TestAllFiveCapabilitySets(t *testing.T) {
	const chown, kill = 1 << 0, 1 << 5
	out := outputOf(t, "grep ^Cap /proc/self/status", func(s *specs.Spec) {
		s.Process.User = specs.User{UID: 1000, GID: 1000}
		s.Process.Capabilities = &specs.LinuxCapabilities{
			Bounding:    []string{"CAP_CHOWN", "CAP_KILL"},
			Effective:   []string{"CAP_KILL"},
			Permitted:   []string{"CAP_CHOWN", "CAP_KILL"},
			Inheritable: []string{"CAP_KILL"},
			Ambient:     []string{"CAP_KILL"},
		}
	})
	want := map[string]uint64{"CapInh": kill, "CapPrm": kill, "CapEff": kill, "CapBnd": chown | kill, "CapAmb": kill}
	for _, l := range strings.Split(out, "\n") {
		name, value, _ := strings.Cut(l, ":")
		mask, err := strconv.ParseUint(strings.TrimSpace(value), 16, 64)
		if err != nil {
			t.Fatalf("parse %q: %v", l, err)
		}
		if w, ok := want[name]; ok && mask != w {
			t.Errorf("%s = %#x, want %#x", name, mask, w)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("missing from /proc/self/status: %v\n%s", want, out)
	}
}
