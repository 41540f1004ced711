package integration

import (
	"os/exec"
	"strings"
	"testing"
)

// A shell as pid 1 that exits with a known status on a signal, and says
// when its trap is in place.
func trapScript(signal, status string) []string {
	return sh("trap 'exit " + status + "' " + signal + "; echo ready; while :; do sleep 1 & wait $!; done")
}

// startForeground starts `run` for c in the background, with its stdout in
// a file, and waits until the container printed "ready".
func startForeground(t *testing.T, c *container) (*exec.Cmd, func() string) {
	t.Helper()
	out := c.rt.tempFile()
	t.Cleanup(func() { out.Close() })
	cmd := c.rt.command("run", "--bundle", c.bundle, c.id)
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	stdout := func() string { return readAll(t, out) }
	waitFor(t, "the container to be ready", func() bool { return strings.Contains(stdout(), "ready") })
	return cmd, stdout
}

func TestKillBySignalNumberAndName(t *testing.T) {
	for _, tc := range []struct{ trap, send string }{
		{"TERM", "15"},
		{"USR1", "SIGUSR1"},
		{"USR2", "USR2"},
	} {
		t.Run(tc.send, func(t *testing.T) {
			rt := newRuntime(t)
			c := newContainer(t, rt, testSpec(t, rt, trapScript(tc.trap, "42")...))
			cmd, _ := startForeground(t, c)
			mustSucceed(t, c.kill(tc.send))
			if code := waitWithTimeout(t, cmd); code != 42 {
				t.Errorf("kill %s: run exited %d, want 42 (the trap's status)", tc.send, code)
			}
		})
	}
}

func TestRunKilledBySIGKILLExits137(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, trapScript("TERM", "42")...))
	cmd, _ := startForeground(t, c)
	mustSucceed(t, c.kill("KILL"))
	if code := waitWithTimeout(t, cmd); code != 137 {
		t.Errorf("run exited %d, want 137 (128+SIGKILL)", code)
	}
}
