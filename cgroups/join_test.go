package cgroups

import "testing"

func TestSubDirStaysBelowTheContainer(t *testing.T) {
	d := cgroupDir{root: "/sys/fs/cgroup/memory", rel: "a/ct"}
	for p, want := range map[string]string{"sub": "a/ct/sub", "x/../y": "a/ct/y", "/abs": "a/ct/abs", "": "a/ct"} {
		got, err := subDir(d, p)
		if err != nil || got.rel != want {
			t.Errorf("subDir(%q) = %q, %v; want %q", p, got.rel, err, want)
		}
	}
	for _, p := range []string{"..", "../ct2", "sub/../../x", "../ct-other"} {
		if got, err := subDir(d, p); err == nil {
			t.Errorf("subDir(%q) = %q, want bad sub cgroup path", p, got.rel)
		}
	}
}
