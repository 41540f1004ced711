package cgroups

// WouldCreate maps each hierarchy key to the shallowest directory Apply
// would make if it ran now ("" levels that exist are left out): what a
// create records before it makes anything, so that whoever cleans up after
// a create killed halfway (delete --force, a later create of the id) can
// remove the ancestors it made without touching ones that were there.
func (m *manager) WouldCreate() map[string]string {
	defer m.release()
	out := map[string]string{}
	if m.loadErr != nil {
		return out
	}
	for _, c := range m.joined() {
		top := ""
		for d := c.dir; d.rel != "" && !d.exists(); d = d.parent() {
			top = d.path()
		}
		if top != "" {
			out[c.key] = top
		}
	}
	return out
}
