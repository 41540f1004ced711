package integration

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func withoutMountNamespace(s *specs.Spec) {
	s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.MountNamespace
	})
}

// hostMountsUnder lists the lines of the host's mount table that mention
// dir.
func hostMountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(readFile(t, "/proc/self/mountinfo"), "\n") {
		if strings.Contains(line, dir) {
			found = append(found, line)
		}
	}
	return found
}

// A config without a mount namespace shares the runtime's (config-linux:
// "the container MUST inherit the runtime namespace of that type"), yet
// its mounts land on a detached copy of the rootfs: the host's mount table
// never shows them, and the container and its exec'd processes are
// chrooted into the rootfs with its proc, dev, binds and masked paths.
func TestNoMountNamespace(t *testing.T) {
	hostMnt, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	rootLine := hostMountsUnder(t, " / / ")
	shared := t.TempDir()
	if err := os.WriteFile(filepath.Join(shared, "file"), []byte("bound\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t)
	c := startSleeper(t, rt, func(s *specs.Spec) {
		withoutMountNamespace(s)
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/shared", Type: "bind", Source: shared,
			Options: []string{"rbind", "rshared"}})
	})
	if err := os.WriteFile(filepath.Join(c.bundle, "rootfs", "marker"), []byte("in-rootfs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m := hostMountsUnder(t, c.bundle); len(m) > 0 {
		t.Errorf("the host's mount table shows the container's mounts:\n%s", strings.Join(m, "\n"))
	}
	if now := hostMountsUnder(t, " / / "); !slices.Equal(now, rootLine) {
		t.Errorf("the host's / changed: %q, was %q", now, rootLine)
	}
	out := mustSucceed(t, c.exec(nil, "sh", "-c",
		"readlink /proc/self/ns/mnt; cat /marker; stat -c %t:%T /dev/null; head -c1 /proc/kcore | wc -c; test -e /proc/1/exe && echo proc; cat /shared/file")).stdout
	want := []string{hostMnt, "in-rootfs", "1:3", "0", "proc", "bound"}
	if got := strings.Fields(out); !slices.Equal(got, want) {
		t.Errorf("exec printed %q, want %q", got, want)
	}
	mustSucceed(t, c.kill("KILL"))
	c.waitStatus(specs.StateStopped)
	mustSucceed(t, c.delete())
	if m := hostMountsUnder(t, c.bundle); len(m) > 0 {
		t.Errorf("mounts left on the host after delete:\n%s", strings.Join(m, "\n"))
	}
}
