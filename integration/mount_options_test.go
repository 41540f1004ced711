package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// hostMount mounts a tmpfs with options at a fresh directory, unmounted
// when the test ends.
func hostMount(t *testing.T, options string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "src")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mount a tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { unmountAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if options != "" {
		if err := unix.Mount("", dir, "", unix.MS_REMOUNT|parseMountFlags(options), ""); err != nil {
			t.Fatalf("remount %s %s: %v", dir, options, err)
		}
	}
	return dir
}

func parseMountFlags(options string) uintptr {
	flags := map[string]uintptr{"ro": unix.MS_RDONLY, "nosuid": unix.MS_NOSUID, "nodev": unix.MS_NODEV,
		"noexec": unix.MS_NOEXEC, "noatime": unix.MS_NOATIME}
	var f uintptr
	for _, o := range strings.Split(options, ",") {
		f |= flags[o]
	}
	return f
}

// mountOptionsOf returns the per-mount options (the sixth field of
// mountinfo) of every mount point in mountinfo.
func mountOptionsOf(mountinfo string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(mountinfo, "\n") {
		if f := strings.Fields(l); len(f) > 5 {
			out[f[4]] = f[5]
		}
	}
	return out
}

// A bind of a source mounted ro,nosuid,nodev,noexec,noatime gets exactly
// the flags its options say, as runc sets them: none given keeps the
// source's; any given clears the others, and the access time stays the
// source's unless an atime option is given (then relatime by default).
func TestBindFlagsAreExactlyTheOptions(t *testing.T) {
	src := hostMount(t, "ro,nosuid,nodev,noexec,noatime")
	cases := []struct {
		options []string
		want    string
	}{
		{[]string{"bind"}, "ro,nosuid,nodev,noexec,noatime"},
		{[]string{"bind", "rw"}, "rw,noatime"},
		{[]string{"bind", "nosuid"}, "rw,nosuid,noatime"},
		{[]string{"bind", "ro", "nodev"}, "ro,nodev,noatime"},
		{[]string{"bind", "nodiratime"}, "rw,nodiratime,relatime"},
		{[]string{"bind", "strictatime"}, "rw"},
		{[]string{"bind", "atime"}, "rw,noatime"},
		{[]string{"bind", "relatime", "noexec"}, "rw,noexec,relatime"},
	}
	out := outputOf(t, "cat /proc/self/mountinfo", func(s *specs.Spec) {
		for i, tc := range cases {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: fmt.Sprintf("/b%d", i), Type: "bind",
				Source: src, Options: tc.options})
		}
	})
	got := mountOptionsOf(out)
	for i, tc := range cases {
		if g := got[fmt.Sprintf("/b%d", i)]; g != tc.want {
			t.Errorf("bind %q of a ro,nosuid,nodev,noexec,noatime source: %q, want %q", tc.options, g, tc.want)
		}
	}
}

// In a user namespace the source's flags are locked: a bind keeps them
// where its options do not name them, and asking to clear one is an
// error naming it (runc: "cannot clear locked flags").
func TestBindKeepsLockedFlagsInUserNamespace(t *testing.T) {
	src := hostMount(t, "ro,nosuid,nodev,noexec,noatime")
	run := func(options ...string) result {
		rt := newRuntime(t)
		spec := testSpec(t, rt, sh("grep ' /data ' /proc/self/mountinfo")...)
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
		spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: src, Options: options})
		c := newContainer(t, rt, spec)
		allowUnmappedRootToTraverse(t, c.bundle)
		if err := os.Mkdir(filepath.Join(c.bundle, "rootfs", "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		return c.runForeground()
	}
	res := mustSucceed(t, run("bind", "nosuid"))
	if got := mountOptionsOf(res.stdout)["/data"]; got != "ro,nosuid,nodev,noexec,noatime" {
		t.Errorf("bind nosuid of a locked source: %q, want the locked flags kept", got)
	}
	res = run("bind", "rw")
	if res.code == 0 || !strings.Contains(res.stderr, "cannot clear locked flags") {
		t.Errorf("bind rw of a locked read-only source: want an error naming the locked flag: %v", res)
	}
}

// "rbind,ro" makes the bind read-only but not the mounts under it; "rro"
// makes them all read-only (mount_setattr with AT_RECURSIVE), as runc.
func TestRbindRoIsNotRecursiveUnlessRro(t *testing.T) {
	src := hostMount(t, "")
	if err := os.Mkdir(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", filepath.Join(src, "sub"), "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	out := outputOf(t, "cat /proc/self/mountinfo", func(s *specs.Spec) {
		s.Mounts = append(s.Mounts,
			specs.Mount{Destination: "/ro", Type: "bind", Source: src, Options: []string{"rbind", "ro"}},
			specs.Mount{Destination: "/rro", Type: "bind", Source: src, Options: []string{"rbind", "rro"}})
	})
	got := mountOptionsOf(out)
	for dest, want := range map[string]string{"/ro": "ro", "/ro/sub": "rw", "/rro": "ro", "/rro/sub": "ro"} {
		if !strings.HasPrefix(got[dest], want+",") {
			t.Errorf("%s: %q, want %s", dest, got[dest], want)
		}
	}
}

// A file bound onto /a/b/c/file, none of which exists in the image: the
// parents are made 0755 (as runc), so a non-root user reaches the file.
func TestFileBindCreatesReachableParents(t *testing.T) {
	src := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(src, []byte("reachable\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	out := outputOf(t, "stat -c %a /a /a/b /a/b/c; cat /a/b/c/file", func(s *specs.Spec) {
		s.Process.User = specs.User{UID: 1000, GID: 1000}
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/a/b/c/file", Type: "bind", Source: src, Options: []string{"bind"}})
	})
	if want := "755\n755\n755\nreachable"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// A tmpfs without mode= takes the mode of the directory it covers (runc);
// with mode= it has that mode.
func TestTmpfsTakesTheCoveredMode(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("stat -c %a /covered /explicit")...)
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/covered", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid"}},
		specs.Mount{Destination: "/explicit", Type: "tmpfs", Source: "tmpfs", Options: []string{"mode=1777"}})
	c := newContainer(t, rt, spec)
	for _, d := range []string{"covered", "explicit"} {
		if err := os.Mkdir(filepath.Join(c.bundle, "rootfs", d), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(c.bundle, "rootfs", d), 0o710); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Fields(mustSucceed(t, c.runForeground()).stdout); strings.Join(got, " ") != "710 1777" {
		t.Errorf("modes %q, want the covered 710 and the explicit 1777", got)
	}
}

// tmpcopyup (podman puts it on /tmp, /run, /var/tmp): the new tmpfs holds
// a copy of what it covers (files, directories, links, modes, owners),
// and writes go to the tmpfs, not the image.
func TestTmpcopyupCopiesTheCoveredDirectory(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("cat /seed/file /seed/dir/inner; readlink /seed/link; stat -c '%a %u:%g' /seed/dir /seed/file; "+
		"echo new > /seed/written; grep ' /seed ' /proc/self/mountinfo | cut -d' ' -f9")...)
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/seed", Type: "tmpfs", Source: "tmpfs",
		Options: []string{"tmpcopyup", "nosuid", "nodev"}})
	c := newContainer(t, rt, spec)
	seed := filepath.Join(c.bundle, "rootfs", "seed")
	for _, err := range []error{
		os.MkdirAll(filepath.Join(seed, "dir"), 0o755),
		os.WriteFile(filepath.Join(seed, "file"), []byte("top\n"), 0o640),
		os.WriteFile(filepath.Join(seed, "dir", "inner"), []byte("inner\n"), 0o644),
		os.Symlink("dir/inner", filepath.Join(seed, "link")),
		os.Chown(filepath.Join(seed, "dir"), 1000, 1001),
		os.Chmod(filepath.Join(seed, "dir"), 0o705),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	out := strings.TrimSpace(mustSucceed(t, c.runForeground()).stdout)
	want := "top\ninner\ndir/inner\n705 1000:1001\n640 0:0\ntmpfs"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if fileExists(filepath.Join(seed, "written")) {
		t.Error("a write under the tmpcopyup mount reached the image")
	}
}

// A read-only /dev (runc mounts it writable, fills it, then makes it
// read-only) with /dev/pts and the devices under it.
func TestReadonlyDevWithPtsUnderIt(t *testing.T) {
	res := runInContainer(t, "grep -E ' /dev(/pts)? ' /proc/self/mountinfo | cut -d' ' -f5,6; echo x > /dev/null && echo null-ok; touch /dev/new", func(s *specs.Spec) {
		for i, m := range s.Mounts {
			if m.Destination == "/dev" {
				s.Mounts[i].Options = append(s.Mounts[i].Options, "ro")
			}
		}
	})
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "/dev ro,") || !strings.HasPrefix(lines[1], "/dev/pts rw,") || lines[2] != "null-ok" {
		t.Errorf("want /dev read-only, /dev/pts writable under it, /dev/null usable: %v", res)
	}
	if res.code == 0 || !strings.Contains(res.stderr, "Read-only file system") {
		t.Errorf("creating a file in the read-only /dev did not fail with EROFS: %v", res)
	}
}
