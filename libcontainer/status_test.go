package libcontainer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDeriveStatus(t *testing.T) {
	for _, tc := range []struct {
		l    liveness
		want Status
	}{
		{liveness{}, Stopped},
		{liveness{FifoExists: true}, Stopped},
		{liveness{Frozen: true}, Stopped},
		{liveness{InitAlive: true, FifoExists: true}, Created},
		{liveness{InitAlive: true}, Running},
		{liveness{InitAlive: true, Frozen: true}, Paused},
		{liveness{InitAlive: true, Frozen: true, FifoExists: true}, Paused},
	} {
		if got := deriveStatus(tc.l); got != tc.want {
			t.Errorf("deriveStatus(%+v) = %s, want %s", tc.l, got, tc.want)
		}
	}
}

func TestProbeUsesStartTime(t *testing.T) {
	self, err := readProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, fifoFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	alive := &record{InitPid: os.Getpid(), InitStartTime: self.StartTime}
	if got := deriveStatus(probe(dir, alive)); got != Created {
		t.Errorf("live init with fifo: %s, want created", got)
	}
	os.Remove(filepath.Join(dir, fifoFile))
	if got := deriveStatus(probe(dir, alive)); got != Running {
		t.Errorf("live init without fifo: %s, want running", got)
	}
	reused := &record{InitPid: os.Getpid(), InitStartTime: self.StartTime + 1}
	if got := deriveStatus(probe(dir, reused)); got != Stopped {
		t.Errorf("pid reused by another process: %s, want stopped", got)
	}
}

func TestCgroupFrozen(t *testing.T) {
	v1 := t.TempDir()
	os.WriteFile(filepath.Join(v1, "freezer.state"), []byte("FROZEN\n"), 0o644)
	v2 := t.TempDir()
	os.WriteFile(filepath.Join(v2, "cgroup.freeze"), []byte("0\n"), 0o644)
	if !cgroupFrozen(map[string]string{"freezer": v1, "unified": v2}) {
		t.Error("v1 freezer FROZEN not seen")
	}
	if cgroupFrozen(map[string]string{"": v2}) {
		t.Error("v2 cgroup.freeze 0 read as frozen")
	}
	os.WriteFile(filepath.Join(v2, "cgroup.freeze"), []byte("1\n"), 0o644)
	if !cgroupFrozen(map[string]string{"": v2}) {
		t.Error("v2 cgroup.freeze 1 not seen")
	}
	if cgroupFrozen(nil) {
		t.Error("no cgroup read as frozen")
	}
}
