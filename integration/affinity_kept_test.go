package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hull starts with its CPU affinity narrowed to one CPU, so that the Go
// runtime makes one P (internal/oneproc), and puts the caller's mask back
// on every thread before any code of its own runs: no thread of the
// runtime, no hook and no container process may keep the narrowed mask.
// Checked for a foreground `run` (the runtime's own threads while it
// waits), `create`+`start` and `exec`, with the hooks that run in the
// runtime's namespaces.
func TestCallersCPUAffinityIsKept(t *testing.T) {
	if goruntime.NumCPU() < 2 {
		t.Skip("skipping: needs two CPUs to tell a narrowed mask from the caller's")
	}
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("skipping: with GOMAXPROCS set the runtime never narrows its mask")
	}
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	want := cpusAllowed(t, string(self))
	if !strings.ContainsAny(want, ",-") {
		t.Skipf("skipping: the test itself runs on one CPU (%s)", want)
	}

	withHooks := func(dir string) func(*specs.Spec) {
		hook := func(name string) []specs.Hook {
			return []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", `cat /proc/self/status > "$0"`, filepath.Join(dir, name)}}}
		}
		return func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{
				CreateRuntime: hook("createRuntime"), Prestart: hook("prestart"),
				Poststart: hook("poststart"), Poststop: hook("poststop"),
			}
		}
	}
	checkHooks := func(t *testing.T, dir string) {
		t.Helper()
		for _, name := range []string{"createRuntime", "prestart", "poststart", "poststop"} {
			status, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("the %s hook did not run: %v", name, err)
				continue
			}
			if got := cpusAllowed(t, string(status)); got != want {
				t.Errorf("%s hook's CPUs %s, want the caller's %s", name, got, want)
			}
		}
	}
	checkExec := func(t *testing.T, c *container) {
		t.Helper()
		for _, file := range []string{"/proc/1/status", "/proc/self/status"} {
			out := mustSucceed(t, c.exec(nil, "cat", file)).stdout
			if got := cpusAllowed(t, out); got != want {
				t.Errorf("%s in the container: CPUs %s, want the caller's %s", file, got, want)
			}
		}
	}

	// checkThreads checks every thread of the runtime's process pid.
	checkThreads := func(t *testing.T, command string, pid int) {
		t.Helper()
		tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range tasks {
			status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/status")
			if err != nil {
				continue // a thread that ended meanwhile
			}
			if got := cpusAllowed(t, string(status)); got != want {
				t.Errorf("thread %s of the runtime's `%s`: CPUs %s, want the caller's %s", task.Name(), command, got, want)
			}
		}
	}

	t.Run("run", func(t *testing.T) {
		rt := newRuntime(t)
		dir := t.TempDir()
		spec := testSpec(t, rt, "sleep", "600")
		withHooks(dir)(spec)
		c := newContainer(t, rt, spec)
		cmd := rt.command("run", "--bundle", c.bundle, c.id)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := startWaiting(cmd)
		waitFor(t, "the container running", func() bool {
			var st specs.State
			return json.Unmarshal([]byte(rt.run("state", c.id).stdout), &st) == nil && st.Status == specs.StateRunning
		})
		checkThreads(t, "run", cmd.Process.Pid)
		checkExec(t, c)
		mustSucceed(t, c.kill("KILL"))
		awaitExit(t, cmd, done)
		checkHooks(t, dir)
	})

	// A foreground exec pins its own threads to one CPU while it catches
	// the signals, and puts the caller's mask back once the process runs.
	t.Run("exec-foreground", func(t *testing.T) {
		rt := newRuntime(t)
		c := startSleeper(t, rt, nil)
		pidFile := filepath.Join(t.TempDir(), "pid")
		cmd := rt.command("exec", "--pid-file", pidFile, c.id, "sleep", "600")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := startWaiting(cmd)
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		waitFor(t, "the exec'd process's pid file", func() bool { return fileExists(pidFile) })
		checkThreads(t, "exec", cmd.Process.Pid)
		data, err := os.ReadFile(pidFile)
		if err != nil {
			t.Fatal(err)
		}
		status, err := os.ReadFile("/proc/" + strings.TrimSpace(string(data)) + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if got := cpusAllowed(t, string(status)); got != want {
			t.Errorf("the exec'd process: CPUs %s, want the caller's %s", got, want)
		}
		mustSucceed(t, c.kill("KILL"))
		awaitExit(t, cmd, done)
	})

	t.Run("create-start", func(t *testing.T) {
		rt := newRuntime(t)
		dir := t.TempDir()
		c := startSleeper(t, rt, withHooks(dir))
		checkExec(t, c)
		mustSucceed(t, c.kill("KILL"))
		c.waitStatus(specs.StateStopped)
		mustSucceed(t, c.delete())
		checkHooks(t, dir)
	})
}
