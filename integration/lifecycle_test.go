package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestStateFollowsCreateStartKillDelete(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))

	mustSucceed(t, c.create())
	st := c.state()
	if st.Status != specs.StateCreated {
		t.Errorf("after create: status %q, want created", st.Status)
	}
	if st.ID != c.id {
		t.Errorf("state id %q, want %q", st.ID, c.id)
	}
	if st.Pid <= 0 {
		t.Errorf("after create: pid %d, want > 0", st.Pid)
	}
	if st.Bundle != c.bundle {
		t.Errorf("state bundle %q, want %q", st.Bundle, c.bundle)
	}

	mustSucceed(t, c.start())
	if st := c.state(); st.Status != specs.StateRunning {
		t.Errorf("after start: status %q, want running", st.Status)
	}

	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)

	mustSucceed(t, c.delete())
	if res := rt.run("state", c.id); res.code == 0 {
		t.Errorf("state after delete succeeded: %v", res)
	}
}

func TestCreatedContainerWaitsForStart(t *testing.T) {
	rt := newRuntime(t)
	marker := "/tmp/started"
	spec := testSpec(t, rt, sh("touch "+marker+"; sleep 1000")...)
	spec.Root.Readonly = false
	c := newContainer(t, rt, spec)

	mustSucceed(t, c.create())
	hostMarker := c.bundle + "/rootfs" + marker
	if fileExists(hostMarker) {
		t.Fatal("the process ran before start")
	}
	mustSucceed(t, c.start())
	waitFor(t, "the process to run after start", func() bool { return fileExists(hostMarker) })
}

func TestDeleteTwiceFails(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	mustSucceed(t, c.create())
	mustSucceed(t, c.delete("--force"))
	res := c.delete()
	if res.code == 0 {
		t.Fatalf("second delete succeeded: %v", res)
	}
	if !strings.Contains(res.stderr, c.id) && !strings.Contains(res.stderr, "not exist") {
		t.Errorf("the error names neither the id nor a missing container: %v", res)
	}
}
