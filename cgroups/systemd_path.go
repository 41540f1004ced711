package cgroups

import (
	"fmt"
	"path"
	"strings"
)

// systemdUnit is where the systemd driver puts a container: a transient
// scope (or, when the name ends in .slice, a slice) in a parent slice.
type systemdUnit struct {
	// Slice is the parent slice unit ("system.slice", "user.slice", "-.slice").
	Slice string
	// Name is the unit hull creates: "PREFIX-NAME.scope", or NAME itself
	// when it is a slice.
	Name string
}

// parseSystemdPath reads linux.cgroupsPath the way runc's systemd driver
// does: "slice:prefix:name"; an empty slice is the default parent
// (system.slice, or user.slice for a user instance); an empty path is
// "DEFAULT:hull:ID".
func parseSystemdPath(cgroupsPath, id string, user bool) (systemdUnit, error) {
	parent := "system.slice"
	if user {
		parent = "user.slice"
	}
	if cgroupsPath == "" {
		if id == "" {
			return systemdUnit{}, fmt.Errorf("linux.cgroupsPath is empty and there is no container id to name a systemd unit")
		}
		return systemdUnit{Slice: parent, Name: "hull-" + id + ".scope"}, nil
	}
	parts := strings.Split(cgroupsPath, ":")
	if len(parts) != 3 {
		return systemdUnit{}, fmt.Errorf("linux.cgroupsPath %q: the systemd driver expects slice:prefix:name", cgroupsPath)
	}
	slice, prefix, name := parts[0], parts[1], parts[2]
	if slice == "" {
		slice = parent
	}
	if _, err := expandSlice(slice); err != nil {
		return systemdUnit{}, fmt.Errorf("linux.cgroupsPath %q: %w", cgroupsPath, err)
	}
	if name == "" || strings.Contains(name, "/") {
		return systemdUnit{}, fmt.Errorf("linux.cgroupsPath %q: invalid unit name %q", cgroupsPath, name)
	}
	if strings.HasSuffix(name, ".slice") {
		if _, err := expandSlice(name); err != nil {
			return systemdUnit{}, fmt.Errorf("linux.cgroupsPath %q: %w", cgroupsPath, err)
		}
		return systemdUnit{Slice: slice, Name: name}, nil
	}
	if prefix != "" {
		name = prefix + "-" + name
	}
	return systemdUnit{Slice: slice, Name: name + ".scope"}, nil
}

// expandSlice turns a slice unit name into its cgroup path, as systemd
// nests slices: "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice and
// "-.slice" the root.
func expandSlice(slice string) (string, error) {
	base, ok := strings.CutSuffix(slice, ".slice")
	if !ok || strings.Contains(base, "/") {
		return "", fmt.Errorf("invalid slice name %q", slice)
	}
	if base == "-" {
		return "/", nil
	}
	if base == "" || strings.HasPrefix(base, "-") || strings.HasSuffix(base, "-") || strings.Contains(base, "--") {
		return "", fmt.Errorf("invalid slice name %q", slice)
	}
	p, prefix := "", ""
	for component := range strings.SplitSeq(base, "-") {
		p += "/" + prefix + component + ".slice"
		prefix += component + "-"
	}
	return p, nil
}

// cgroupPath is the unit's cgroup below each hierarchy's root.
func (u systemdUnit) cgroupPath() string {
	slice, _ := expandSlice(u.Slice)
	if u.isSlice() {
		name, _ := expandSlice(u.Name)
		// A slice's own path already holds its parents' names.
		return name
	}
	return path.Join(slice, u.Name)
}

func (u systemdUnit) isSlice() bool { return strings.HasSuffix(u.Name, ".slice") }
