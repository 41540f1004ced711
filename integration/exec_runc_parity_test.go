package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A failed exec (the program does not exist) leaves no zombie in the
// container's pid namespace, attached or detached: hull reaps what it
// started.
func TestFailedExecLeavesNoZombie(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	for _, opts := range [][]string{nil, {"--detach"}, nil, {"--detach"}} {
		if res := c.exec(opts, "/no-such-program"); res.code == 0 {
			t.Fatalf("exec of a missing program succeeded: %v", res)
		}
	}
	out := mustSucceed(t, c.exec(nil, "ps", "-o", "pid,stat,comm")).stdout
	for _, line := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(line); len(f) == 3 && strings.HasPrefix(f[1], "Z") {
			t.Errorf("zombie left in the container after failed execs:\n%s", out)
		}
	}
}

// `exec -g 10` gives the supplementary groups exactly [10] (urfave/cli's
// two-named int slice flag duplicated a single value, runc's bug too).
func TestExecAdditionalGidsOnce(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	cases := map[string][]string{
		"10":    {"-g", "10"},
		"10 11": {"--additional-gids", "10", "--additional-gids", "11"},
	}
	for want, opts := range cases {
		out := mustSucceed(t, c.exec(opts, "grep", "^Groups:", "/proc/self/status")).stdout
		if got := strings.Join(strings.Fields(out)[1:], " "); got != want {
			t.Errorf("exec %v: groups %q, want %q", opts, got, want)
		}
	}
	if res := c.exec([]string{"-g", "ten"}, "true"); res.code == 0 || !strings.Contains(res.stderr, "additional-gids") {
		t.Errorf("exec -g ten: want an error naming --additional-gids: %v", res)
	}
}

// `exec -t` without a console socket needs the caller's terminal to
// attach the pty to; with none (these tests have no terminal) it fails
// with runc's 255 before starting anything, instead of running the
// process with its output lost. Any exec failure is 255, the process's
// own status passes through.
func TestExecFailuresExit255(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	res := c.exec([]string{"-t"}, "sh", "-c", "echo ran > /tmp/ran")
	if res.code != 255 || !strings.Contains(res.stderr, "terminal") {
		t.Errorf("exec -t without a terminal or console socket: want 255 and an error about the terminal: %v", res)
	}
	if res := c.exec(nil, "test", "-e", "/tmp/ran"); res.code == 0 {
		t.Errorf("exec -t without a terminal ran the process anyway")
	}
	if res := c.exec(nil, "/no-such-program"); res.code != 255 || !strings.Contains(res.stderr, "exec failed") {
		t.Errorf("exec of a missing program: want 255 and `exec failed`: %v", res)
	}
	if res := c.exec(nil, "sh", "-c", "exit 3"); res.code != 3 {
		t.Errorf("exec of `exit 3`: status %d, want 3", res.code)
	}
}

// Of duplicate names in process.env the last entry wins, and the process
// sees that one only (as runc).
func TestDuplicateEnvKeepsTheLast(t *testing.T) {
	// The init's own environment: a shell's `env` would show its own
	// variable table, already deduplicated.
	out := outputOf(t, "tr '\\0' '\\n' < /proc/1/environ | grep '^A='", func(s *specs.Spec) {
		s.Process.Env = append(s.Process.Env, "A=1", "B=x", "A=2")
	})
	if out != "A=2" {
		t.Errorf("with A=1 then A=2 in process.env the process has %q, want A=2 only", out)
	}
}

// An unknown command exits 3, urfave/cli's status that runc passes on.
func TestUnknownCommandExits3(t *testing.T) {
	rt := newRuntime(t)
	if res := rt.run("no-such-command"); res.code != 3 {
		t.Errorf("unknown command: status %d, want 3: %v", res.code, res)
	}
}

// A relative mount destination is relative to the container's root, with
// a warning, as runc does (runtime-spec allows it).
func TestRelativeMountDestinationIsUnderTheRoot(t *testing.T) {
	res := mustSucceed(t, runInContainer(t, "grep ' /relative-dest ' /proc/self/mountinfo | cut -d' ' -f5,9", func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "relative-dest", Type: "tmpfs", Source: "tmpfs"})
	}))
	if got := strings.TrimSpace(res.stdout); got != "/relative-dest tmpfs" {
		t.Errorf("mount of a relative destination: %q, want a tmpfs at /relative-dest", got)
	}
	if !strings.Contains(res.stderr, "not absolute") {
		t.Errorf("no warning about the relative destination:\n%s", res.stderr)
	}
}
