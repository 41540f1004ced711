package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/program"
)

// execPidsError explains an exec whose fork into the container failed
// with EAGAIN because the container's cgroup is at its pids.max: the
// executor is in that cgroup when it forks the process, so an exec needs
// room for two tasks (a limit of 1, or 2 with the init alone, leaves
// none). runc fails there too, and with more room still (its Go init
// cannot start its threads: with the init alone it fails up to a limit of
// 4 at least); the error names the limit instead of a bare "resource
// temporarily unavailable". Any other error is returned as it is.
func execPidsError(err error, cgroupPaths map[string]string) error {
	var ee *ExecutorError
	if !errors.As(err, &ee) || ee.Op != program.OpFork || ee.Errno != unix.EAGAIN {
		return err
	}
	limit, ok := pidsAtLimit(cgroupPaths)
	if !ok {
		return err
	}
	// The errno is wrapped, not the op's text: this error already says
	// which process did not fit.
	return fmt.Errorf("linux.resources.pids.limit: no room under the container's limit of %d tasks (pids.max) to start the exec'd process (it needs 2 while it starts): %w",
		limit, ee.Errno)
}

// pidsAtLimit reads pids.max and pids.current of the container's pids
// cgroup (v1) or unified cgroup, and reports whether a limit is set and
// reached (the executor, in the cgroup by then, counts in pids.current).
func pidsAtLimit(paths map[string]string) (limit uint64, ok bool) {
	for _, key := range []string{"pids", "", "unified"} {
		dir, found := paths[key]
		if !found {
			continue
		}
		max, err := readCgroupUint(filepath.Join(dir, "pids.max"))
		if err != nil {
			continue
		}
		cur, err := readCgroupUint(filepath.Join(dir, "pids.current"))
		if err != nil {
			continue
		}
		return max, cur+1 >= max // the executor may have left already
	}
	return 0, false
}

// readCgroupUint reads a cgroup file holding one number; "max" (no
// limit) is an error.
func readCgroupUint(file string) (uint64, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
}
