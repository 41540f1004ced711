package cgroups

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrKillUnsupported says that Kill cannot kill the cgroup in one step:
// the container has no cgroup2 cgroup (a v1-only host, or one a rootless
// caller skipped) or the kernel has no cgroup.kill (before 5.14). The
// caller then freezes, lists and signals instead.
var ErrKillUnsupported = errors.New("no cgroup.kill for this cgroup")

// Kill SIGKILLs every process of the container's cgroup2 cgroup and of
// the cgroups below it by writing cgroup.kill. Listing the pids and then
// killing them one by one lets a process that forks in a loop (or forks
// and exits, changing pid each time) outrun the list; the kernel instead
// marks the cgroup as being killed, so a child forked meanwhile is killed
// as it is born. On a hybrid host the container's unified cgroup holds
// the same processes as its v1 ones (Apply and Join move a process into
// every hierarchy), as runc's signalAllProcesses assumes too.
func (m *manager) Kill() error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	c := m.v2()
	if c == nil {
		return fmt.Errorf("kill the cgroup's processes: %w", ErrKillUnsupported)
	}
	if err := c.dir.write("cgroup.kill", "1"); err != nil {
		if errors.Is(err, unix.ENOENT) {
			// No such file (old kernel), or the directory went away: in
			// both cases the other way decides what is left to signal.
			return fmt.Errorf("kill the processes of cgroup %s: %w", c.dir.path(), ErrKillUnsupported)
		}
		return fmt.Errorf("kill the processes of cgroup %s: %w", c.dir.path(), err)
	}
	return nil
}
