package cgroups

import (
	"errors"
	"reflect"
	"testing"
)

// Removals names, per hierarchy, the container's directory and the
// ancestors RemoveCreatedParents would walk: up to the shallowest one
// create made, none where create made only the container's own, and the
// hierarchies a rootless caller skipped not at all.
func TestRemovals(t *testing.T) {
	cg := func(key, root, rel string, skipped bool) *cgroup {
		return &cgroup{hierarchy: &hierarchy{key: key, mountpoint: root}, dir: cgroupDir{root: root, rel: rel}, skipped: skipped}
	}
	m := &manager{cgroups: []*cgroup{
		cg("memory", "/sys/fs/cgroup/memory", "a/b/c", false),
		cg("pids", "/sys/fs/cgroup/pids", "a/b/c", false),
		cg("cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "a/b/c", false),
		cg("blkio", "/sys/fs/cgroup/blkio", "a/b/c", true),
	}}
	created := map[string]string{
		"memory": "/sys/fs/cgroup/memory/a",     // a and a/b
		"pids":   "/sys/fs/cgroup/pids/a/b/c",   // the container's own only
		"blkio":  "/sys/fs/cgroup/blkio/a",      // skipped
		"other":  "/sys/fs/cgroup/other/a/b/c/", // no such cgroup
	}
	got, ok := Removals(m, created)
	want := []Removal{
		{Root: "/sys/fs/cgroup/memory", Rel: "a/b/c", Parents: 2},
		{Root: "/sys/fs/cgroup/pids", Rel: "a/b/c"},
		{Root: "/sys/fs/cgroup/cpu,cpuacct", Rel: "a/b/c"},
	}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("Removals = %+v, %v; want %+v, true", got, ok, want)
	}

	for name, mgr := range map[string]Manager{
		"hierarchies not found": &manager{loadErr: errors.New("no mount table")},
		"a hierarchy root":      &manager{cgroups: []*cgroup{cg("memory", "/sys/fs/cgroup/memory", "", false)}},
		"systemd":               &systemdManager{fs: m},
	} {
		if r, ok := Removals(mgr, nil); ok {
			t.Errorf("%s: Removals = %+v, want not ok", name, r)
		}
	}
}
