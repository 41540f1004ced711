package cgroups

import (
	"strings"
	"testing"
)

func TestInnerPath(t *testing.T) {
	for _, tc := range []struct {
		path, id, want, err string
	}{
		{path: "", id: "ctr", want: "ctr"},
		{path: "/a/b", id: "ctr", want: "/a/b"},
		{path: "/a//b/", id: "ctr", want: "/a/b"},
		{path: "a/b", id: "ctr", want: "a/b"},
		{path: "/a/../b", id: "ctr", err: `must not contain ".."`},
		{path: "../x", id: "ctr", err: `must not contain ".."`},
		{path: "/", id: "ctr", err: "names the parent's own cgroup"},
		{path: "", id: "", err: "cannot name a cgroup"},
		{path: "", id: "..", err: "cannot name a cgroup"},
	} {
		got, err := innerPath(tc.path, tc.id)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("innerPath(%q, %q) error = %v, want %q", tc.path, tc.id, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("innerPath(%q, %q) = %q, %v; want %q", tc.path, tc.id, got, err, tc.want)
		}
	}
}

func TestContainerDir(t *testing.T) {
	v1 := &hierarchy{key: "memory", mountpoint: "/sys/fs/cgroup/memory", mountRoot: "/", controllers: []string{"memory"}, own: "/user/session"}
	v2 := &hierarchy{key: "", mountpoint: "/sys/fs/cgroup", mountRoot: "/", v2: true, own: "/user.slice/session-1.scope"}
	nsRoot := &hierarchy{key: "pids", mountpoint: "/sys/fs/cgroup/pids", mountRoot: "/docker/abc", controllers: []string{"pids"}, own: "/docker/abc/inner"}
	unknown := &hierarchy{key: "cpu", mountpoint: "/sys/fs/cgroup/cpu", mountRoot: "/", controllers: []string{"cpu"}}
	for _, tc := range []struct {
		name  string
		h     *hierarchy
		inner string
		want  string
		err   string
	}{
		{"v1 absolute ignores own cgroup", v1, "/hull/ctr", "/sys/fs/cgroup/memory/hull/ctr", ""},
		{"v1 relative joins own cgroup", v1, "ctr", "/sys/fs/cgroup/memory/user/session/ctr", ""},
		{"v2 relative joins parent of own cgroup", v2, "ctr", "/sys/fs/cgroup/user.slice/ctr", ""},
		{"v2 absolute", v2, "/a/b", "/sys/fs/cgroup/a/b", ""},
		{"mount shows a subtree", nsRoot, "ctr", "/sys/fs/cgroup/pids/inner/ctr", ""},
		{"own cgroup unknown", unknown, "ctr", "", "own cgroup unknown"},
		{"own root on v2 stays at root", &hierarchy{mountpoint: "/sys/fs/cgroup", mountRoot: "/", v2: true, own: "/"}, "ctr", "/sys/fs/cgroup/ctr", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := containerDir(tc.h, tc.inner)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || d.path() != tc.want {
				t.Fatalf("got %q, %v; want %q", d.path(), err, tc.want)
			}
		})
	}
}
