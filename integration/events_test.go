package integration

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// statsEvent is the part of runc's `events` JSON these tests read.
type statsEvent struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data struct {
		Memory struct {
			Usage struct {
				Usage uint64 `json:"usage"`
				Limit uint64 `json:"limit"`
			} `json:"usage"`
			Raw map[string]uint64 `json:"raw"`
		} `json:"memory"`
		Pids struct {
			Current uint64 `json:"current"`
			Limit   uint64 `json:"limit"`
		} `json:"pids"`
		CPU struct {
			Usage struct {
				Total uint64 `json:"total"`
			} `json:"usage"`
		} `json:"cpu"`
		NetworkInterfaces []struct{ Name string } `json:"network_interfaces"`
	} `json:"data"`
}

// events --stats of a container that filled 50 MB of its tmpfs reports at
// least that much memory, its processes and its pids limit, and prints
// exactly one event.
func TestEventsStatsReportsMemoryAndPids(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	spec := testSpec(t, rt, sh("dd if=/dev/zero of=/dev/shm/fill bs=1M count=50 2>/dev/null; touch /dev/shm/done; sleep 600 & wait")...)
	spec.Linux.CgroupsPath = cgroupPath
	spec.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(77)}
	c := newContainer(t, rt, spec)
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	waitFor(t, "the container to fill /dev/shm", func() bool {
		return c.exec(nil, "test", "-e", "/dev/shm/done").code == 0
	})

	out := mustSucceed(t, rt.run("events", "--stats", c.id)).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("events --stats printed %d lines, want 1:\n%s", len(lines), out)
	}
	var ev statsEvent
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatalf("parse %q: %v", lines[0], err)
	}
	if ev.Type != "stats" || ev.ID != c.id {
		t.Errorf("event type %q id %q, want stats %s", ev.Type, ev.ID, c.id)
	}
	if got := ev.Data.Memory.Usage.Usage; got < 50<<20 {
		t.Errorf("memory usage %d, want at least 50 MiB", got)
	}
	if len(ev.Data.Memory.Raw) == 0 {
		t.Errorf("no memory.stat table in the stats")
	}
	// sh waiting for sleep.
	if ev.Data.Pids.Current != 2 || ev.Data.Pids.Limit != 77 {
		t.Errorf("pids current %d limit %d, want 2 and 77", ev.Data.Pids.Current, ev.Data.Pids.Limit)
	}
	if ev.Data.CPU.Usage.Total == 0 {
		t.Errorf("cpu usage total is 0 after dd ran")
	}
	found := false
	for _, nif := range ev.Data.NetworkInterfaces {
		found = found || nif.Name == "lo"
	}
	if !found {
		t.Errorf("network_interfaces %v lacks the container's lo", ev.Data.NetworkInterfaces)
	}
}

// events of a stopped or unknown container fails with a clear error.
func TestEventsOfStoppedOrUnknownContainerFails(t *testing.T) {
	rt := newRuntime(t)
	c := newContainer(t, rt, testSpec(t, rt, "true"))
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateStopped)
	res := rt.run("events", "--stats", c.id)
	if res.code == 0 || !strings.Contains(res.stderr, "not running") {
		t.Errorf("events of a stopped container: %v", res)
	}
	res = rt.run("events", "no-such-container")
	if res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
		t.Errorf("events of an unknown container: %v", res)
	}
	res = rt.run("events", "--interval", "0s", c.id)
	if res.code == 0 || !strings.Contains(res.stderr, "interval") {
		t.Errorf("events --interval 0s: %v", res)
	}
}

// A memory hog under a limit makes the stream print an oom event; the
// stream also carries stats every --interval, and ends when the container
// is deleted.
func TestEventsReportsOOM(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	limit := int64(32 << 20)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = cgroupPath
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit, Swap: &limit}
	})
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	out := rt.tempFile()
	defer out.Close()
	events := rt.command("events", "--interval", "300ms", c.id)
	events.Stdout, events.Stderr = out, out
	if err := events.Start(); err != nil {
		t.Fatal(err)
	}
	done := startWaiting(events)
	defer func() {
		_ = events.Process.Kill()
	}()
	waitFor(t, "a stats event", func() bool { return strings.Contains(readAll(t, out), `"type":"stats"`) })

	// tail keeps every byte of a file without newlines: /dev/zero grows
	// it until the OOM killer stops it.
	c.exec(nil, "tail", "/dev/zero")
	waitFor(t, "an oom event", func() bool { return strings.Contains(readAll(t, out), `{"type":"oom","id":"`+c.id+`"}`) })

	mustSucceed(t, c.delete("--force"))
	if code := awaitExit(t, events, done); code != 0 {
		t.Errorf("events exited %d after the container was deleted:\n%s", code, readAll(t, out))
	}
	for line := range strings.SplitSeq(strings.TrimSpace(readAll(t, out)), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Errorf("events printed a line that is not JSON: %q", line)
		}
	}
	_ = os.Remove(out.Name())
}
