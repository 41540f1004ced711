package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// stateTraced runs `state ARGS...` with the Go runtime's init trace on,
// as startTraced does: ranGo tells the C state path from Go's.
func stateTraced(t *testing.T, rt *runtime, args ...string) (res result, ranGo bool) {
	t.Helper()
	t.Setenv("GODEBUG", "inittrace=1")
	res = rt.run(append([]string{"state"}, args...)...)
	os.Unsetenv("GODEBUG")
	return res, strings.Contains(res.stderr, "init runtime")
}

// goState runs `state ID` with HULL_TRACE=1, which the C paths leave to
// Go: the output the C path must print byte for byte.
func goState(t *testing.T, rt *runtime, id string) result {
	t.Helper()
	t.Setenv("HULL_TRACE", "1")
	res := rt.run("state", id)
	os.Unsetenv("HULL_TRACE")
	return mustSucceed(t, res)
}

// sameStateAsGo checks that the C path printed the container's state,
// exactly as Go prints it, with the status want.
func sameStateAsGo(t *testing.T, c *container, want specs.ContainerState) {
	t.Helper()
	res, ranGo := stateTraced(t, c.rt, c.id)
	mustSucceed(t, res)
	if ranGo {
		t.Errorf("state of a %s container started the Go runtime:\n%s", want, res.stderr)
	}
	goRes := goState(t, c.rt, c.id)
	if res.stdout != goRes.stdout {
		t.Errorf("state of a %s container: the C path printed\n%q\nGo prints\n%q", want, res.stdout, goRes.stdout)
	}
	if !strings.Contains(res.stdout, `"status": "`+string(want)+`"`) {
		t.Errorf("state: want status %s, got\n%s", want, res.stdout)
	}
}

// stateAnnotations need escaping in JSON, and hold the text the file's
// placeholders stand beside.
var stateAnnotations = map[string]string{
	"quote\"key":  "<tag> & \"quoted\" \\ back\nline\ttab \x01 \u2028 é ☃",
	"looks-like":  `"pid": 0, "status": "stopped"`,
	"org.example": "plain",
}

// TestStateWithoutGo: state of a created, running, paused and stopped
// container is printed by the C path, byte for byte as Go prints it.
func TestStateWithoutGo(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, "sleep", "600")
	spec.Annotations = stateAnnotations
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	if _, err := os.Stat(filepath.Join(rt.root, c.id, "state.output")); err != nil {
		t.Fatalf("create left no state output: %v", err)
	}
	sameStateAsGo(t, c, specs.StateCreated)

	logFile := filepath.Join(t.TempDir(), "log.json")
	rt.globals = []string{"--log", logFile, "--log-format", "json"}
	res, ranGo := stateTraced(t, rt, c.id)
	rt.globals = nil
	mustSucceed(t, res)
	if ranGo {
		t.Errorf("state with --log started the Go runtime:\n%s", res.stderr)
	}
	if _, err := os.Stat(logFile); err != nil {
		t.Errorf("state did not create its --log file as Go's state does: %v", err)
	}

	mustSucceed(t, c.start())
	c.waitStatus(specs.StateRunning)
	sameStateAsGo(t, c, specs.StateRunning)
	if res := rt.run("pause", c.id); res.code != 0 {
		t.Logf("pause refused here, the paused case is not checked: %v", res)
	} else {
		sameStateAsGo(t, c, "paused")
		mustSucceed(t, rt.run("resume", c.id))
		sameStateAsGo(t, c, specs.StateRunning)
	}
	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)
	sameStateAsGo(t, c, specs.StateStopped)
	if !strings.Contains(goState(t, rt, c.id).stdout, `"pid": 0,`) {
		t.Errorf("state of a stopped container: want pid 0")
	}
}

// TestStateStepsAsideToGo: a flag after state, another argument, --debug
// or a container without the file are Go's, and read as Go's.
func TestStateStepsAsideToGo(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	for _, args := range [][]string{{c.id, "extra"}, {"--help", c.id}, {"no-such-container"}} {
		res, ranGo := stateTraced(t, rt, args...)
		if !ranGo {
			t.Errorf("state %v did not step aside to Go:\n%v", args, res)
		}
	}
	rt.globals = []string{"--debug"}
	res, ranGo := stateTraced(t, rt, c.id)
	rt.globals = nil
	if !ranGo || res.code != 0 {
		t.Errorf("state with --debug: want Go's success, got ranGo=%v %v", ranGo, res)
	}
	file := filepath.Join(rt.root, c.id, "state.output")
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	res, ranGo = stateTraced(t, rt, c.id)
	if !ranGo || res.code != 0 || !strings.Contains(res.stdout, `"status": "running"`) {
		t.Errorf("state without the file: want Go's running container, got ranGo=%v %v", ranGo, res)
	}
}

// TestStateOutputPidReused: a file whose pid now belongs to another
// process (started later, so with another start time) is a stopped
// container, pid 0, as Go's processAlive has it.
func TestStateOutputPidReused(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	pid := c.state().Pid
	path := filepath.Join(rt.root, c.id, "state.output")
	file := readFile(t, path)
	lines := strings.SplitN(file, "\n", 4)
	if len(lines) < 4 || !strings.HasPrefix(lines[2], "init "+strconv.Itoa(pid)+" ") {
		t.Fatalf("state output does not name the init %d:\n%s", pid, file)
	}
	initStart := strings.Fields(lines[2])[2]

	decoy := startDecoy(t, initStart)
	lines[2] = "init " + strconv.Itoa(decoy.pid) + " " + initStart
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}

	res, ranGo := stateTraced(t, rt, c.id)
	mustSucceed(t, res)
	if ranGo {
		t.Errorf("state with a reused pid did not print through the C path:\n%s", res.stderr)
	}
	// Go's output for the live init, as it reads once stopped.
	running := goState(t, rt, c.id).stdout
	want := strings.Replace(running, `"pid": `+strconv.Itoa(pid)+",\n  \"status\": \"running\"",
		"\"pid\": 0,\n  \"status\": \"stopped\"", 1)
	if want == running || res.stdout != want {
		t.Errorf("state with a reused pid: got\n%s\nwant\n%s", res.stdout, want)
	}
}
