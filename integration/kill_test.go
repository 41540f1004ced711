package integration

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

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

// kill --all signals every process of the container, not only the init.
// SIGTERM tells the two apart: the init (pid 1 of its namespace, no
// handler) ignores it, while an exec'd sleep dies of it only if signalled
// itself.
func TestKillAllReachesEveryProcess(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	pidFile := filepath.Join(t.TempDir(), "exec.pid")
	mustSucceed(t, c.exec([]string{"--detach", "--pid-file", pidFile}, "sleep", "500"))
	execPid, err := strconv.Atoi(strings.TrimSpace(readFile(t, pidFile)))
	if err != nil {
		t.Fatalf("exec --pid-file: %v", err)
	}

	mustSucceed(t, c.kill("TERM"))
	if !processAlive(execPid) {
		t.Fatalf("kill without --all reached the exec'd process %d", execPid)
	}
	mustSucceed(t, rt.run("kill", "--all", c.id, "TERM"))
	waitFor(t, "the exec'd process to die of kill --all", func() bool { return !processAlive(execPid) })
	if st := c.state(); st.Status != specs.StateRunning || !processAlive(st.Pid) {
		t.Errorf("the init should ignore SIGTERM and keep running: %+v", st)
	}
}
