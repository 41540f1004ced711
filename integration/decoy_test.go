package integration

import (
	"os/exec"
	"testing"
	"time"
)

// decoy is a live process started after a container's init, so with
// another start time: a ticket rewritten to name its pid names a pid
// reused since the init died. The C paths' pid-reuse tests use one.
type decoy struct {
	pid     int
	exited  chan struct{} // closed once the decoy is reaped
	waitErr error         // set before exited closes
}

// startDecoy starts a decoy whose start time is not initStart (field 22
// of the init's /proc/PID/stat); it is killed and reaped when the test
// ends, however it ends.
func startDecoy(t *testing.T, initStart string) *decoy {
	t.Helper()
	// Start times count clock ticks: a later process has a later one.
	time.Sleep(50 * time.Millisecond)
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &decoy{pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() { d.waitErr = cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-d.exited })
	if start := procStartTime(t, d.pid); start == initStart {
		t.Fatalf("the decoy %d has the init's start time %s", d.pid, start)
	}
	return d
}

// mustBeUntouched fails the test when the decoy was signalled.
func (d *decoy) mustBeUntouched(t *testing.T) {
	t.Helper()
	select {
	case <-d.exited:
		t.Fatalf("the process that reused the ticket's pid was signalled: %v", d.waitErr)
	case <-time.After(200 * time.Millisecond):
	}
	if !processAlive(d.pid) {
		t.Fatalf("the process that reused the ticket's pid is gone")
	}
}
