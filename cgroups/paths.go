package cgroups

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// innerPath turns linux.cgroupsPath into the path New places in every
// hierarchy. Like runc's cgroupfs driver, an empty cgroupsPath means the
// container id relative to the caller's own cgroup.
func innerPath(cgroupsPath, id string) (string, error) {
	if cgroupsPath == "" {
		if id == "" || id == "." || id == ".." || strings.Contains(id, "/") {
			return "", fmt.Errorf("linux.cgroupsPath is empty and container id %q cannot name a cgroup", id)
		}
		return id, nil
	}
	for part := range strings.SplitSeq(cgroupsPath, "/") {
		if part == ".." {
			return "", fmt.Errorf("linux.cgroupsPath %q: must not contain \"..\"", cgroupsPath)
		}
	}
	p := path.Clean(cgroupsPath)
	if p == "/" || p == "." {
		return "", fmt.Errorf("linux.cgroupsPath %q: names the parent's own cgroup, not a new one", cgroupsPath)
	}
	return p, nil
}

// containerDir places inner in hierarchy h. An absolute inner is relative to
// the hierarchy root. A relative one is relative to the caller's cgroup on
// v1, and to its parent on cgroup2, where the caller's own cgroup usually
// holds processes and so cannot delegate controllers to a child.
func containerDir(h *hierarchy, inner string) (cgroupDir, error) {
	d := cgroupDir{root: h.mountpoint}
	if path.IsAbs(inner) {
		d.rel = strings.TrimPrefix(inner, "/")
		return d, nil
	}
	own, err := ownCgroup(h)
	if err != nil {
		return d, fmt.Errorf("place relative cgroupsPath %q in %s: %w", inner, h.mountpoint, err)
	}
	if h.v2 {
		own = path.Dir(own)
	}
	d.rel = strings.TrimPrefix(path.Join(own, inner), "/")
	return d, nil
}

// ownCgroup is the caller's own cgroup in hierarchy h, as a path from the
// mount point ("/" for the mount's root).
func ownCgroup(h *hierarchy) (string, error) {
	if h.own == "" {
		return "", errors.New("own cgroup unknown (not in /proc/self/cgroup)")
	}
	// own is relative to the hierarchy's real root; the mount may show only
	// a subtree of it (mountRoot).
	own := path.Clean(h.own)
	root := path.Clean(h.mountRoot)
	if root != "/" {
		if own != root && !strings.HasPrefix(own, root+"/") {
			return "", fmt.Errorf("own cgroup %s is outside the mounted subtree %s", own, root)
		}
		own = "/" + strings.TrimPrefix(strings.TrimPrefix(own, root), "/")
	}
	return own, nil
}
