package integration

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// An exec's output came back empty once under an engine under load
// (issue 13). These run exec as containerd's shim and conmon do, detached,
// with the output read after hull has returned, while the container keeps
// a core busy: every output must arrive whole.

// busyContainer is a running container whose init keeps a core busy.
func busyContainer(t *testing.T, rt *runtime) *container {
	t.Helper()
	spec := testSpec(t, rt, sh("while :; do :; done & exec sleep 600")...)
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateRunning)
	return c
}

// detachedExecOutput runs `exec --detach --pid-file` with stdout and stderr
// on one pipe, as the shim does, and returns all the process wrote: read
// after hull has exited, up to the process's own exit (EOF).
func detachedExecOutput(t *testing.T, c *container, args ...string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pidFile := filepath.Join(t.TempDir(), "pid")
	full := append([]string{"exec", "--detach", "--pid-file", pidFile, c.id}, args...)
	cmd := c.rt.command(full...)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	w.Close()
	if code := waitWithTimeout(t, cmd); code != 0 {
		t.Fatalf("%v exited %d", cmd.Args, code)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read the exec's output: %v", err)
	}
	return string(out)
}

func TestDetachedExecOutputIsNeverLost(t *testing.T) {
	rt := newRuntime(t)
	c := busyContainer(t, rt)
	for i := range 40 {
		want := fmt.Sprintf("out-%d\n", i)
		if got := detachedExecOutput(t, c, "echo", fmt.Sprintf("out-%d", i)); got != want {
			t.Errorf("exec %d: output %q, want %q", i, got, want)
		}
	}
	// A process that writes more than a pipe holds and exits at once.
	out := detachedExecOutput(t, c, "sh", "-c", "i=0; while [ $i -lt 5000 ]; do echo line-$i; i=$((i+1)); done")
	if n := strings.Count(out, "\n"); n != 5000 || !strings.HasSuffix(out, "line-4999\n") {
		t.Errorf("5000-line exec: %d lines, ending %q", n, out[max(0, len(out)-20):])
	}
}

// With --tty the output goes through the pty master sent to
// --console-socket; read until the process exits (EIO), it must be there,
// with the line ends the pty made as runc sends it ("\r\n": ONLCR left
// set). hull cleared ONLCR on the master after the process had started, so
// the output ended in "\r\n" or "\n" by chance.
func TestDetachedTtyExecOutputIsNeverLost(t *testing.T) {
	rt := newRuntime(t)
	c := busyContainer(t, rt)
	for i := range 15 {
		socketPath := filepath.Join(t.TempDir(), "console.sock")
		listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: socketPath, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		masterCh := make(chan *os.File, 1)
		go func() { masterCh <- receiveFile(t, listener) }()
		mustSucceed(t, c.exec([]string{"--detach", "--tty", "--console-socket", socketPath},
			"echo", fmt.Sprintf("tty-out-%d", i)))
		master := <-masterCh
		listener.Close()
		if master == nil {
			t.Fatal("no pty master received on the console socket")
		}
		out, _ := io.ReadAll(master) // ends with EIO once the process has exited
		master.Close()
		if want := fmt.Sprintf("tty-out-%d\r\n", i); string(out) != want {
			t.Errorf("exec -t %d: output %q, want %q", i, out, want)
		}
	}
}
