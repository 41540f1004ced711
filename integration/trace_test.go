package integration

import (
	"os"
	"regexp"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// goStartPhases are the Go start-up's phases, which every command reports
// first: the runtime's start-up, the package inits, the CLI's set-up.
var goStartPhases = []string{"go-start", "init", "cli"}

// traceLine returns the phase trace of command in res's stderr, failing
// the test when the command failed or printed none.
func traceLine(t *testing.T, command string, res result) string {
	t.Helper()
	mustSucceed(t, res)
	line := regexp.MustCompile(`phase trace ` + command + `: .*\(ms\)`).FindString(res.stderr)
	if line == "" {
		t.Fatalf("no phase trace of %s in %q", command, res.stderr)
	}
	return line
}

// checkPhases fails the test for each phase, and the total, missing from
// line, and when the phases are not in the given order.
func checkPhases(t *testing.T, line string, phases ...string) {
	t.Helper()
	at := -1
	for _, phase := range append(phases, "total") {
		loc := regexp.MustCompile(` ` + regexp.QuoteMeta(phase) + `=\d+\.\d{3}`).FindStringIndex(line)
		switch {
		case loc == nil:
			t.Errorf("phase %s missing from %q", phase, line)
		case loc[0] < at:
			t.Errorf("phase %s out of order in %q", phase, line)
		default:
			at = loc[0]
		}
	}
}

// HULL_TRACE=1 makes a command report each phase it went through with its
// time, from the Go start-up to the end: for run, create's, start's and
// delete's phases as well.
func TestPhaseTraceNamesEveryPhaseOfRun(t *testing.T) {
	if !strings.HasSuffix(runtimeBinary, "hull") {
		t.Skip("the phase trace is hull's own")
	}
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	cmd := rt.command("run", "--bundle", c.bundle, c.id)
	cmd.Env = append(os.Environ(), "HULL_TRACE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`phase trace run: .*\(ms\)`).FindString(string(out))
	if line == "" {
		t.Fatalf("no phase trace in %q", out)
	}
	checkPhases(t, line, append(goStartPhases, "load", "create:program", "create:cgroup", "create:ready",
		"create:state", "start:fifo", "run:exited", "delete:locked", "delete:cgroup")...)
}

// Every command of the lifecycle reports the phases `make profile` shows:
// the Go start-up, then its own. A traced start is Go's: HULL_TRACE makes
// the C start path (package faststart) step aside.
func TestPhaseTraceNamesThePhasesOfEachCommand(t *testing.T) {
	if !strings.HasSuffix(runtimeBinary, "hull") {
		t.Skip("the phase trace is hull's own")
	}
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "600"))
	t.Setenv("HULL_TRACE", "1")

	checkPhases(t, traceLine(t, "create", c.create()), append(goStartPhases, "load", "create:dir",
		"create:intent", "create:program", "create:cgroup", "create:ready", "create:state", "create:done")...)
	checkPhases(t, traceLine(t, "start", c.start()), append(goStartPhases, "load", "start:locked",
		"start:fifo", "start:poststart")...)
	checkPhases(t, traceLine(t, "state", rt.run("state", c.id)), append(goStartPhases, "load",
		"state:status", "state:print")...)
	checkPhases(t, traceLine(t, "exec", c.exec(nil, "true")), append(goStartPhases, "load", "exec:process",
		"exec:signals", "exec:compile", "exec:program", "exec:cgroup", "exec:pid", "exec:done")...)
	checkPhases(t, traceLine(t, "list", rt.run("list")), append(goStartPhases, "list:dir", "list:read",
		"list:print")...)
	checkPhases(t, traceLine(t, "kill", c.kill("KILL")), append(goStartPhases, "load", "kill:status",
		"kill:signal")...)
	c.waitStatus(specs.StateStopped)
	checkPhases(t, traceLine(t, "delete", c.delete()), append(goStartPhases, "load", "delete:locked",
		"delete:killed", "delete:cgroup", "delete:poststop")...)
}
