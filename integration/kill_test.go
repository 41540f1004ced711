package integration

import "testing"

func TestKillBySignalNumberAndName(t *testing.T) {
	for _, tc := range []struct{ trap, send string }{
		{"TERM", "15"},
		{"USR1", "SIGUSR1"},
		{"USR2", "USR2"},
	} {
		t.Run(tc.send, func(t *testing.T) {
			rt := newRuntime(t)
			c := newContainer(t, rt, testSpec(t, rt, trapScript(tc.trap, "42")...))
			run := startForeground(t, c)
			mustSucceed(t, c.kill(tc.send))
			if code := run.wait(); code != 42 {
				t.Errorf("kill %s: run exited %d, want 42 (the trap's status)", tc.send, code)
			}
		})
	}
}

func TestRunKilledBySIGKILLExits137(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, trapScript("TERM", "42")...))
	run := startForeground(t, c)
	mustSucceed(t, c.kill("KILL"))
	if code := run.wait(); code != 137 {
		t.Errorf("run exited %d, want 137 (128+SIGKILL)", code)
	}
}
