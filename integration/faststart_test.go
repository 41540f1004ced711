package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// startTraced runs `start` (with globals before it) with the Go runtime's
// init trace on: its stderr names "init runtime" exactly when Go started,
// which tells the C start path (package faststart) from Go's.
func startTraced(t *testing.T, rt *runtime, id string, globals ...string) (res result, ranGo bool) {
	t.Helper()
	saved := rt.globals
	rt.globals = append(append([]string{}, saved...), globals...)
	t.Setenv("GODEBUG", "inittrace=1")
	res = rt.run("start", id)
	rt.globals = saved
	os.Unsetenv("GODEBUG")
	return res, strings.Contains(res.stderr, "init runtime")
}

// TestStartWithoutGo: a created container with no start hooks is started
// by the C path, which keeps Container.Start's effects and leaves every
// refusal to Go with Go's message.
func TestStartWithoutGo(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sh", "-c", "echo ran > /dev/shm/ran; sleep 600"))
	mustSucceed(t, c.create())
	if _, err := os.Stat(filepath.Join(rt.root, c.id, "start.ticket")); err != nil {
		t.Fatalf("create of a container without start hooks left no start ticket: %v", err)
	}
	logFile := filepath.Join(t.TempDir(), "log.json")
	res, ranGo := startTraced(t, rt, c.id, "--log", logFile, "--log-format", "json")
	mustSucceed(t, res)
	if ranGo {
		t.Errorf("start of a ticketed container started the Go runtime:\n%s", res.stderr)
	}
	if _, err := os.Stat(logFile); err != nil {
		t.Errorf("start did not create its --log file as Go's start does: %v", err)
	}
	c.waitStatus(specs.StateRunning)
	if _, err := os.Lstat(filepath.Join(rt.root, c.id, "exec.fifo")); !os.IsNotExist(err) {
		t.Errorf("exec.fifo still there after start: %v", err)
	}
	waitFor(t, "the process to run", func() bool {
		return strings.TrimSpace(c.exec(nil, "cat", "/dev/shm/ran").stdout) == "ran"
	})

	res, ranGo = startTraced(t, rt, c.id)
	if res.code == 0 || !strings.Contains(res.stderr, "cannot start an already running container") {
		t.Errorf("second start: want Go's refusal of a running container, got %v", res)
	}
	if !ranGo {
		t.Errorf("second start did not leave the refusal to Go:\n%s", res.stderr)
	}
	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)
	if res, _ = startTraced(t, rt, c.id); res.code == 0 || !strings.Contains(res.stderr, "cannot start a container that has stopped") {
		t.Errorf("start of a stopped container: want Go's refusal, got %v", res)
	}
}

// TestStartPausedCreatedRefused: the C path checks the freezer as Go
// does; a paused created container is refused and not let go.
func TestStartPausedCreatedRefused(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	mustSucceed(t, c.create())
	if res := rt.run("pause", c.id); res.code != 0 {
		t.Skipf("pause of a created container refused here: %v", res)
	}
	res, _ := startTraced(t, rt, c.id)
	if res.code == 0 {
		t.Fatalf("start of a paused container succeeded: %v", res)
	}
	mustSucceed(t, rt.run("resume", c.id))
	if st := c.state().Status; st != specs.StateCreated {
		t.Errorf("status after the refused start and resume = %s, want created", st)
	}
}

// TestStartWithHooksRunsGo: a poststart hook needs Go, so create leaves
// no ticket and start runs the hook.
func TestStartWithHooksRunsGo(t *testing.T) {
	rt := newRuntime(t)
	mark := filepath.Join(t.TempDir(), "poststart")
	spec := testSpec(t, rt, "true")
	spec.Hooks = &specs.Hooks{Poststart: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "touch " + mark}}}}
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	if _, err := os.Stat(filepath.Join(rt.root, c.id, "start.ticket")); !os.IsNotExist(err) {
		t.Errorf("create of a container with a poststart hook left a start ticket: %v", err)
	}
	res, ranGo := startTraced(t, rt, c.id)
	mustSucceed(t, res)
	if !ranGo {
		t.Errorf("start with a poststart hook did not run Go")
	}
	if _, err := os.Stat(mark); err != nil {
		t.Errorf("the poststart hook did not run: %v", err)
	}
}
