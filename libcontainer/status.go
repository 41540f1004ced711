package libcontainer

import (
	"os"
	"path/filepath"
	"strings"
)

// liveness is what status derivation needs to know about the system, kept
// apart so the rules can be tested without real processes.
type liveness struct {
	// InitAlive: the recorded init pid runs and has the recorded start time.
	InitAlive bool
	// FifoExists: exec.fifo is still there, i.e. start has not happened.
	FifoExists bool
	// Frozen: the container's cgroup is frozen.
	Frozen bool
}

// deriveStatus applies runc's rules: a frozen cgroup is paused; a live init
// is created while it waits on the exec fifo and running after; anything
// else is stopped.
func deriveStatus(l liveness) Status {
	switch {
	case l.Frozen && l.InitAlive:
		return Paused
	case !l.InitAlive:
		return Stopped
	case l.FifoExists:
		return Created
	default:
		return Running
	}
}

// probe looks at the live system for the container in dir.
func probe(dir string, r *record) liveness {
	l := liveness{InitAlive: processAlive(r.InitPid, r.InitStartTime)}
	if !l.InitAlive {
		return l // the rest cannot change the answer; skip the syscalls
	}
	if _, err := os.Lstat(filepath.Join(dir, fifoFile)); err == nil {
		l.FifoExists = true
	}
	l.Frozen = cgroupFrozen(r.CgroupPaths)
	return l
}

// cgroupFrozen reads the freezer state straight from the cgroup files: the
// manager interface can freeze and thaw but not report, and status must stay
// cheap for `list`.
func cgroupFrozen(paths map[string]string) bool {
	if p, ok := paths["freezer"]; ok {
		data, err := os.ReadFile(filepath.Join(p, "freezer.state"))
		return err == nil && strings.TrimSpace(string(data)) != "THAWED"
	}
	for _, key := range []string{"", "unified"} {
		if p, ok := paths[key]; ok {
			data, err := os.ReadFile(filepath.Join(p, "cgroup.freeze"))
			if err == nil {
				return strings.TrimSpace(string(data)) == "1"
			}
		}
	}
	return false
}
