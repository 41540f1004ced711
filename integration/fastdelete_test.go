package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// deleteTraced runs `delete ARGS...` with the Go runtime's init trace on,
// as startTraced does: ranGo tells the C delete path from Go's.
func deleteTraced(t *testing.T, rt *runtime, args ...string) (res result, ranGo bool) {
	t.Helper()
	t.Setenv("GODEBUG", "inittrace=1")
	res = rt.run(append([]string{"delete"}, args...)...)
	os.Unsetenv("GODEBUG")
	return res, strings.Contains(res.stderr, "init runtime")
}

// stoppedContainer creates and starts a container whose process exits at
// once, and waits until it is stopped. patch, if not nil, changes its spec.
func stoppedContainer(t *testing.T, rt *runtime, patch func(*specs.Spec)) *container {
	t.Helper()
	spec := testSpec(t, rt, "true")
	if patch != nil {
		patch(spec)
	}
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateStopped)
	return c
}

// recordedCgroups returns the cgroup directories state.json names, and
// the ones create made above them.
func recordedCgroups(t *testing.T, c *container) (paths, created []string) {
	t.Helper()
	var rec struct {
		CgroupPaths   map[string]string `json:"cgroupPaths"`
		CgroupCreated map[string]string `json:"cgroupCreated"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(c.rt.root, c.id, "state.json"))), &rec); err != nil {
		t.Fatalf("read state.json: %v", err)
	}
	for _, p := range rec.CgroupPaths {
		paths = append(paths, p)
	}
	for _, p := range rec.CgroupCreated {
		created = append(created, p)
	}
	return paths, created
}

// hasDeleteSection says whether the container's kill ticket lets the C
// path delete it.
func hasDeleteSection(t *testing.T, c *container) bool {
	t.Helper()
	return strings.Contains(readFile(t, filepath.Join(c.rt.root, c.id, "kill.ticket")), "\ndelete ")
}

// nestedCgroupsPath gives the container a cgroup two levels below a
// parent create makes, so that delete has parents to remove too.
func nestedCgroupsPath(t *testing.T) (top string, patch func(*specs.Spec)) {
	top = "/" + uniqueID(t)
	path := top + "/mid/" + uniqueID(t)
	t.Cleanup(func() {
		removeCgroupDirs(path)
		removeCgroupDirs(top + "/mid")
		removeCgroupDirs(top)
	})
	return top, func(s *specs.Spec) { s.Linux.CgroupsPath = path }
}

// TestDeleteWithoutGo: delete of a stopped container is done by the C
// path, which removes its cgroups, the parents create made and its state
// directory, prints nothing and creates the --log file, as Go's does.
func TestDeleteWithoutGo(t *testing.T) {
	rt := newRuntime(t)
	top, patch := nestedCgroupsPath(t)
	c := stoppedContainer(t, rt, patch)
	if !hasDeleteSection(t, c) {
		t.Fatalf("the kill ticket of a plain container has no delete section:\n%s",
			readFile(t, filepath.Join(rt.root, c.id, "kill.ticket")))
	}
	paths, created := recordedCgroups(t, c)
	if len(paths) == 0 || len(created) == 0 {
		t.Fatalf("state.json names no cgroups (%v) or no parents create made (%v)", paths, created)
	}
	for _, p := range append(paths, created...) {
		if !fileExists(p) {
			t.Fatalf("%s is not there before delete", p)
		}
	}

	logFile := filepath.Join(t.TempDir(), "log.json")
	rt.globals = []string{"--log", logFile, "--log-format", "json"}
	res, ranGo := deleteTraced(t, rt, c.id)
	rt.globals = nil
	mustSucceed(t, res)
	if ranGo {
		t.Errorf("delete of a stopped container started the Go runtime:\n%s", res.stderr)
	}
	if res.stdout != "" || strings.TrimSpace(res.stderr) != "" {
		t.Errorf("delete printed something, Go's prints nothing: %v", res)
	}
	if _, err := os.Stat(logFile); err != nil {
		t.Errorf("delete did not create its --log file as Go's delete does: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(rt.root, c.id)); !os.IsNotExist(err) {
		t.Errorf("the state directory is still there after delete: %v", err)
	}
	for _, p := range append(paths, created...) {
		if fileExists(p) {
			t.Errorf("%s is still there after delete", p)
		}
	}
	if left := cgroupDirs(top); len(left) != 0 {
		t.Errorf("cgroups left under %s: %v", top, left)
	}
	if res := c.rt.run("state", c.id); res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
		t.Errorf("state after delete: want Go's does-not-exist error, got %v", res)
	}
}

// TestDeleteForceStoppedWithoutGo: --force (in each place and spelling
// urfave/cli takes it) changes nothing for a stopped container, whose
// delete stays the C path's, as create+start+delete -f runs it.
func TestDeleteForceStoppedWithoutGo(t *testing.T) {
	for name, args := range map[string][]string{
		"-f ID": {"-f", ""}, "--force ID": {"--force", ""}, "ID --force": {"", "--force"},
	} {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t)
			c := stoppedContainer(t, rt, nil)
			paths, _ := recordedCgroups(t, c)
			var argv []string
			for _, a := range args {
				if a == "" {
					a = c.id
				}
				argv = append(argv, a)
			}
			res, ranGo := deleteTraced(t, rt, argv...)
			mustSucceed(t, res)
			if ranGo {
				t.Errorf("delete %v of a stopped container started the Go runtime:\n%s", argv, res.stderr)
			}
			if _, err := os.Lstat(filepath.Join(rt.root, c.id)); !os.IsNotExist(err) {
				t.Errorf("the state directory is still there after delete: %v", err)
			}
			for _, p := range paths {
				if fileExists(p) {
					t.Errorf("%s is still there after delete", p)
				}
			}
		})
	}
}

// TestDeleteStepsAsideToGo: what is not the plain case of a stopped
// container is Go's delete, with its effects and messages.
func TestDeleteStepsAsideToGo(t *testing.T) {
	t.Run("running", func(t *testing.T) {
		rt := newRuntime(t)
		c := startSleeper(t, rt, nil)
		res, ranGo := deleteTraced(t, rt, c.id)
		if !ranGo {
			t.Errorf("delete of a running container did not step aside to Go")
		}
		if want := "that is not stopped: running"; res.code == 0 || !strings.Contains(res.stderr, want) {
			t.Errorf("delete of a running container: want Go's refusal %q, got %v", want, res)
		}
		if st := c.state().Status; st != specs.StateRunning {
			t.Errorf("the refused delete left the container %s", st)
		}
	})
	t.Run("created", func(t *testing.T) {
		rt := newRuntime(t)
		c := newContainer(t, rt, testSpec(t, rt, "true"))
		mustSucceed(t, c.create())
		pid := c.state().Pid
		res, ranGo := deleteTraced(t, rt, c.id)
		mustSucceed(t, res)
		if !ranGo {
			t.Errorf("delete of a created container did not step aside to Go (whose delete kills the init)")
		}
		if processAlive(pid) {
			t.Errorf("the created container's init %d outlived its delete", pid)
		}
		if _, err := os.Lstat(filepath.Join(rt.root, c.id)); !os.IsNotExist(err) {
			t.Errorf("the state directory is still there after delete: %v", err)
		}
	})
	t.Run("poststop hook", func(t *testing.T) {
		rt := newRuntime(t)
		mark := filepath.Join(t.TempDir(), "poststop-ran")
		c := stoppedContainer(t, rt, func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "touch " + mark}}}}
		})
		if hasDeleteSection(t, c) {
			t.Errorf("the kill ticket of a container with a poststop hook has a delete section")
		}
		res, ranGo := deleteTraced(t, rt, c.id)
		mustSucceed(t, res)
		if !ranGo {
			t.Errorf("delete of a container with a poststop hook did not step aside to Go")
		}
		if !fileExists(mark) {
			t.Errorf("the poststop hook did not run")
		}
	})
	t.Run("unknown file", func(t *testing.T) {
		rt := newRuntime(t)
		c := stoppedContainer(t, rt, nil)
		paths, _ := recordedCgroups(t, c)
		extra := filepath.Join(rt.root, c.id, "something-else")
		if err := os.WriteFile(extra, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		// A symlink too: neither path may follow it.
		victim := filepath.Join(t.TempDir(), "victim")
		if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(victim, filepath.Join(rt.root, c.id, "link")); err != nil {
			t.Fatal(err)
		}
		res, ranGo := deleteTraced(t, rt, c.id)
		mustSucceed(t, res)
		if !ranGo {
			t.Errorf("delete with an unknown file in the state directory did not step aside to Go")
		}
		if _, err := os.Lstat(filepath.Join(rt.root, c.id)); !os.IsNotExist(err) {
			t.Errorf("the state directory is still there after delete: %v", err)
		}
		for _, p := range paths {
			if fileExists(p) {
				t.Errorf("%s is still there after delete", p)
			}
		}
		if got := readFile(t, victim); got != "keep" {
			t.Errorf("the symlink's target changed: %q", got)
		}
	})
	t.Run("busy cgroup", func(t *testing.T) {
		// A cgroup made inside the container's: rmdir fails (EBUSY), the
		// C path stops there and Go's delete removes the whole tree.
		rt := newRuntime(t)
		top, patch := nestedCgroupsPath(t)
		c := stoppedContainer(t, rt, patch)
		paths, created := recordedCgroups(t, c)
		sub := filepath.Join(paths[0], "made-inside")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Remove(sub) })
		res, ranGo := deleteTraced(t, rt, c.id)
		mustSucceed(t, res)
		if !ranGo {
			t.Errorf("delete of a container with a cgroup inside its own did not step aside to Go")
		}
		for _, p := range append(append(paths, created...), sub) {
			if fileExists(p) {
				t.Errorf("%s is still there after delete", p)
			}
		}
		if left := cgroupDirs(top); len(left) != 0 {
			t.Errorf("cgroups left under %s: %v", top, left)
		}
	})
	t.Run("other flag", func(t *testing.T) {
		rt := newRuntime(t)
		c := stoppedContainer(t, rt, nil)
		res, ranGo := deleteTraced(t, rt, "--nosuch", c.id)
		if !ranGo || res.code == 0 {
			t.Errorf("delete --nosuch: want Go's refusal, got ranGo=%v %v", ranGo, res)
		}
	})
}

// TestDeleteTicketPidReused: a ticket whose pid now belongs to another
// process, with another start time, names an init that is gone: the
// process is never signalled, --force or not. The C path deletes a
// stopped container; a running one's init (state.json's) is still in
// its cgroups, whose rmdir the C path finds busy, and Go kills it.
func TestDeleteTicketPidReused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		running bool
		args    []string
	}{
		{"stopped", false, nil},
		{"stopped --force", false, []string{"--force"}},
		{"running --force", true, []string{"--force"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			var c *container
			if tc.running {
				c = startSleeper(t, rt, nil)
			} else {
				c = stoppedContainer(t, rt, nil)
			}
			initPid := c.state().Pid
			ticketPath := filepath.Join(rt.root, c.id, "kill.ticket")
			ticket := readFile(t, ticketPath)
			lines := strings.SplitN(ticket, "\n", 3)
			if len(lines) < 3 || !strings.HasPrefix(lines[1], "init ") {
				t.Fatalf("kill ticket names no init:\n%s", ticket)
			}
			initStart := strings.Fields(lines[1])[2]

			decoy := startDecoy(t, initStart)
			lines[1] = "init " + strconv.Itoa(decoy.pid) + " " + initStart
			if err := os.WriteFile(ticketPath, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
				t.Fatal(err)
			}

			res, ranGo := deleteTraced(t, rt, append(tc.args, c.id)...)
			mustSucceed(t, res)
			if ranGo != tc.running {
				t.Errorf("delete %v with a ticket naming a reused pid: ran Go %v, want %v:\n%s",
					tc.args, ranGo, tc.running, res.stderr)
			}
			if _, err := os.Lstat(filepath.Join(rt.root, c.id)); !os.IsNotExist(err) {
				t.Errorf("the state directory is still there after delete: %v", err)
			}
			decoy.mustBeUntouched(t)
			if tc.running && processAlive(initPid) {
				t.Errorf("the init %d outlived delete --force", initPid)
			}
		})
	}
}
