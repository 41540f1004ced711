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
	// A stopped container lists what is left in its cgroup, usually
	// nothing, as runc does; a cgroup that is gone holds nothing.
	if c.Status() == Stopped && !cgroups.Load(c.rec.CgroupPaths).Exists() {
		return nil, nil
	}
	pids, err := cgroups.Load(c.rec.CgroupPaths).Pids()
	if err != nil {
		return nil, fmt.Errorf("list container processes: %w", err)
	}
	return pids, nil
}
