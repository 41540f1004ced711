package libcontainer

import (
	"fmt"

	"github.com/hullrt/hull/cgroups"
)

// Processes lists the pids of every process in the container's cgroup.
func (c *Container) Processes() ([]int, error) {
	if err := c.reload(); err != nil {
		return nil, err
	}
	if c.Status() == Stopped {
		return nil, c.stateError(ErrNotRunning)
	}
	pids, err := cgroups.Load(c.rec.CgroupPaths).Pids()
	if err != nil {
		return nil, fmt.Errorf("list container processes: %w", err)
	}
	return pids, nil
}
