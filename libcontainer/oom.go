package libcontainer

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// oomKills counts the OOM kills the kernel reports in a container's memory
// cgroup: "oom_kill N" in memory.oom_control (v1) or memory.events
// (cgroup2). Read straight from the files, as cgroupFrozen does: only an
// error path needs it.
func oomKills(paths map[string]string) uint64 {
	var n uint64
	if p, ok := paths["memory"]; ok {
		n += oomKillField(filepath.Join(p, "memory.oom_control"))
	}
	for _, key := range []string{"", "unified"} {
		if p, ok := paths[key]; ok {
			n += oomKillField(filepath.Join(p, "memory.events"))
		}
	}
	return n
}

func oomKillField(file string) uint64 {
	f, err := os.Open(file)
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "oom_kill "); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}
