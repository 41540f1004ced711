package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// config.md: process is optional at create and "REQUIRED when start is
// called": create succeeds and waits, start fails naming the field and
// leaves the container created, delete removes it.
func TestCreateWithoutProcess(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, "true")
	spec.Process = nil
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	if st := c.state(); st.Status != specs.StateCreated || st.Pid <= 0 {
		t.Fatalf("after create: %+v", st)
	}
	res := c.start()
	if res.code == 0 || !strings.Contains(res.stderr, "process: required by start") {
		t.Errorf("start without process: %v", res)
	}
	if st := c.state(); st.Status != specs.StateCreated {
		t.Errorf("after the refused start: %s, want created", st.Status)
	}
	mustSucceed(t, c.delete("--force"))
}
