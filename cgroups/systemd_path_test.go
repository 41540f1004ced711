package cgroups

import "testing"

func TestParseSystemdPath(t *testing.T) {
	for _, tc := range []struct {
		in, id    string
		user      bool
		slice     string
		name, dir string
	}{
		{"", "c1", false, "system.slice", "hull-c1.scope", "/system.slice/hull-c1.scope"},
		{"", "c1", true, "user.slice", "hull-c1.scope", "/user.slice/hull-c1.scope"},
		{"system.slice:docker:abc", "x", false, "system.slice", "docker-abc.scope", "/system.slice/docker-abc.scope"},
		{":cri-containerd:abc", "x", false, "system.slice", "cri-containerd-abc.scope", "/system.slice/cri-containerd-abc.scope"},
		{"kubepods-besteffort-pod1.slice:cri-containerd:abc", "x", false, "kubepods-besteffort-pod1.slice", "cri-containerd-abc.scope",
			"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope"},
		{"-.slice:p:n", "x", false, "-.slice", "p-n.scope", "/p-n.scope"},
		{"system.slice::n", "x", false, "system.slice", "n.scope", "/system.slice/n.scope"},
		{"system.slice:p:hull-test.slice", "x", false, "system.slice", "hull-test.slice", "/hull.slice/hull-test.slice"},
	} {
		u, err := parseSystemdPath(tc.in, tc.id, tc.user)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if u.Slice != tc.slice || u.Name != tc.name || u.cgroupPath() != tc.dir {
			t.Errorf("%q: got %s %s %s, want %s %s %s", tc.in, u.Slice, u.Name, u.cgroupPath(), tc.slice, tc.name, tc.dir)
		}
	}
	for _, bad := range []string{"/abs/path", "a:b", "a:b:c:d", "nosuffix:p:n", "a--b.slice:p:n", "-a.slice:p:n", "system.slice:p:", "system.slice:p:a/b"} {
		if _, err := parseSystemdPath(bad, "x", false); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
