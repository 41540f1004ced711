package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func resctrlMounted(t *testing.T) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(data), " - resctrl ")
}

// linux.intelRdt on a host without resctrl mounted fails create with an
// error that names resctrl, and leaves nothing behind (runtime-spec: "If
// no mounted resctrl pseudo-filesystem is available ... generate an error").
func TestIntelRdtWithoutResctrl(t *testing.T) {
	if resctrlMounted(t) {
		t.Skip("skipping: resctrl is mounted here; this test is for hosts without it")
	}
	createFails(t, specWith(t, func(s *specs.Spec) {
		s.Linux.IntelRdt = &specs.LinuxIntelRdt{L3CacheSchema: "L3:0=f"}
	}), nil, "resctrl", "Intel RDT")
}

// With resctrl mounted, the init is in the container's own group and the
// group goes with the container.
func TestIntelRdtGroup(t *testing.T) {
	if !resctrlMounted(t) {
		t.Skip("skipping: no resctrl mounted (needs Intel RDT or AMD PQoS hardware)")
	}
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{} })
	st := c.state()
	data, err := os.ReadFile("/sys/fs/resctrl/" + c.id + "/tasks")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(data), "\n"+strconv.Itoa(st.Pid)+"\n") {
		t.Errorf("init %d not in the container's resctrl group: %q", st.Pid, data)
	}
	mustSucceed(t, c.delete("--force"))
	if _, err := os.Stat("/sys/fs/resctrl/" + c.id); !os.IsNotExist(err) {
		t.Errorf("the container's resctrl group is left behind: %v", err)
	}
}
