package cgroups

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Join moves pid into the container's existing cgroups, or into existing
// sub-cgroups of them (`exec --cgroup`): sub maps a controller to a path
// below the container's cgroup, "" to a path for every hierarchy. Unlike
// Apply it creates nothing, sets no limits and joins a frozen cgroup (the
// process then stops until the container is resumed, as `exec
// --ignore-paused` wants).
func (m *manager) Join(pid int, sub map[string]string) error {
	defer m.release()
	if m.loadErr != nil {
		return m.loadErr
	}
	dirs := map[*cgroup]cgroupDir{}
	for _, c := range m.joined() {
		dirs[c] = c.dir
	}
	for ctrl, p := range sub {
		targets, err := m.subTargets(ctrl)
		if err != nil {
			return err
		}
		for _, c := range targets {
			d, err := subDir(c.dir, p)
			if err != nil {
				return err
			}
			dirs[c] = d
		}
	}
	for _, c := range m.joined() {
		d := dirs[c]
		if err := d.write("cgroup.procs", strconv.Itoa(pid)); err != nil {
			if m.rootless && isPermission(err) {
				continue
			}
			return fmt.Errorf("join cgroup %s: %w", d.path(), err)
		}
	}
	return nil
}

// subTargets returns the hierarchies a --cgroup controller names: all of
// them for "", else the v1 hierarchy with that controller (or key, so
// "cpu,cpuacct" works), "unified" for the cgroup2 one of a hybrid host.
func (m *manager) subTargets(ctrl string) ([]*cgroup, error) {
	if ctrl == "" {
		return m.joined(), nil
	}
	if m.pureV2 {
		return nil, fmt.Errorf("sub cgroup %s: a cgroup v2 host takes a single PATH, without a controller", ctrl)
	}
	var out []*cgroup
	for _, c := range m.joined() {
		if c.has(ctrl) || c.key == ctrl {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("unknown controller %s in sub cgroup paths", ctrl)
	}
	return out, nil
}

// subDir is the sub-cgroup p of d; it must stay below d (runc's message).
func subDir(d cgroupDir, p string) (cgroupDir, error) {
	rel := path.Join("/", d.rel, p)
	base := path.Join("/", d.rel)
	if rel != base && !strings.HasPrefix(rel, strings.TrimSuffix(base, "/")+"/") {
		return cgroupDir{}, fmt.Errorf("bad sub cgroup path: %s", p)
	}
	return cgroupDir{root: d.root, rel: strings.TrimPrefix(rel, "/")}, nil
}
