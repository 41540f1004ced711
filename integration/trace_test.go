package integration

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

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
	for _, phase := range []string{"go-start", "load", "create:program", "create:cgroup", "create:ready", "create:state", "start:fifo", "run:exited", "delete:cgroup", "total"} {
		if !regexp.MustCompile(` ` + phase + `=\d+\.\d{3}`).MatchString(line) {
			t.Errorf("phase %s missing from %q", phase, line)
		}
	}
}
