package libcontainer

import (
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
