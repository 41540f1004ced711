package cgroups

import (
	"path"
	"strings"
)

// Removal is one directory of a container's cgroup as Destroy and then
// RemoveCreatedParents remove it, for a remover outside Go (the hull
// CLI's C delete path): Root is the hierarchy's mount point, Rel the
// container's directory below it ("/"-separated, never empty), and
// Parents how many of its ancestors, nearest first, create made and
// RemoveCreatedParents removes once empty.
type Removal struct {
	Root, Rel string
	Parents   int
}

// Removals is what Destroy and RemoveCreatedParents(mgr, created) remove,
// directory by directory, when that is nothing but rmdirs: ok is false
// for a systemd manager (a unit to stop), hierarchies that could not be
// found and a hierarchy root. A hierarchy a rootless caller skipped is
// not the container's (Paths leaves it out).
// A cgroup the container made inside its own is not in it: the rmdir of
// the container's directory then fails (EBUSY) and Destroy is needed.
func Removals(mgr Manager, created map[string]string) (out []Removal, ok bool) {
	m, isFS := mgr.(*manager)
	if !isFS || m.loadErr != nil {
		return nil, false
	}
	for _, c := range m.cgroups {
		if c.skipped {
			continue
		}
		if c.dir.rel == "" {
			return nil, false
		}
		r := Removal{Root: c.dir.root, Rel: c.dir.rel}
		// The same walk as removeCreatedParents.
		if top, ok := created[c.key]; ok {
			topRel, ok := strings.CutPrefix(path.Clean(top), c.dir.root+"/")
			if ok && strings.HasPrefix(c.dir.rel, topRel+"/") {
				for d := c.dir.parent(); d.rel != "" && strings.HasPrefix(d.rel+"/", topRel+"/"); d = d.parent() {
					r.Parents++
				}
			}
		}
		out = append(out, r)
	}
	return out, true
}
