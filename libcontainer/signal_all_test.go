package libcontainer

import (
	"errors"
	"os/exec"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/cgroups"
)

// recordingCgroup is a Manager that records which of Kill, Freeze, Pids
// and Thaw signalAllProcesses calls, in order; its one process is a real
// sleep, so that the signal it gets is real.
type recordingCgroup struct {
	cgroups.Manager
	pid       int
	killErr   error
	freezeErr error
	calls     []string
}

func (r *recordingCgroup) Kill() error {
	r.calls = append(r.calls, "kill")
	if r.killErr == nil {
		_ = unix.Kill(r.pid, unix.SIGKILL)
	}
	return r.killErr
}

func (r *recordingCgroup) Freeze() error {
	r.calls = append(r.calls, "freeze")
	return r.freezeErr
}

func (r *recordingCgroup) Thaw() error {
	r.calls = append(r.calls, "thaw")
	return nil
}

func (r *recordingCgroup) Pids() ([]int, error) {
	r.calls = append(r.calls, "pids")
	return []int{r.pid}, nil
}

// signalAllProcesses takes cgroup.kill for SIGKILL when there is one, and
// otherwise freezes, lists, signals and thaws; a cgroup frozen before
// (paused) is not frozen again and stays frozen unless it got SIGKILL.
func TestSignalAllProcessesPath(t *testing.T) {
	unsupported := cgroups.ErrKillUnsupported
	for _, tc := range []struct {
		name      string
		sig       unix.Signal
		frozen    bool
		killErr   error
		freezeErr error
		want      []string
	}{
		{"KILL through cgroup.kill", unix.SIGKILL, false, nil, nil, []string{"kill"}},
		{"KILL through cgroup.kill, paused", unix.SIGKILL, true, nil, nil, []string{"kill", "thaw"}},
		{"KILL without cgroup.kill", unix.SIGKILL, false, unsupported, nil, []string{"kill", "freeze", "pids", "thaw"}},
		{"KILL without cgroup.kill, paused", unix.SIGKILL, true, unsupported, nil, []string{"kill", "pids", "thaw"}},
		{"TERM", unix.SIGTERM, false, nil, nil, []string{"freeze", "pids", "thaw"}},
		{"TERM, paused", unix.SIGTERM, true, nil, nil, []string{"pids"}},
		{"TERM, no freezer", unix.SIGTERM, false, nil, errors.New("no freezer"), []string{"freeze", "pids"}},
		{"0", 0, false, nil, nil, []string{"pids"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sleep := exec.Command("sleep", "100")
			if err := sleep.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sleep.Process.Kill(); _ = sleep.Wait() })
			m := &recordingCgroup{pid: sleep.Process.Pid, killErr: tc.killErr, freezeErr: tc.freezeErr}
			if err := signalAllProcesses(m, tc.sig, tc.frozen); err != nil {
				t.Fatalf("signalAllProcesses: %v", err)
			}
			if !slices.Equal(m.calls, tc.want) {
				t.Errorf("calls %v, want %v", m.calls, tc.want)
			}
			if tc.sig == 0 {
				if err := unix.Kill(sleep.Process.Pid, 0); err != nil {
					t.Errorf("signal 0 ended the process: %v", err)
				}
				return
			}
			err := sleep.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.Signal(tc.sig) {
				t.Errorf("the process ended with %v, want %s", err, unix.SignalName(tc.sig))
			}
		})
	}
}

// Any other failure of cgroup.kill is the command's: falling back would
// hide it.
func TestSignalAllProcessesReportsAFailedKill(t *testing.T) {
	m := &recordingCgroup{pid: -1, killErr: unix.EACCES}
	if err := signalAllProcesses(m, unix.SIGKILL, false); !errors.Is(err, unix.EACCES) {
		t.Fatalf("signalAllProcesses: %v, want EACCES", err)
	}
	if !slices.Equal(m.calls, []string{"kill"}) {
		t.Errorf("calls %v, want only kill", m.calls)
	}
}
