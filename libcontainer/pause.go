package libcontainer

import (
	"errors"

	"github.com/hullrt/hull/cgroups"
)

// ErrNotPaused is returned when resuming a container that is not paused.
var ErrNotPaused = errors.New("container not paused")

// Pause freezes every process of a running container.
func (c *Container) Pause() error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	if status != Running && status != Created {
		return c.stateError(ErrNotRunning)
	}
	return cgroups.Load(c.rec.CgroupPaths).Freeze()
}

// Resume thaws a paused container.
func (c *Container) Resume() error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	if status != Paused {
		return c.stateError(ErrNotPaused)
	}
	return cgroups.Load(c.rec.CgroupPaths).Thaw()
}
