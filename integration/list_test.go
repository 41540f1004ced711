package integration

import (
	"encoding/json"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// listEntry holds the fields of `list --format json` that runc and hull
// share.
type listEntry struct {
	ID     string `json:"id"`
	Pid    int    `json:"pid"`
	Status string `json:"status"`
	Bundle string `json:"bundle"`
}

func TestListShowsTheContainer(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "sleep", "1000"))
	mustSucceed(t, c.create())
	pid := c.state().Pid

	table := mustSucceed(t, rt.run("list")).stdout
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("want a header and one row:\n%s", table)
	}
	row := strings.Fields(lines[1])
	if len(row) < 4 || row[0] != c.id || row[2] != "created" || row[3] != c.bundle {
		t.Errorf("row %q, want id %s, status created, bundle %s", lines[1], c.id, c.bundle)
	}

	var entries []listEntry
	out := mustSucceed(t, rt.run("list", "--format", "json")).stdout
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("parse list --format json: %v\n%s", err, out)
	}
	want := listEntry{ID: c.id, Pid: pid, Status: "created", Bundle: c.bundle}
	if len(entries) != 1 || entries[0] != want {
		t.Errorf("list --format json: %+v, want [%+v]", entries, want)
	}

	if quiet := strings.TrimSpace(mustSucceed(t, rt.run("list", "-q")).stdout); quiet != c.id {
		t.Errorf("list -q: %q, want %q", quiet, c.id)
	}
}

func TestListOfAnEmptyRootIsEmpty(t *testing.T) {
	rt := newRuntime(t)
	var entries []listEntry
	out := mustSucceed(t, rt.run("list", "--format", "json")).stdout
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("parse list --format json: %v\n%s", err, out)
	}
	if len(entries) != 0 {
		t.Errorf("list of an empty root: %+v", entries)
	}
}

// list decodes state.json on its own (only the fields it prints): its
// status, pid and annotations must follow the container through running,
// paused and stopped as `state` reports them.
func TestListFollowsStatusAndAnnotations(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = cgroupPath
		s.Annotations = map[string]string{"org.example/quote": `a "b" {c}`}
	})
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })
	type entry struct {
		listEntry
		Annotations map[string]string `json:"annotations"`
	}
	listed := func() entry {
		t.Helper()
		var entries []entry
		out := mustSucceed(t, rt.run("list", "--format", "json")).stdout
		if err := json.Unmarshal([]byte(out), &entries); err != nil || len(entries) != 1 {
			t.Fatalf("list --format json: %v\n%s", err, out)
		}
		return entries[0]
	}
	pid := c.state().Pid
	if e := listed(); e.Status != "running" || e.Pid != pid || e.Annotations["org.example/quote"] != `a "b" {c}` {
		t.Errorf("running container listed as %+v, want running, pid %d and its annotation", e, pid)
	}
	mustSucceed(t, rt.run("pause", c.id))
	if e := listed(); e.Status != "paused" || e.Pid != pid {
		t.Errorf("paused container listed as %+v", e)
	}
	mustSucceed(t, rt.run("resume", c.id))
	mustSucceed(t, rt.run("kill", c.id, "KILL"))
	c.waitStatus(specs.StateStopped)
	if e := listed(); e.Status != "stopped" || e.Pid != 0 {
		t.Errorf("stopped container listed as %+v, want stopped, pid 0", e)
	}
}
