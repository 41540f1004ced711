package integration

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// commandTimeout bounds every runtime command so that a hung runtime fails
// the test instead of the whole run. It is a guard, not an assertion.
const commandTimeout = 2 * time.Minute

// runtime runs the binary under test with a --root of its own, which the
// test removes at its end.
type runtime struct {
	t    *testing.T
	root string
	// globals are global flags every command gets (--systemd-cgroup).
	globals []string
	// bin, if set, is run instead of the binary under test.
	bin string
}

func newRuntime(t *testing.T) *runtime {
	t.Helper()
	return &runtime{t: t, root: t.TempDir()}
}

// result is what one runtime command did.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int // exit status; 128+N when killed by signal N
}

// String describes the command and its output, for failure messages.
func (r result) String() string {
	return "`" + strings.Join(r.args, " ") + "` exited " + strconv.Itoa(r.code) +
		"\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// run runs `BINARY --root ROOT args...` with no stdin. Its stdout and
// stderr go to files rather than pipes: a detached container inherits
// them, and a pipe it holds open would keep the command from returning.
func (rt *runtime) run(args ...string) result {
	rt.t.Helper()
	cmd := rt.command(args...)
	out, errOut := rt.tempFile(), rt.tempFile()
	defer out.Close()
	defer errOut.Close()
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		rt.t.Fatalf("start %v: %v", cmd.Args, err)
	}
	res := result{args: cmd.Args, code: waitWithTimeout(rt.t, cmd)}
	res.stdout = readAll(rt.t, out)
	res.stderr = readAll(rt.t, errOut)
	return res
}

// command prepares `BINARY --root ROOT args...` for tests that need their
// own stdio or to run it in the background.
func (rt *runtime) command(args ...string) *exec.Cmd {
	full := append(append([]string{"--root", rt.root}, rt.globals...), args...)
	if rt.bin != "" {
		return exec.Command(rt.bin, full...)
	}
	return exec.Command(runtimeBinary, full...)
}

func (rt *runtime) tempFile() *os.File {
	rt.t.Helper()
	f, err := os.CreateTemp(rt.t.TempDir(), "out")
	if err != nil {
		rt.t.Fatal(err)
	}
	return f
}

// waitWithTimeout waits for the started cmd and returns its exit status.
func waitWithTimeout(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	return awaitExit(t, cmd, startWaiting(cmd))
}

// startWaiting waits for the started cmd in the background; the channel
// gets Wait's result.
func startWaiting(cmd *exec.Cmd) <-chan error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return done
}

// awaitExit returns cmd's exit status once done delivers it, killing cmd
// after commandTimeout.
func awaitExit(t *testing.T, cmd *exec.Cmd, done <-chan error) int {
	t.Helper()
	select {
	case err := <-done:
		return exitCode(t, err)
	case <-time.After(commandTimeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not finish within %v", cmd.Args, commandTimeout)
		return -1
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("wait: %v", err)
	}
	if exitErr.ExitCode() < 0 {
		t.Fatalf("the runtime itself was killed: %v", exitErr)
	}
	return exitErr.ExitCode()
}

func readAll(t *testing.T, f *os.File) string {
	t.Helper()
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mustSucceed fails the test unless res exited 0.
func mustSucceed(t *testing.T, res result) result {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("expected success: %v", res)
	}
	return res
}
