package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// startSleeper creates and starts a container whose init sleeps, and
// returns it running; the test's cleanup removes it.
func startSleeper(t *testing.T, rt *runtime, patch func(*specs.Spec)) *container {
	t.Helper()
	spec := testSpec(t, rt, "sleep", "600")
	if patch != nil {
		patch(spec)
	}
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateRunning)
	return c
}

// exec runs `exec [options] ID args...` in c.
func (c *container) exec(options []string, args ...string) result {
	c.rt.t.Helper()
	full := append(append(append([]string{"exec"}, options...), c.id), args...)
	return c.rt.run(full...)
}

// The exec'd process joins the init's namespaces: same pid namespace (it
// sees the init as pid 1), hostname and mount table, and its exit status
// is exec's.
func TestExecJoinsTheContainer(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Hostname = "exec-host" })

	out := mustSucceed(t, c.exec(nil, "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; test -e /proc/1/exe && echo same-pidns")).stdout
	for _, want := range []string{"exec-host", "sleep 600", "same-pidns"} {
		if !strings.Contains(out, want) {
			t.Errorf("exec output lacks %q:\n%s", want, out)
		}
	}
	if res := c.exec(nil, "sh", "-c", "exit 7"); res.code != 7 {
		t.Errorf("exec of `exit 7` returned %d, want 7\n%v", res.code, res)
	}
}

// --env, --cwd and --user reach the process; a process.json works as
// --process does for containerd.
func TestExecOptionsAndProcessFile(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)

	out := mustSucceed(t, c.exec([]string{"--env", "GREETING=hello", "--cwd", "/tmp", "--user", "65534:65534"},
		"sh", "-c", "echo $GREETING; pwd; id -u; id -g")).stdout
	if got := strings.Fields(out); strings.Join(got, " ") != "hello /tmp 65534 65534" {
		t.Errorf("exec with options printed %q, want hello /tmp 65534 65534", out)
	}

	process := specs.Process{
		Args: []string{"sh", "-c", "echo from-process-file $X; pwd"},
		Env:  []string{"PATH=/bin", "X=42"},
		Cwd:  "/etc",
	}
	data, err := json.Marshal(process)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustSucceed(t, c.exec([]string{"--process", file})).stdout
	if got := strings.Fields(out); strings.Join(got, " ") != "from-process-file 42 /etc" {
		t.Errorf("exec --process printed %q, want from-process-file 42 /etc", out)
	}
}

// exec never gives the process inheritable (or ambient) capabilities,
// whether the container's config, `exec --cap` or a process.json lists
// them: runc's CVE-2022-29162 (crun's CVE-2022-27650), where a program
// the exec'd process runs could gain them through file capabilities.
// Defence: Container.Exec clears both sets (libcontainer/exec.go).
func TestExecSetsNoInheritableCapabilities(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Process.Capabilities.Inheritable = []string{"CAP_KILL", "CAP_NET_BIND_SERVICE"}
	})
	caps := []string{"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"}
	process := specs.Process{Args: []string{"grep", "-E", "CapInh|CapAmb", "/proc/self/status"}, Cwd: "/",
		Env:          []string{"PATH=/bin:/usr/bin"},
		Capabilities: &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps, Inheritable: caps, Ambient: caps}}
	data, err := json.Marshal(process)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, how := range [][]string{
		{"exec", c.id, "grep", "-E", "CapInh|CapAmb", "/proc/self/status"},
		{"exec", "--cap", "CAP_SYS_ADMIN", "--cap", "CAP_KILL", c.id, "grep", "-E", "CapInh|CapAmb", "/proc/self/status"},
		{"exec", "--process", file, c.id},
	} {
		out := mustSucceed(t, rt.run(how...)).stdout
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 {
			t.Errorf("%v printed %q, want the CapInh and CapAmb lines", how, out)
			continue
		}
		for _, line := range lines {
			if fields := strings.Fields(line); len(fields) != 2 || strings.Trim(fields[1], "0") != "" {
				t.Errorf("%v: the exec'd process has %q", how, line)
			}
		}
	}
}

// exec into a container that is not running fails with an error naming
// the container, and starts nothing.
func TestExecIntoStoppedContainerFails(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateStopped)
	res := c.exec(nil, "true")
	if res.code == 0 {
		t.Fatalf("exec into a stopped container succeeded: %v", res)
	}
	if !strings.Contains(res.stderr, c.id) || !strings.Contains(res.stderr, "stopped") {
		t.Errorf("error does not say what is wrong: %v", res)
	}
}
