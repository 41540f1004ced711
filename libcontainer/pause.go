package libcontainer

import (
	"errors"

	"github.com/hullrt/hull/cgroups"
)

// ErrNotPaused is returned when resuming a container that is not paused.
var ErrNotPaused = errors.New("container not paused")

// Pause freezes every process of a running container.
func (c *Container) Pause() error {
	lock, err := lockDir(c.dir, c.id)
	if err != nil {
		return err
	}
	defer lock.unlock()
	if err := c.reload(); err != nil {
		return err
	}
	if st := c.Status(); st != Running && st != Created {
		return ErrNotRunning
	}
	return cgroups.Load(c.rec.CgroupPaths).Freeze()
}

// Resume thaws a paused container.
func (c *Container) Resume() error {
	lock, err := lockDir(c.dir, c.id)
	if err != nil {
		return err
	}
	defer lock.unlock()
	if err := c.reload(); err != nil {
		return err
	}
	if c.Status() != Paused {
		return ErrNotPaused
	}
	return cgroups.Load(c.rec.CgroupPaths).Thaw()
}
