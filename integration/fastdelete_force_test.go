package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cgroupPids lists the processes in the cgroup directory dir.
func cgroupPids(t *testing.T, dir string) []int {
	t.Helper()
	var pids []int
	for _, f := range strings.Fields(readFile(t, filepath.Join(dir, "cgroup.procs"))) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("%s/cgroup.procs: %v", dir, err)
		}
		pids = append(pids, pid)
	}
	return pids
}

// mustBeDeleted checks that delete left nothing of c: no state
// directory, none of the cgroup directories given, no live process of
// those given, and that `state` no longer knows it.
func mustBeDeleted(t *testing.T, c *container, cgroupDirs []string, pids []int) {
	t.Helper()
	if _, err := os.Lstat(filepath.Join(c.rt.root, c.id)); !os.IsNotExist(err) {
		t.Errorf("the state directory is still there after delete: %v", err)
	}
	for _, p := range cgroupDirs {
		if fileExists(p) {
			t.Errorf("%s is still there after delete", p)
		}
	}
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("the container's process %d outlived delete --force", pid)
		}
	}
	if res := c.rt.run("state", c.id); res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
		t.Errorf("state after delete: want Go's does-not-exist error, got %v", res)
	}
}

// TestDeleteForceRunningWithoutGo: delete --force of a running container
// (its own pid namespace, a delete section in its ticket) is the C
// path's: the init is killed, and with it the other process in its pid
// namespace, then the cgroups, the parents create made and the state
// directory go; it prints nothing and creates the --log file, as Go's
// does. A created container's init, alive too, likewise.
func TestDeleteForceRunningWithoutGo(t *testing.T) {
	for name, tc := range map[string]struct {
		start bool
		argv  []string // "" is the id
	}{
		"running -f ID":      {true, []string{"-f", ""}},
		"running ID --force": {true, []string{"", "--force"}},
		"created --force ID": {false, []string{"--force", ""}},
	} {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t)
			top, patch := nestedCgroupsPath(t)
			spec := testSpec(t, rt, sh("sleep 1000 & exec sleep 1000")...)
			patch(spec)
			c := newContainer(t, rt, spec)
			mustSucceed(t, c.create())
			want := specs.StateCreated
			if tc.start {
				mustSucceed(t, c.start())
				want = specs.StateRunning
			}
			c.waitStatus(want)
			if !hasDeleteSection(t, c) {
				t.Fatalf("the kill ticket of a plain container has no delete section:\n%s",
					readFile(t, filepath.Join(rt.root, c.id, "kill.ticket")))
			}
			paths, created := recordedCgroups(t, c)
			if len(paths) == 0 || len(created) == 0 {
				t.Fatalf("state.json names no cgroups (%v) or no parents create made (%v)", paths, created)
			}
			pids := []int{c.state().Pid}
			if tc.start {
				waitFor(t, "both sleeps in the cgroup", func() bool { return len(cgroupPids(t, paths[0])) == 2 })
				pids = cgroupPids(t, paths[0])
			}
			for _, pid := range pids {
				if !processAlive(pid) {
					t.Fatalf("the container's process %d is not alive before delete", pid)
				}
			}

			logFile := filepath.Join(t.TempDir(), "log.json")
			rt.globals = []string{"--log", logFile, "--log-format", "json"}
			var argv []string
			for _, a := range tc.argv {
				if a == "" {
					a = c.id
				}
				argv = append(argv, a)
			}
			res, ranGo := deleteTraced(t, rt, argv...)
			rt.globals = nil
			mustSucceed(t, res)
			if ranGo {
				t.Errorf("delete %v of a %s container started the Go runtime:\n%s", argv, want, res.stderr)
			}
			if res.stdout != "" || strings.TrimSpace(res.stderr) != "" {
				t.Errorf("delete printed something, Go's prints nothing: %v", res)
			}
			if _, err := os.Stat(logFile); err != nil {
				t.Errorf("delete did not create its --log file as Go's delete does: %v", err)
			}
			mustBeDeleted(t, c, append(paths, created...), pids)
			if left := cgroupDirs(top); len(left) != 0 {
				t.Errorf("cgroups left under %s: %v", top, left)
			}
		})
	}
}

// TestDeleteForceStepsAsideToGo: delete --force of a live init that is
// not the plain case is Go's, which deletes it.
func TestDeleteForceStepsAsideToGo(t *testing.T) {
	t.Run("paused", func(t *testing.T) {
		// Frozen, the init cannot die until thawed: Go kills and thaws.
		rt := newRuntime(t)
		c := startSleeper(t, rt, nil)
		if res := rt.run("pause", c.id); res.code != 0 {
			t.Skipf("pause refused here: %v", res)
		}
		c.waitStatus("paused")
		paths, _ := recordedCgroups(t, c)
		pid := c.state().Pid
		res, ranGo := deleteTraced(t, rt, "--force", c.id)
		mustSucceed(t, res)
		if !ranGo {
			t.Errorf("delete --force of a paused container did not step aside to Go")
		}
		mustBeDeleted(t, c, paths, []int{pid})
	})
	for name, join := range map[string]bool{"host pid namespace": false, "another container's pid namespace": true} {
		t.Run(name, func(t *testing.T) {
			// SIGKILL to the init does not end the rest: Go kills the
			// cgroup. No ticket says otherwise.
			rt := newRuntime(t)
			var patch func(*specs.Spec)
			if join {
				owner := startSleeper(t, rt, nil)
				nsPath := "/proc/" + strconv.Itoa(owner.state().Pid) + "/ns/pid"
				patch = func(s *specs.Spec) {
					for i, ns := range s.Linux.Namespaces {
						if ns.Type == specs.PIDNamespace {
							s.Linux.Namespaces[i].Path = nsPath
						}
					}
				}
			} else {
				patch = withoutPidNamespace
			}
			c := startSleeper(t, rt, patch)
			paths, _ := recordedCgroups(t, c)
			pid := c.state().Pid
			res, ranGo := deleteTraced(t, rt, "--force", c.id)
			mustSucceed(t, res)
			if !ranGo {
				t.Errorf("delete --force of a container sharing a pid namespace did not step aside to Go")
			}
			mustBeDeleted(t, c, paths, []int{pid})
		})
	}
	t.Run("busy cgroup", func(t *testing.T) {
		// A cgroup made inside the container's: the C path kills the
		// init, finds the rmdir refused for good (EBUSY, a child cgroup)
		// and leaves the rest, untouched, to Go, which removes the tree.
		rt := newRuntime(t)
		top, patch := nestedCgroupsPath(t)
		c := startSleeper(t, rt, patch)
		paths, created := recordedCgroups(t, c)
		sub := filepath.Join(paths[0], "made-inside")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Remove(sub) })
		pid := c.state().Pid
		res, ranGo := deleteTraced(t, rt, "--force", c.id)
		mustSucceed(t, res)
		if !ranGo {
			t.Errorf("delete --force of a container with a cgroup inside its own did not step aside to Go")
		}
		mustBeDeleted(t, c, append(append(paths, created...), sub), []int{pid})
		if left := cgroupDirs(top); len(left) != 0 {
			t.Errorf("cgroups left under %s: %v", top, left)
		}
	})
}
