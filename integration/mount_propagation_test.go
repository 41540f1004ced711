package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// sharedHostMount mounts a tmpfs at a fresh directory and makes it a shared
// mount, as a kubelet's volume directory is; everything mounted under it
// is unmounted when the test ends.
func sharedHostMount(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mount a tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { unmountAll(dir) })
	if err := unix.Mount("", dir, "", unix.MS_SHARED, ""); err != nil {
		t.Fatalf("make %s shared: %v", dir, err)
	}
	if err := os.Mkdir(filepath.Join(dir, "vol"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// unmountAll detaches every mount at or under dir, deepest first.
func unmountAll(dir string) {
	for i := 0; i < 16; i++ {
		data, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			return
		}
		var deepest string
		for _, l := range strings.Split(string(data), "\n") {
			f := strings.Fields(l)
			if len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) && len(f[4]) >= len(deepest) {
				deepest = f[4]
			}
		}
		if deepest == "" {
			return
		}
		_ = unix.Unmount(deepest, unix.MNT_DETACH)
	}
}

// mountinfoLine returns the line of mountinfo whose mount point is dest.
func mountinfoLine(mountinfo, dest string) string {
	for _, l := range strings.Split(mountinfo, "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[4] == dest {
			return l
		}
	}
	return ""
}

// A bind's propagation option is what the container's mount gets, as
// runc does: with the default rslave root, shared binds are shared and a
// slave of the host's mount, so mounts made on the host under the source
// reach the container; private and unbindable ones receive nothing.
func TestBindPropagationOptions(t *testing.T) {
	for _, tc := range []struct {
		option   string
		tags     []string // optional fields of the container's /data line
		receives bool     // a mount made on the host under the source appears inside
	}{
		{"rshared", []string{"shared:", "master:"}, true},
		{"shared", []string{"shared:", "master:"}, true},
		{"rslave", []string{"master:"}, true},
		{"slave", []string{"master:"}, true},
		{"rprivate", nil, false},
		{"private", nil, false},
		{"runbindable", []string{"unbindable"}, false},
		{"unbindable", []string{"unbindable"}, false},
	} {
		t.Run(tc.option, func(t *testing.T) {
			src := sharedHostMount(t)
			rt := newRuntime(t)
			c := startSleeper(t, rt, func(s *specs.Spec) {
				s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind",
					Source: filepath.Join(src, "vol"), Options: []string{"rbind", tc.option}})
			})
			fromHost := filepath.Join(src, "vol", "fromhost")
			if err := os.Mkdir(fromHost, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := unix.Mount("tmpfs", fromHost, "tmpfs", 0, "size=1m"); err != nil {
				t.Fatal(err)
			}
			mountinfo := mustSucceed(t, c.exec(nil, "cat", "/proc/self/mountinfo")).stdout
			data := mountinfoLine(mountinfo, "/data")
			if data == "" {
				t.Fatalf("no /data mount in the container:\n%s", mountinfo)
			}
			optional := strings.SplitN(data, " - ", 2)[0]
			for _, tag := range []string{"shared:", "master:", "unbindable"} {
				want := false
				for _, w := range tc.tags {
					want = want || w == tag
				}
				if got := strings.Contains(optional, tag); got != want {
					t.Errorf("%s bind: /data has %q = %v, want %v: %s", tc.option, tag, got, want, data)
				}
			}
			if got := mountinfoLine(mountinfo, "/data/fromhost") != ""; got != tc.receives {
				t.Errorf("%s bind: host mount under the source seen inside = %v, want %v\n%s", tc.option, got, tc.receives, mountinfo)
			}
		})
	}
}

// Kubernetes' Bidirectional propagation: rootfsPropagation rshared and an
// rshared bind of a shared host mount; a mount made inside the container
// appears on the host under the source.
func TestRsharedBindPropagatesBackToTheHost(t *testing.T) {
	src := sharedHostMount(t)
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		s.Linux.RootfsPropagation = "rshared"
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind",
			Source: filepath.Join(src, "vol"), Options: []string{"rbind", "rshared"}})
	})
	mustSucceed(t, c.exec([]string{"--cap", "CAP_SYS_ADMIN"}, "sh", "-c",
		"mkdir /data/inside && mount -t tmpfs -o size=1m fromcontainer /data/inside && echo hi > /data/inside/f"))
	hostView := filepath.Join(src, "vol", "inside")
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	line := mountinfoLine(string(data), hostView)
	if !strings.Contains(line, "fromcontainer") {
		t.Fatalf("the container's mount did not reach the host at %s:\n%s", hostView, data)
	}
	if got := readFile(t, filepath.Join(hostView, "f")); got != "hi\n" {
		t.Errorf("host reads %q through the propagated mount, want %q", got, "hi\n")
	}
}
