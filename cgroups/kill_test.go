package cgroups

import (
	"errors"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Kill empties the cgroup, and the cgroups below it, of a process that
// forks in a loop: cgroup.kill also kills what is forked while it runs.
func TestKillEmptiesTheCgroupOfAForkLoop(t *testing.T) {
	m := testManager(t, nil)
	// The loop forks only once in the cgroup: children forked before
	// Apply would stay outside it.
	loop := exec.Command("sh", "-c", "read go; while :; do sleep 1000 & done")
	gate, err := loop.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := loop.Start(); err != nil {
		t.Fatalf("start the fork loop: %v", err)
	}
	t.Cleanup(func() { _ = loop.Process.Kill(); _ = loop.Wait() })
	if err := m.Apply(loop.Process.Pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	v2 := m.v2()
	if v2 == nil || !v2.dir.has("cgroup.kill") {
		t.Skip("skipping: no cgroup2 cgroup.kill on this host")
	}
	t.Cleanup(func() { _ = v2.dir.write("cgroup.kill", "1") }) // should Kill fail
	// A cgroup the container made below its own is killed too.
	nested := exec.Command("sleep", "1000")
	if err := nested.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nested.Process.Kill(); _ = nested.Wait() })
	sub := v2.dir.child("sub")
	if _, err := sub.mkdirAll(nil); err != nil {
		t.Fatalf("mkdir sub: %v", err)
	}
	if err := sub.write("cgroup.procs", strconv.Itoa(nested.Process.Pid)); err != nil {
		t.Fatalf("move a process to sub: %v", err)
	}
	if _, err := io.WriteString(gate, "go\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the loop to fork", func() bool { return len(procsOf(t, v2.dir)) > 10 })

	if err := m.Kill(); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	for _, cmd := range []*exec.Cmd{loop, nested} {
		if err := cmd.Wait(); !killedBy(err, syscall.SIGKILL) {
			t.Errorf("%s ended with %v, want SIGKILL", cmd.Args, err)
		}
	}
	waitUntil(t, "the cgroup to hold no process", func() bool {
		return strings.Contains(readFile(t, v2.dir.path(), "cgroup.events"), "populated 0")
	})
}

// Without a cgroup2 cgroup, Kill says so and kills nothing: the caller
// freezes and signals instead.
func TestKillWithoutCgroup2IsUnsupported(t *testing.T) {
	m := testManager(t, nil)
	pid := startSleep(t, m)
	if err := m.Apply(pid); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	paths := m.Paths()
	if v2 := m.v2(); v2 != nil {
		delete(paths, v2.key)
	}
	if err := Load(paths).Kill(); !errors.Is(err, ErrKillUnsupported) {
		t.Fatalf("Kill without cgroup2: %v, want ErrKillUnsupported", err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Errorf("the process is gone after an unsupported Kill: %v", err)
	}
	killAndReap(t, pid)
}

func procsOf(t *testing.T, d cgroupDir) []string {
	t.Helper()
	procs, err := d.read("cgroup.procs")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(procs)
}

func killedBy(err error, sig syscall.Signal) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// waitUntil polls cond; the bound only keeps a broken test from hanging.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}
