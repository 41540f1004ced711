package integration

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// kill --all of a paused container: SIGTERM leaves it paused, as runc
// does (its kill sends the signal and thaws only for SIGKILL), the signal
// pending in every process until resume lets it act; freezing the
// cgroup to signal it and thawing it after would have resumed the
// container behind the user's back. SIGKILL ends it: the killed
// processes are thawed so that they can die, and delete succeeds.
func TestKillAllOfAPausedContainer(t *testing.T) {
	for _, tc := range []struct{ signal, path string }{{"TERM", ""}, {"KILL", "cgroup.kill"}} {
		t.Run(tc.signal, func(t *testing.T) {
			rt := newRuntime(t)
			cgroupPath := "/" + uniqueID(t)
			t.Cleanup(func() { killCgroupProcesses(cgroupPath); removeCgroupDirs(cgroupPath) })
			// No pid namespace: the init, an ordinary process, dies of SIGTERM.
			c := startSleeper(t, rt, func(s *specs.Spec) {
				withoutPidNamespace(s)
				s.Linux.CgroupsPath = cgroupPath
			})
			init := c.state().Pid
			mustSucceed(t, rt.run("pause", c.id))

			_, trace := killWithTrace(t, rt, "--all", c.id, tc.signal)
			if tc.signal == "KILL" {
				checkKillPath(t, trace, tc.path)
				waitEmptied(t, cgroupPath)
				c.waitStatus(specs.StateStopped)
				if frozen(t, cgroupPath) {
					t.Errorf("cgroup %s still frozen after kill --all KILL", cgroupPath)
				}
				mustSucceed(t, c.delete())
				return
			}
			if strings.Contains(trace, " kill:frozen=") || strings.Contains(trace, " kill:thawed=") {
				t.Errorf("kill --all TERM of a paused container froze or thawed it: %s", trace)
			}
			if st := c.state().Status; st != specs.ContainerState("paused") || !frozen(t, cgroupPath) {
				t.Fatalf("after kill --all TERM: status %s, frozen %v; want paused and frozen", st, frozen(t, cgroupPath))
			}
			if !processAlive(init) || !signalPending(t, init, syscall.SIGTERM) {
				t.Fatalf("the init %d should be alive, SIGTERM pending: alive %v", init, processAlive(init))
			}
			mustSucceed(t, rt.run("resume", c.id))
			c.waitStatus(specs.StateStopped)
			mustSucceed(t, c.delete())
		})
	}
}

// signalPending says whether sig waits, undelivered, for process pid
// (kill(2) makes it pending for the whole process: ShdPnd).
func signalPending(t *testing.T, pid int, sig syscall.Signal) bool {
	t.Helper()
	status := readFile(t, filepath.Join("/proc", strconv.Itoa(pid), "status"))
	for _, line := range strings.Split(status, "\n") {
		for _, field := range []string{"ShdPnd:", "SigPnd:"} {
			if hex, ok := strings.CutPrefix(line, field); ok {
				var mask uint64
				if _, err := fmt.Sscanf(strings.TrimSpace(hex), "%x", &mask); err != nil {
					t.Fatalf("parse %s of %d: %v", field, pid, err)
				}
				if mask&(1<<(uint(sig)-1)) != 0 {
					return true
				}
			}
		}
	}
	return false
}
