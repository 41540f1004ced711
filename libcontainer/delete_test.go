package libcontainer

import (
	"os/exec"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
)

// fakeCgroup is a Manager whose only process is cmd, until it exits.
type fakeCgroup struct {
	cgroups.Manager
	cmd    *exec.Cmd
	exited chan struct{}
}

func (f *fakeCgroup) Pids() ([]int, error) {
	select {
	case <-f.exited:
		return nil, nil
	default:
		return []int{f.cmd.Process.Pid}, nil
	}
}

func TestKillCgroupKillsEveryProcess(t *testing.T) {
	cmd := exec.Command("sleep", "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &fakeCgroup{cmd: cmd, exited: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- cmd.Wait()
		close(f.exited)
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	if err := killCgroup(f, nil); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
		t.Fatalf("sleep was not killed by a signal: %v", err)
	}
}

func TestHasOwnPidNamespace(t *testing.T) {
	for _, tc := range []struct {
		ns   []specs.LinuxNamespace
		want bool
	}{
		{nil, false},
		{[]specs.LinuxNamespace{{Type: specs.MountNamespace}}, false},
		{[]specs.LinuxNamespace{{Type: specs.PIDNamespace}}, true},
		{[]specs.LinuxNamespace{{Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"}}, false},
	} {
		spec := &specs.Spec{Linux: &specs.Linux{Namespaces: tc.ns}}
		if got := hasOwnPidNamespace(spec); got != tc.want {
			t.Errorf("hasOwnPidNamespace(%v) = %v, want %v", tc.ns, got, tc.want)
		}
	}
}
