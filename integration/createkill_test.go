package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A `create` killed with SIGKILL at any moment leaves pieces: a state
// directory, cgroup directories, an init blocked on its exec fifo.
// `delete --force`, `list` and a later `create` of the same id must find
// them and remove every one (issue 10: before the intent record, 7-10 of
// 31 kills at 0-60 ms left empty cgroups, and 1 of 31 an init reparented
// to pid 1). Kill times step 2 ms from 0 to 60 ms, twice over; the
// even kills are cleaned up with `delete --force`, the odd ones by a new
// `create` of the same id.
func TestKilledCreateLeavesNothingBehind(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	kills := 0
	for round := 0; round < 2; round++ {
		for ms := 0; ms <= 60; ms += 2 {
			kills++
			killCreateAfter(t, rt, c, time.Duration(ms)*time.Millisecond)
			listed := listStatuses(t, rt)
			if st, ok := listed[c.id]; ok && st != "created" && st != "stopped" {
				t.Errorf("kill at %d ms: list shows %s as %q, want created or stopped", ms, c.id, st)
			}
			finished := fileExists(filepath.Join(rt.root, c.id, "state.json"))
			if kills%2 == 1 {
				// A new create of the id reclaims what the killed one left,
				// unless that got as far as a container.
				if res := c.create(); finished {
					expectOneLineError(t, res, "already exists")
				} else {
					mustSucceed(t, res)
				}
			}
			mustSucceed(t, c.delete("--force"))
			assertNothingLeftBehind(t, rt, c.id, c.bundle)
			if held := processesHolding(rt.root, c.bundle); len(held) != 0 {
				t.Fatalf("kill at %d ms: processes still hold files of the container: %v", ms, held)
			}
			if t.Failed() {
				t.Fatalf("kill at %d ms (round %d) left the above behind", ms, round)
			}
		}
	}
}

// killCreateAfter starts `create` for c and SIGKILLs it after d (or lets it
// finish, if it is quicker).
func killCreateAfter(t *testing.T, rt *runtime, c *container, d time.Duration) {
	t.Helper()
	cmd := rt.command("create", "--bundle", c.bundle, c.id)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := startWaiting(cmd)
	select {
	case <-done:
		return
	case <-time.After(d):
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// listStatuses runs `list --format json` (which must succeed) and maps ids
// to statuses.
func listStatuses(t *testing.T, rt *runtime) map[string]string {
	t.Helper()
	out := mustSucceed(t, rt.run("list", "--format", "json")).stdout
	var entries []listEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("parse list --format json: %v\n%s", err, out)
	}
	m := map[string]string{}
	for _, e := range entries {
		m[e.ID] = e.Status
	}
	return m
}

// processesHolding lists the processes with an open file (or cwd, root or
// executable) under any of the directories: an init blocked on the exec
// fifo of a state directory holds that fifo, wherever it was reparented.
func processesHolding(dirs ...string) []string {
	var held []string
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' || pid == strconv.Itoa(self) {
			continue
		}
		links := []string{"cwd", "root", "exe"}
		fds, _ := os.ReadDir(filepath.Join("/proc", pid, "fd"))
		for _, fd := range fds {
			links = append(links, "fd/"+fd.Name())
		}
		for _, l := range links {
			target, err := os.Readlink(filepath.Join("/proc", pid, l))
			if err != nil {
				continue
			}
			for _, d := range dirs {
				if d != "" && strings.HasPrefix(target, d+"/") {
					cmdline, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
					held = append(held, pid+" ("+strings.ReplaceAll(string(cmdline), "\x00", " ")+") holds "+target)
				}
			}
		}
	}
	return held
}
