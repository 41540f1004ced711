package integration

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Signals other than INT/TERM/HUP/QUIT (for `exec`, every signal) are
// caught while hull waits for the executor, and that is joined before hull
// names the process (pid file) or lets it run: a signal sent to a
// foreground `run` or `exec` the moment its pid file appears must reach
// the process, not be dropped by hull or end it. The `sleep` has no handler, so the forwarded signal
// kills it and hull exits 128+N; a dropped one would leave it sleeping.
func TestSignalRightAfterThePidFileIsForwarded(t *testing.T) {
	rt := newRuntime(t)
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGALRM, syscall.Signal(40)} {
		t.Run("run/"+sigName(sig), func(t *testing.T) {
			// Without a pid namespace: as its pid 1, sleep would ignore
			// a signal it has no handler for.
			spec := testSpec(t, rt, "sleep", "1000")
			spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
				return ns.Type == specs.PIDNamespace
			})
			c := newContainer(t, rt, spec)
			pidFile := filepath.Join(t.TempDir(), "pid")
			cmd := rt.command("run", "--bundle", c.bundle, "--pid-file", pidFile, c.id)
			signalWhenPidFileAppears(t, cmd, pidFile, sig)
		})
	}
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	mustSucceed(t, rt.run("run", "--detach", "--bundle", c.bundle, c.id))
	for _, sig := range []syscall.Signal{syscall.SIGUSR2, syscall.Signal(50), syscall.SIGTERM, syscall.SIGHUP} {
		t.Run("exec/"+sigName(sig), func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			cmd := rt.command("exec", "--pid-file", pidFile, c.id, "sleep", "1000")
			signalWhenPidFileAppears(t, cmd, pidFile, sig)
		})
	}
}

// signalWhenPidFileAppears starts cmd, sends sig to it as soon as pidFile
// exists and checks that it exits 128+sig (its process killed by the
// forwarded signal), not killed itself or still waiting.
func signalWhenPidFileAppears(t *testing.T, c *exec.Cmd, pidFile string, sig syscall.Signal) {
	t.Helper()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := startWaiting(c)
	t.Cleanup(func() { _ = c.Process.Kill() })
	deadline := time.Now().Add(commandTimeout)
	for !fileExists(pidFile) {
		select {
		case err := <-done:
			t.Fatalf("%v ended (status %d) before it wrote its pid file", c.Args, exitCode(t, err))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", pidFile)
		}
		time.Sleep(100 * time.Microsecond)
	}
	if err := c.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if code, want := awaitExit(t, c, done), 128+int(sig); code != want {
		t.Errorf("%v exited %d after %s, want %d (its process killed by the forwarded signal)", c.Args, code, sigName(sig), want)
	}
}

func sigName(sig syscall.Signal) string {
	if sig > syscall.SIGSYS {
		return "signal" + strconv.Itoa(int(sig))
	}
	return sig.String()
}
