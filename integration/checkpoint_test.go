package integration

import (
	"strings"
	"testing"
)

// checkpoint and restore take runc's flags and, while hull cannot
// checkpoint, fail with an error that names CRIU and why; the container
// keeps running.
func TestCheckpointFailsNamingCRIU(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	res := rt.run("checkpoint", "--image-path", t.TempDir(), "--leave-running", "--manage-cgroups-mode", "soft", c.id)
	if res.code == 0 {
		t.Skipf("the runtime checkpoints: %v", res)
	}
	if !strings.Contains(res.stderr, "CRIU") && !strings.Contains(res.stderr, "criu") {
		t.Errorf("checkpoint failed without naming CRIU: %v", res)
	}
	if st := c.state().Status; st != "running" {
		t.Errorf("status after a failed checkpoint = %s", st)
	}
	res = rt.run("restore", "--image-path", t.TempDir(), "--bundle", c.bundle, "--detach", uniqueID(t))
	if res.code == 0 || !strings.Contains(strings.ToLower(res.stderr), "criu") {
		t.Errorf("restore: %v", res)
	}
}
