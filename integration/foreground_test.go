package integration

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A shell as pid 1 that exits with a known status on a signal, and says
// when its trap is in place.
func trapScript(signal, status string) []string {
	return sh("trap 'exit " + status + "' " + signal + "; echo ready; while :; do sleep 1 & wait $!; done")
}

// foreground is `run` of a container going on in the background of the
// test, with its output in files.
type foreground struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *os.File
	errOut *os.File
	done   <-chan error
}

// startForeground starts `run` for c and waits until the container printed
// "ready", failing at once if `run` ends before that.
func startForeground(t *testing.T, c *container) *foreground {
	t.Helper()
	f := &foreground{t: t, out: c.rt.tempFile(), errOut: c.rt.tempFile()}
	t.Cleanup(func() { f.out.Close(); f.errOut.Close() })
	f.cmd = c.rt.command("run", "--bundle", c.bundle, c.id)
	f.cmd.Stdout, f.cmd.Stderr = f.out, f.errOut
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.done = startWaiting(f.cmd)
	t.Cleanup(func() { _ = f.cmd.Process.Kill() })
	waitFor(t, "the container to be ready", func() bool {
		if strings.Contains(f.stdout(), "ready") {
			return true
		}
		select {
		case err := <-f.done:
			t.Fatalf("run ended (status %d) before the container was ready\nstdout:\n%s\nstderr:\n%s",
				exitCode(t, err), f.stdout(), readAll(t, f.errOut))
		default:
		}
		return false
	})
	return f
}

func (f *foreground) stdout() string { return readAll(f.t, f.out) }

// wait returns run's exit status once it ends.
func (f *foreground) wait() int {
	f.t.Helper()
	return awaitExit(f.t, f.cmd, f.done)
}
