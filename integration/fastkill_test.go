package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// killTraced runs `kill ARGS...` with the Go runtime's init trace on, as
// startTraced does: ranGo tells the C kill path from Go's.
func killTraced(t *testing.T, rt *runtime, args ...string) (res result, ranGo bool) {
	t.Helper()
	t.Setenv("GODEBUG", "inittrace=1")
	res = rt.run(append([]string{"kill"}, args...)...)
	os.Unsetenv("GODEBUG")
	return res, strings.Contains(res.stderr, "init runtime")
}

// goKill runs `kill ARGS...` of c with its kill ticket moved away, i.e.
// with Go alone, and puts the ticket back: what the C path must read as
// when it steps aside.
func goKill(t *testing.T, c *container, args ...string) result {
	t.Helper()
	ticket := filepath.Join(c.rt.root, c.id, "kill.ticket")
	aside := filepath.Join(c.rt.root, "kill.ticket."+c.id)
	if err := os.Rename(ticket, aside); err != nil {
		t.Fatalf("move the kill ticket away: %v", err)
	}
	defer func() {
		if err := os.Rename(aside, ticket); err != nil {
			t.Errorf("put the kill ticket back: %v", err)
		}
	}()
	return c.rt.run(append([]string{"kill"}, args...)...)
}

// logTimes are what differs between two runs' error lines.
var logTimes = regexp.MustCompile(`time="[^"]*"`)

// sameAsGo checks that a kill that stepped aside reads exactly as Go's.
func sameAsGo(t *testing.T, what string, got, goRes result) {
	t.Helper()
	trace := regexp.MustCompile(`(?m)^init .*\n`)
	gotErr := logTimes.ReplaceAllString(trace.ReplaceAllString(got.stderr, ""), "")
	goErr := logTimes.ReplaceAllString(goRes.stderr, "")
	if got.code != goRes.code || gotErr != goErr {
		t.Errorf("%s: the kill that stepped aside differs from Go's:\n%v\nGo's:\n%v", what, got, goRes)
	}
}

// TestKillWithoutGo: kill of a running container is done by the C path
// for every signal form runc accepts, and the container's wait sees the
// signal's effect.
func TestKillWithoutGo(t *testing.T) {
	for _, tc := range []struct {
		trap string
		args []string // after the id
		want int      // run's exit status
	}{
		{"TERM", nil, 42},
		{"TERM", []string{"15"}, 42},
		{"USR1", []string{"sigusr1"}, 42},
		{"USR2", []string{"USR2"}, 42},
		{"TERM", []string{"SIGKILL"}, 137},
		{"TERM", []string{"9"}, 137},
	} {
		t.Run(strings.Join(append([]string{"kill"}, tc.args...), "-"), func(t *testing.T) {
			rt := newRuntime(t)
			c := newContainer(t, rt, testSpec(t, rt, trapScript(tc.trap, "42")...))
			run := startForeground(t, c)
			if _, err := os.Stat(filepath.Join(rt.root, c.id, "kill.ticket")); err != nil {
				t.Fatalf("run left no kill ticket: %v", err)
			}
			pid := c.state().Pid
			logFile := filepath.Join(t.TempDir(), "log.json")
			rt.globals = []string{"--log", logFile, "--log-format", "json"}
			res, ranGo := killTraced(t, rt, append([]string{c.id}, tc.args...)...)
			rt.globals = nil
			mustSucceed(t, res)
			if ranGo {
				t.Errorf("kill of a running container started the Go runtime:\n%s", res.stderr)
			}
			if _, err := os.Stat(logFile); err != nil {
				t.Errorf("kill did not create its --log file as Go's kill does: %v", err)
			}
			if code := run.wait(); code != tc.want {
				t.Errorf("run exited %d, want %d", code, tc.want)
			}
			if processAlive(pid) {
				t.Errorf("the init %d is still there after run ended", pid)
			}
		})
	}
}

// TestKillStepsAsideToGo: whatever is not the plain case of a running
// container and a signal C knows is left to Go, untouched, and reads as
// Go's kill (message, exit status).
func TestKillStepsAsideToGo(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)

	for _, args := range [][]string{{c.id, "NOSUCH"}, {c.id, "RTMIN+1"}, {c.id, "99"}, {c.id, "TERM", "extra"}} {
		res, ranGo := killTraced(t, rt, args...)
		if !ranGo {
			t.Errorf("kill %v did not step aside to Go:\n%v", args, res)
		}
		sameAsGo(t, strings.Join(args, " "), res, goKill(t, c, args...))
	}
	// --all lists the cgroup: Go's. SIGCONT harms no sleeper.
	if res, ranGo := killTraced(t, rt, "--all", c.id, "CONT"); !ranGo || res.code != 0 {
		t.Errorf("kill --all: want Go's success, got ranGo=%v %v", ranGo, res)
	}

	if res := rt.run("pause", c.id); res.code != 0 {
		t.Logf("pause refused here, the paused case is not checked: %v", res)
	} else {
		res, ranGo := killTraced(t, rt, c.id, "CONT")
		mustSucceed(t, rt.run("resume", c.id))
		if !ranGo || res.code != 0 {
			t.Errorf("kill of a paused container: want Go's success, got ranGo=%v %v", ranGo, res)
		}
	}

	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)
	res, ranGo := killTraced(t, rt, c.id, "KILL")
	if !ranGo || res.code == 0 || !strings.Contains(res.stderr, "not running") {
		t.Errorf("kill of a stopped container: want Go's refusal, got ranGo=%v %v", ranGo, res)
	}
	sameAsGo(t, "kill of a stopped container", res, goKill(t, c, c.id, "KILL"))
}

// TestKillTicketPidReused: a ticket whose pid now belongs to another
// process (started later, so with another start time) must not get that
// process signalled; the kill is Go's, which signals the init state.json
// names.
func TestKillTicketPidReused(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	ticketPath := filepath.Join(rt.root, c.id, "kill.ticket")
	ticket := readFile(t, ticketPath)
	lines := strings.SplitN(ticket, "\n", 3)
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "init "+strconv.Itoa(c.state().Pid)+" ") {
		t.Fatalf("kill ticket does not name the init %d:\n%s", c.state().Pid, ticket)
	}
	initStart := strings.Fields(lines[1])[2]

	decoy := startDecoy(t, initStart)
	lines[1] = "init " + strconv.Itoa(decoy.pid) + " " + initStart
	if err := os.WriteFile(ticketPath, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}

	res, ranGo := killTraced(t, rt, c.id, "KILL")
	mustSucceed(t, res)
	if !ranGo {
		t.Errorf("kill with a ticket naming a reused pid did not step aside to Go")
	}
	decoy.mustBeUntouched(t)
	c.waitStatus(specs.StateStopped) // Go killed the real init
}

// procStartTime is field 22 of /proc/PID/stat.
func procStartTime(t *testing.T, pid int) string {
	t.Helper()
	stat := readFile(t, filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	fields := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	if len(fields) < 20 {
		t.Fatalf("short /proc/%d/stat: %q", pid, stat)
	}
	return fields[19]
}
