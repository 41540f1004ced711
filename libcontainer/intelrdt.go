package libcontainer

import (
	"errors"
	"fmt"

	"github.com/hullrt/hull/libcontainer/intelrdt"
)

// joinIntelRdt puts an exec'd process (the executor, before it forks it)
// in the container's resctrl groups, as runc does.
func joinIntelRdt(rec *record, pid int) error {
	if rec.Spec == nil || rec.Spec.Linux == nil || rec.Spec.Linux.IntelRdt == nil {
		return nil
	}
	g, err := intelrdt.Find(rec.ID, rec.Spec.Linux.IntelRdt)
	if err != nil {
		return err
	}
	return g.Created().Join(pid)
}

// destroyIntelRdt removes the resctrl groups create made for the
// container. resctrl unmounted since then leaves nothing to remove.
func destroyIntelRdt(rec *record) error {
	if rec.Spec == nil || rec.Spec.Linux == nil || rec.Spec.Linux.IntelRdt == nil {
		return nil
	}
	g, err := intelrdt.Find(rec.ID, rec.Spec.Linux.IntelRdt)
	if err != nil {
		return nil
	}
	return g.Created().Destroy()
}

// UpdateIntelRdt sets the L3 cache and memory bandwidth schemata of a
// running container's resctrl group (`update --l3-cache-schema
// --mem-bw-schema`; empty: unchanged) and records them in its config.
func (c *Container) UpdateIntelRdt(l3CacheSchema, memBwSchema string) error {
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	if status == Stopped {
		return c.stateError(ErrNotRunning)
	}
	spec, err := c.rec.fullSpec()
	if err != nil {
		return err
	}
	if spec == nil || spec.Linux == nil || spec.Linux.IntelRdt == nil {
		return errors.New("linux.intelRdt: the container has no Intel RDT configuration to update")
	}
	rdt := *spec.Linux.IntelRdt
	if l3CacheSchema != "" {
		rdt.L3CacheSchema = l3CacheSchema
	}
	if memBwSchema != "" {
		rdt.MemBwSchema = memBwSchema
	}
	g, err := intelrdt.Find(c.id, &rdt)
	if err != nil {
		return err
	}
	if err := g.SetSchemata(l3CacheSchema, memBwSchema); err != nil {
		return fmt.Errorf("update linux.intelRdt: %w", err)
	}
	spec.Linux.IntelRdt = &rdt
	// An Intel RDT group is Go's to remove: no delete section.
	return saveRecord(c.dir, c.rec, nil)
}
