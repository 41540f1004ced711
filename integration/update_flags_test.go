package integration

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cgroupValue reads the first of files (relative to the hierarchy root,
// "memory/memory.limit_in_bytes" or "memory.max") that exists for the
// container's cgroup path.
func cgroupValue(t *testing.T, path string, files ...string) string {
	t.Helper()
	for _, f := range files {
		dir, name := filepath.Split(f)
		p := filepath.Join(cgroupRoot, dir, path, name)
		if fileExists(p) {
			return strings.TrimSpace(readFile(t, p))
		}
	}
	t.Fatalf("none of %v exists for cgroup %s", files, path)
	return ""
}

var (
	memoryLimitFiles = []string{"memory/memory.limit_in_bytes", "memory.max"}
	pidsMaxFiles     = []string{"pids/pids.max", "pids.max"}
)

// statsOf returns the stats event `events --stats` prints.
func statsOf(t *testing.T, c *container) statsEvent {
	t.Helper()
	out := mustSucceed(t, c.rt.run("events", "--stats", c.id)).stdout
	var ev statsEvent
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("parse events --stats %q: %v", out, err)
	}
	return ev
}

// update --memory 64M --pids-limit 20 writes the kernel's files, events
// agrees, and a fork bomb then stops at 20 processes.
func TestUpdateFlagsSetLimitsAndStopAForkBomb(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	c := startSleeper(t, rt, func(s *specs.Spec) { s.Linux.CgroupsPath = cgroupPath })
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	mustSucceed(t, rt.run("update", "--memory", "64M", "--pids-limit", "20", c.id))
	if got := cgroupValue(t, cgroupPath, memoryLimitFiles...); got != strconv.Itoa(64<<20) {
		t.Errorf("memory limit after update --memory 64M = %s", got)
	}
	if got := cgroupValue(t, cgroupPath, pidsMaxFiles...); got != "20" {
		t.Errorf("pids.max after update --pids-limit 20 = %s", got)
	}
	ev := statsOf(t, c)
	if ev.Data.Memory.Usage.Limit != 64<<20 || ev.Data.Pids.Limit != 20 {
		t.Errorf("events after update: memory limit %d, pids limit %d", ev.Data.Memory.Usage.Limit, ev.Data.Pids.Limit)
	}

	// A later update of one limit keeps the other.
	mustSucceed(t, rt.run("update", "--pids-limit", "25", c.id))
	if ev := statsOf(t, c); ev.Data.Memory.Usage.Limit != 64<<20 || ev.Data.Pids.Limit != 25 {
		t.Errorf("events after a second update: memory limit %d, pids limit %d", ev.Data.Memory.Usage.Limit, ev.Data.Pids.Limit)
	}
	mustSucceed(t, rt.run("update", "--pids-limit", "20", c.id))

	res := c.exec(nil, "sh", "-c", "for i in $(seq 1 40); do sleep 600 & done; echo spawned")
	if !strings.Contains(res.stderr, "fork") {
		t.Errorf("the fork bomb met no fork failure: %v", res)
	}
	// The bomb filled the cgroup to 20 (the init, the exec'd sh and 18
	// sleeps); the sh has exited since.
	if got := cgroupValue(t, cgroupPath, "pids/pids.current", "pids.current"); got != "19" {
		t.Errorf("pids.current after the fork bomb = %s, want 19 (20 with its shell)", got)
	}
}

// An update the kernel refuses leaves every limit as it was, in the kernel
// and in the stored config, and names the refused one.
func TestUpdateRefusedByTheKernelKeepsTheOldLimits(t *testing.T) {
	rt := newRuntime(t)
	cgroupPath := "/" + uniqueID(t)
	limit := int64(128 << 20)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.CgroupsPath = cgroupPath
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
		s.Linux.Resources.Pids = &specs.LinuxPids{Limit: int64Ptr(50)}
	})
	t.Cleanup(func() { removeCgroupDirs(cgroupPath) })

	// The memory limit is written before the realtime runtime, which no
	// kernel takes above its period.
	res := rt.run("update", "--memory", "64M", "--cpu-rt-runtime", "99999999999", "--pids-limit", "20", c.id)
	if res.code == 0 {
		t.Fatalf("an impossible realtime runtime was accepted: %v", res)
	}
	if !strings.Contains(res.stderr, "realtimeRuntime") {
		t.Errorf("the error does not name the refused limit: %v", res)
	}
	if got := cgroupValue(t, cgroupPath, memoryLimitFiles...); got != strconv.Itoa(128<<20) {
		t.Errorf("memory limit after a refused update = %s, want the old %d", got, 128<<20)
	}
	if got := cgroupValue(t, cgroupPath, pidsMaxFiles...); got != "50" {
		t.Errorf("pids.max after a refused update = %s, want the old 50", got)
	}
	if ev := statsOf(t, c); ev.Data.Memory.Usage.Limit != 128<<20 || ev.Data.Pids.Limit != 50 {
		t.Errorf("events after a refused update: memory limit %d, pids limit %d", ev.Data.Memory.Usage.Limit, ev.Data.Pids.Limit)
	}

	for _, bad := range [][]string{{"--memory", "12x"}, {"--cpu-quota", "lots"}, {"--blkio-weight", "5000"}} {
		if res := rt.run(append(append([]string{"update"}, bad...), c.id)...); res.code == 0 || !strings.Contains(res.stderr, strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("update %v: %v", bad, res)
		}
	}
	if res := rt.run("update", "--l3-cache-schema", "L3:0=f", c.id); res.code == 0 || !strings.Contains(res.stderr, "Intel RDT") {
		t.Errorf("update --l3-cache-schema: %v", res)
	}
}
