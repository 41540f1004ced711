package libcontainer

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestIDMapHelperArgs(t *testing.T) {
	m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}}
	if got := strings.Join(idMapArgs(m), " "); got != "0 1000 1 1 100000 65536" {
		t.Errorf("idMapArgs = %q", got)
	}
	if got := string(formatIDMap(m)); got != "0 1000 1\n1 100000 65536\n" {
		t.Errorf("formatIDMap = %q", got)
	}
}

// runc denies setgroups for an unprivileged runtime only when the gid map
// is the caller's own gid alone; a wider map goes through newgidmap, and
// setgroups stays allowed (additional groups work).
func TestMapsOwnGIDOnly(t *testing.T) {
	for _, tc := range []struct {
		m    []specs.LinuxIDMapping
		want bool
	}{
		{[]specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}, true},
		{[]specs.LinuxIDMapping{{ContainerID: 0, HostID: 1001, Size: 1}}, false},
		{[]specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}}, false},
		{[]specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 2}}, false},
	} {
		if got := mapsOwnGIDOnly(tc.m, 1000); got != tc.want {
			t.Errorf("mapsOwnGIDOnly(%v) = %v, want %v", tc.m, got, tc.want)
		}
	}
}
