package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// `run` in the foreground passes the signals it gets on to the container.
func TestRunForwardsSignalsToTheContainer(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, trapScript("USR1", "42")...))
	run := startForeground(t, c)
	if err := run.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if code := run.wait(); code != 42 {
		t.Errorf("run exited %d, want 42 (the container's trap for the forwarded SIGUSR1)", code)
	}
}

func TestPidFileHoldsTheInitsPid(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	pidFile := filepath.Join(t.TempDir(), "pid")
	mustSucceed(t, rt.run("create", "--bundle", c.bundle, "--pid-file", pidFile, c.id))
	pid, err := strconv.Atoi(strings.TrimSpace(readFile(t, pidFile)))
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	if st := c.state(); pid != st.Pid || pid <= 0 {
		t.Errorf("pid file says %d, state says %d", pid, st.Pid)
	}
}

func TestRunDetachedReturnsARunningContainer(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	mustSucceed(t, rt.run("run", "--detach", "--bundle", c.bundle, c.id))
	st := c.state()
	if st.Status != specs.StateRunning {
		t.Fatalf("after run --detach: status %q, want running", st.Status)
	}
	// start returns once the init is released; its execve follows a moment
	// later (as with runc), so the init becomes sleep, not necessarily at once.
	waitFor(t, "the init to exec sleep", func() bool {
		comm := strings.TrimSpace(readFile(t, filepath.Join("/proc", strconv.Itoa(st.Pid), "comm")))
		return comm == "sleep"
	})
}

func TestRunNoPivot(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, sh("echo $$; ls -1 /")...))
	res := mustSucceed(t, rt.run("run", "--no-pivot", "--bundle", c.bundle, c.id))
	got := strings.Fields(res.stdout)
	entries, err := os.ReadDir(filepath.Join(c.bundle, "rootfs"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1"}
	for _, e := range entries {
		want = append(want, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("with --no-pivot: pid and / are %q, want pid 1 and the bundle's rootfs %q", got, want)
	}
}

// With --log-format json, the error that ended the command is the last
// line of the log, as containerd reads it.
func TestJSONLogEndsWithTheError(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, "true")
	spec.Root.Path = "missing-rootfs"
	c := newContainer(t, rt, spec)
	logFile := filepath.Join(t.TempDir(), "log.json")
	res := rt.run("--log", logFile, "--log-format", "json", "create", "--bundle", c.bundle, c.id)
	if res.code == 0 {
		t.Fatalf("create of a bundle without rootfs succeeded: %v", res)
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, logFile)), "\n")
	last := decodeLogLine(t, lines[len(lines)-1])
	if last["level"] != "error" || !strings.Contains(last["msg"], "missing-rootfs") {
		t.Errorf("last log line %q: want level error and a msg naming missing-rootfs", lines[len(lines)-1])
	}
	if last["time"] == "" {
		t.Errorf("last log line %q has no time", lines[len(lines)-1])
	}
	assertNothingLeftBehind(t, rt, c.id, c.bundle)
}
