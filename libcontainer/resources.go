package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

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

// Update applies new resource limits to a live container and records them
// in its stored config, so that the state matches what is enforced.
func (c *Container) Update(r *specs.LinuxResources) error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	if status == Stopped {
		return c.stateError(ErrNotRunning)
	}
	if err := cgroups.Load(c.rec.CgroupPaths).Set(r); err != nil {
		return fmt.Errorf("update resources: %w", err)
	}
	spec, err := c.rec.fullSpec()
	if err != nil {
		return err
	}
	if spec != nil && spec.Linux != nil {
		spec.Linux.Resources = r
		return saveRecord(c.dir, c.rec)
	}
	return nil
}
