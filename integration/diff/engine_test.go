package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// commandTimeout guards every runtime command: a hung runtime fails its
// case instead of the whole suite.
const commandTimeout = 30 * time.Second

// engine is one of the two runtimes, with a --root of its own.
type engine struct {
	name string // "hull" or "runc"
	bin  string
	root string
}

func engines(t *testing.T) []*engine {
	return []*engine{
		{name: "hull", bin: hullBinary, root: t.TempDir()},
		{name: "runc", bin: runcBinary, root: t.TempDir()},
	}
}

// outcome is what one command did.
type outcome struct {
	code           int
	stdout, stderr string
}

// run runs `BIN --root ROOT args...` with stdin from /dev/null. Output
// goes to files rather than pipes: a container started by the command
// inherits them, and a pipe it held would keep us waiting.
func (e *engine) run(t *testing.T, args ...string) outcome {
	t.Helper()
	dir := t.TempDir()
	out, err := os.Create(dir + "/stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	errOut, err := os.Create(dir + "/stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer errOut.Close()
	code := e.runWith(t, out, errOut, nil, args...)
	stdout, _ := os.ReadFile(out.Name())
	stderr, _ := os.ReadFile(errOut.Name())
	return outcome{code: code, stdout: string(stdout), stderr: string(stderr)}
}

// runWith runs the command with the given stdout and stderr and extra
// environment, and returns its exit status.
func (e *engine) runWith(t *testing.T, stdout, stderr *os.File, env []string, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, append([]string{"--root", e.root}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Errorf("%s %v: timed out after %v", e.name, args, commandTimeout)
		return -1
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		return exitErr.ExitCode()
	default:
		t.Fatalf("%s %v: %v", e.name, args, err)
		return -1
	}
}

// containerState is the part of `state` the suite reads.
type containerState struct {
	Pid    int    `json:"pid"`
	Status string `json:"status"`
}

func (e *engine) state(t *testing.T, id string) (containerState, bool) {
	t.Helper()
	res := e.run(t, "state", id)
	var st containerState
	if res.code != 0 || json.Unmarshal([]byte(res.stdout), &st) != nil {
		return st, false
	}
	return st, true
}

// waitStopped polls `state` until the container has stopped (or is gone).
func (e *engine) waitStopped(t *testing.T, id string) error {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		st, ok := e.state(t, id)
		if !ok || st.Status == "stopped" {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s: container %s did not stop within 15s", e.name, id)
}

// waitStatus polls `state` until the container has the status.
func (e *engine) waitStatus(t *testing.T, id, status string) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st, ok := e.state(t, id); ok && st.Status == status {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// forceDelete removes the container whatever its state, for cleanup.
func (e *engine) forceDelete(t *testing.T, id string) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, "--root", e.root, "delete", "--force", id)
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
}
