package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// withoutPidNamespace drops the pid namespace: a pod sharing one, or
// `docker run --pid host`.
func withoutPidNamespace(s *specs.Spec) {
	var kept []specs.LinuxNamespace
	for _, ns := range s.Linux.Namespaces {
		if ns.Type != specs.PIDNamespace {
			kept = append(kept, ns)
		}
	}
	s.Linux.Namespaces = kept
}

// After the init exited in a container without a pid namespace of its
// own, its children are still in the cgroup: `kill --all ID SIGNAL`
// (containerd's shim calls exactly this) signals every one of them and
// succeeds, and succeeds again once the cgroup is gone.
func TestKillAllAfterInitExited(t *testing.T) {
	for _, sig := range []string{"KILL", "TERM"} {
		t.Run(sig, func(t *testing.T) {
			rt := newRuntime(t)
			spec := testSpec(t, rt, sh("sleep 600 & echo $! > /tmp/child.pid; exit 0")...)
			withoutPidNamespace(spec)
			spec.Root.Readonly = false
			c := newContainer(t, rt, spec)
			mustSucceed(t, c.create())
			mustSucceed(t, c.start())
			c.waitStatus(specs.StateStopped)
			pidFile := filepath.Join(c.bundle, "rootfs", "tmp", "child.pid")
			waitFor(t, "the child's pid file", func() bool {
				data, err := os.ReadFile(pidFile)
				return err == nil && strings.HasSuffix(string(data), "\n")
			})
			child, err := strconv.Atoi(strings.TrimSpace(readFile(t, pidFile)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
			if !processAlive(child) {
				t.Fatalf("the child %d died with the init: the test proves nothing", child)
			}
			mustSucceed(t, rt.run("kill", "--all", c.id, sig))
			waitFor(t, "the child to die of kill --all", func() bool { return !processAlive(child) })

			for _, dir := range cgroupsNamed(c.id) {
				_ = syscall.Rmdir(dir)
			}
			mustSucceed(t, rt.run("kill", "--all", c.id, sig))
			mustSucceed(t, c.delete())
		})
	}
}

// kill with signal 0 checks that the container is there and succeeds.
func TestKillSignalZero(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	mustSucceed(t, c.kill("0"))
	if st := c.state(); st.Status != specs.StateRunning {
		t.Errorf("signal 0 changed the container: %+v", st)
	}
}

// ps of a stopped container prints an empty list and succeeds.
func TestPsOfStoppedContainerIsEmpty(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateStopped)
	out := strings.TrimSpace(mustSucceed(t, rt.run("ps", "--format", "json", c.id)).stdout)
	if out != "[]" && out != "null" {
		t.Errorf("ps --format json of a stopped container: %q, want an empty list", out)
	}
	table := strings.Split(strings.TrimSpace(mustSucceed(t, rt.run("ps", c.id)).stdout), "\n")
	if len(table) != 1 || !strings.Contains(table[0], "PID") {
		t.Errorf("ps of a stopped container: %q, want the header alone", table)
	}
}

// list with an explicit --root that does not exist is an error (a typo
// must not look like "no containers").
func TestListOfMissingExplicitRootFails(t *testing.T) {
	rt := newRuntime(t)
	missing := filepath.Join(rt.root, "missing")
	res := (&runtime{t: t, root: missing}).run("list")
	if res.code == 0 {
		t.Fatalf("list --root of a missing directory succeeded: %v", res)
	}
	if !strings.Contains(res.stderr, missing) {
		t.Errorf("the error does not name the directory: %v", res)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("list created %s", missing)
	}
}
