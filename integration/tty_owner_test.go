package integration

import (
	"io"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ttyOwnerScript prints the owner uid:gid of the process's terminal.
const ttyOwnerScript = "stat -c %u:%g $(tty)"

// The pty slave of a process that runs as a non-root user belongs to that
// user, so that it can use its own terminal (runc's tty owner tests): the
// uid is the process's, the gid stays the devpts mount's gid=5 (tty).
// A root process keeps 0:5.
func TestTtyBelongsToTheProcessUser(t *testing.T) {
	for _, tc := range []struct {
		uid, gid uint32
		want     string
	}{{0, 0, "0:5"}, {1000, 100, "1000:5"}} {
		out := runWithConsole(t, ttyOwnerScript, func(s *specs.Spec) {
			s.Process.User = specs.User{UID: tc.uid, GID: tc.gid}
		})
		if got := strings.TrimSpace(out); got != tc.want {
			t.Errorf("run as %d:%d: tty owned by %q, want %q", tc.uid, tc.gid, got, tc.want)
		}
	}
}

// exec -t: the same for the exec'd process, as the container's user or
// as --user.
func TestExecTtyBelongsToTheProcessUser(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Process.User = specs.User{UID: 1000, GID: 100} })
	for _, tc := range []struct {
		options []string
		want    string
	}{{nil, "1000:5"}, {[]string{"--user", "0:0"}, "0:5"}, {[]string{"--user", "1001:1001"}, "1001:5"}} {
		out := execWithConsole(t, c, tc.options, "sh", "-c", ttyOwnerScript)
		if got := strings.TrimSpace(out); got != tc.want {
			t.Errorf("exec -t %v: tty owned by %q, want %q", tc.options, got, tc.want)
		}
	}
}

// exec -t without --process takes the container's process.consoleSize
// (runc builds that process from config.json).
func TestExecTtyTakesTheConfigConsoleSize(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Process.ConsoleSize = &specs.Box{Height: 10, Width: 110}
	})
	out := execWithConsole(t, c, nil, "stty", "size")
	if got := strings.TrimSpace(out); got != "10 110" {
		t.Errorf("exec -t in a container with consoleSize 10x110: stty size printed %q", got)
	}
}

// execWithConsole runs `exec -t --detach --console-socket` in c and
// returns what the process wrote to its pty.
func execWithConsole(t *testing.T, c *container, options []string, args ...string) string {
	t.Helper()
	socketPath, masters := fileSocket(t)
	options = append([]string{"--tty", "--detach", "--console-socket", socketPath}, options...)
	mustSucceed(t, c.exec(options, args...))
	master := <-masters
	if master == nil {
		t.Fatal("no pty master received")
	}
	defer master.Close()
	out, _ := io.ReadAll(master)
	return string(out)
}
