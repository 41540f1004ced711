package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// An exec into a container whose linux.resources.pids.limit is 1 (its
// init alone) cannot fork its process inside the container's cgroup; runc
// fails there too (its init cannot start a thread). hull says so in one
// line naming the limit, exits 255, and leaves the container running;
// once `update --pids-limit` makes room for the exec's two tasks (the
// executor and the process), the same exec works.
func TestExecAtThePidsLimitSaysSo(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		limit := int64(1)
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &limit}
	})
	res := c.exec(nil, "true")
	if res.code != 255 {
		t.Errorf("exec at the pids limit: exit %d, want 255: %v", res.code, res)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	want := "linux.resources.pids.limit: no room under the container's limit of 1 tasks (pids.max)"
	if len(lines) != 1 || !strings.Contains(lines[0], want) || !strings.Contains(lines[0], "resource temporarily unavailable") {
		t.Errorf("want one line with %q and the errno: %v", want, res)
	}
	if st := c.state(); st.Status != specs.StateRunning {
		t.Errorf("the failed exec left the container %s, want running", st.Status)
	}
	mustSucceed(t, rt.run("update", "--pids-limit", "3", c.id))
	if out := mustSucceed(t, c.exec(nil, "echo", "room")).stdout; strings.TrimSpace(out) != "room" {
		t.Errorf("exec with room under the pids limit printed %q, want room", out)
	}
}
