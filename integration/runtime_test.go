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

// run runs `BINARY --root ROOT args...` with no stdin.
func (rt *runtime) run(args ...string) result {
	rt.t.Helper()
	return rt.runCmd(rt.command(args...))
}

// command prepares `BINARY --root ROOT args...`; the caller may change its
// stdio or attributes before passing it to runCmd.
func (rt *runtime) command(args ...string) *exec.Cmd {
	full := append([]string{"--root", rt.root}, args...)
	return exec.Command(runtimeBinary, full...)
}

// runCmd runs cmd with stdout and stderr in files rather than pipes: a
// detached container inherits them, and a pipe it holds open would keep
// the command from ever returning.
func (rt *runtime) runCmd(cmd *exec.Cmd) result {
	rt.t.Helper()
	out, errOut := rt.tempFile(), rt.tempFile()
	defer out.Close()
	defer errOut.Close()
	if cmd.Stdout == nil {
		cmd.Stdout = out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = errOut
	}
	if err := cmd.Start(); err != nil {
		rt.t.Fatalf("start %v: %v", cmd.Args, err)
	}
	res := result{args: cmd.Args, code: waitWithTimeout(rt.t, cmd)}
	res.stdout = readAll(rt.t, out)
	res.stderr = readAll(rt.t, errOut)
	return res
}

func (rt *runtime) tempFile() *os.File {
	rt.t.Helper()
	f, err := os.CreateTemp(rt.t.TempDir(), "out")
	if err != nil {
		rt.t.Fatal(err)
	}
	return f
}

// waitWithTimeout waits for cmd and returns its exit status, killing it
// after commandTimeout.
func waitWithTimeout(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(commandTimeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not finish within %v", cmd.Args, commandTimeout)
	}
	return exitCode(t, err)
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
