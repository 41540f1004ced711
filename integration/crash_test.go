package integration

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/hullrt/hull/internal/crashpoint"
	"github.com/hullrt/hull/internal/testbundle"
)

// hull killed with SIGKILL at every step of create, start, exec, delete
// and run (the failure-injection hook HULL_CRASH_AT of package crashpoint)
// leaves nothing that `delete --force` does not remove: no process, mount,
// cgroup, state file, fifo or socket; and `list` keeps working meanwhile.
func TestKilledAtEveryStepThenDeleteForceLeavesNothing(t *testing.T) {
	if !strings.Contains(mustSucceed(t, newRuntime(t).run("--version")).stdout, "hull") {
		t.Skip("skipping: HULL_CRASH_AT is hull's failure-injection hook")
	}
	type step struct {
		command string
		before  func(c *container)          // brings the container to the step's start
		args    func(c *container) []string // the command killed at the point
		points  []string
	}
	create := func(c *container) []string { return []string{"create", "--bundle", c.bundle, c.id} }
	created := func(c *container) { mustSucceed(c.rt.t, c.create()) }
	running := func(c *container) { created(c); mustSucceed(c.rt.t, c.start()) }
	steps := []step{
		{"create", nil, create, crashpoint.Points["create"]},
		{"start", created, func(c *container) []string { return []string{"start", c.id} }, crashpoint.Points["start"]},
		{"exec", running, func(c *container) []string { return []string{"exec", c.id, "sleep", "1000"} }, crashpoint.Points["exec"]},
		{"delete", running, func(c *container) []string { return []string{"delete", "--force", c.id} }, crashpoint.Points["delete"]},
		{"run", nil, func(c *container) []string { return []string{"run", "--bundle", c.bundle, c.id} },
			append(append(append([]string{}, crashpoint.Points["create"]...), crashpoint.Points["start"]...), crashpoint.Points["run"]...)},
		{"run-detached", nil, func(c *container) []string { return []string{"run", "-d", "--bundle", c.bundle, c.id} },
			append(append([]string{}, crashpoint.Points["create"]...), crashpoint.Points["start"]...)},
	}
	// One bundle each for all the steps: a foreground run must see its
	// container exit (run:exited); the others keep theirs running.
	rt0 := newRuntime(t)
	sleeper := testbundle.New(t, testSpec(t, rt0, "sleep", "1000"))
	quick := testbundle.New(t, testSpec(t, rt0, sh("sleep 0.3")...))
	for _, s := range steps {
		for _, point := range s.points {
			t.Run(s.command+"/"+point, func(t *testing.T) {
				rt := newRuntime(t)
				c := &container{rt: rt, id: uniqueID(t), bundle: sleeper}
				if s.command == "run" {
					c.bundle = quick
				}
				t.Cleanup(c.forceDelete)
				if s.before != nil {
					s.before(c)
				}
				killedAt(t, rt, point, s.args(c)...)
				mustSucceed(t, rt.run("list"))
				mustSucceed(t, c.delete("--force"))
				assertNothingLeftBehind(t, rt, c.id, c.bundle)
				if held := processesHolding(rt.root, c.bundle); len(held) != 0 {
					t.Errorf("processes still hold files of the container: %v", held)
				}
			})
		}
	}
}

// killedAt runs the command with HULL_CRASH_AT=point and requires that it
// died of SIGKILL there.
func killedAt(t *testing.T, rt *runtime, point string, args ...string) {
	t.Helper()
	cmd := rt.command(args...)
	cmd.Env = append(os.Environ(), crashpoint.Env+"="+point)
	out := rt.tempFile()
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := <-startWaiting(cmd)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("%v with %s=%s: %v, want killed at the point\n%s", args, crashpoint.Env, point, err, readAll(t, out))
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("%v with %s=%s: %v, want killed at the point\n%s", args, crashpoint.Env, point, err, readAll(t, out))
	}
}
