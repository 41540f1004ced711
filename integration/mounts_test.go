package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestReadOnlyBindIsReadOnly(t *testing.T) {
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "greeting"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runInContainer(t, "cat /data/greeting; echo; touch /data/new", func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{
			Destination: "/data", Type: "bind", Source: hostDir, Options: []string{"bind", "ro"},
		})
	})
	if !strings.Contains(res.stdout, "hello") {
		t.Errorf("the bind's file is not readable: %v", res)
	}
	if res.code == 0 || !strings.Contains(res.stderr, "Read-only file system") {
		t.Errorf("writing to the read-only bind did not fail with EROFS: %v", res)
	}
	if fileExists(filepath.Join(hostDir, "new")) {
		t.Error("a file was created through the read-only bind")
	}
}

func TestReadWriteBindWritesToTheHost(t *testing.T) {
	hostDir := t.TempDir()
	outputOf(t, "echo written > /data/new", func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{
			Destination: "/data", Type: "bind", Source: hostDir, Options: []string{"bind", "rw"},
		})
	})
	if got := readFile(t, filepath.Join(hostDir, "new")); got != "written\n" {
		t.Errorf("the host file has %q, want %q", got, "written\n")
	}
}

func TestTmpfsOptionsTakeEffect(t *testing.T) {
	out := outputOf(t, "grep ' /scratch ' /proc/mounts; stat -c %a /scratch", func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{
			Destination: "/scratch", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "noexec", "size=256k", "mode=1750"},
		})
	})
	lines := strings.Split(out, "\n")
	if len(lines) != 2 {
		t.Fatalf("want the /scratch mount and its mode, got:\n%s", out)
	}
	mount, mode := lines[0], lines[1]
	for _, want := range []string{"tmpfs", "size=256k", "nosuid", "noexec"} {
		if !strings.Contains(mount, want) {
			t.Errorf("/scratch mount lacks %q: %s", want, mount)
		}
	}
	if mode != "1750" {
		t.Errorf("/scratch has mode %s, want 1750", mode)
	}
}

// /proc/timer_list (a file) and /sys/firmware (a directory), both non-empty
// on the host, are masked by the template; /secret (a directory) and
// /secret.txt are masked by the test.
func TestMaskedPathsAreUnreadable(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("wc -c < /proc/timer_list; ls -A /sys/firmware /secret; cat /secret.txt; echo end")...)
	spec.Linux.MaskedPaths = append(spec.Linux.MaskedPaths, "/secret", "/secret.txt")
	c := newContainer(t, rt, spec)
	rootfs := filepath.Join(c.bundle, "rootfs")
	if err := os.Mkdir(filepath.Join(rootfs, "secret"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"secret/inside", "secret.txt"} {
		if err := os.WriteFile(filepath.Join(rootfs, f), []byte("classified"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := mustSucceed(t, c.runForeground())
	// ls of two empty directories prints only their names.
	want := "0\n/secret:\n\n/sys/firmware:\nend"
	if got := strings.TrimSpace(res.stdout); got != want {
		t.Errorf("masked paths show content: got %q, want %q", got, want)
	}
}

// /proc/sys is read-only in the template; /ro-dir is made read-only by the
// test. Writing to the container's own net sysctl would succeed if
// /proc/sys were writable, and changes nothing on the host.
func TestReadonlyPathsAreUnwritable(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("echo 1 > /proc/sys/net/ipv4/ip_forward; touch /ro-dir/new; echo end")...)
	spec.Root.Readonly = false
	spec.Linux.ReadonlyPaths = append(spec.Linux.ReadonlyPaths, "/ro-dir")
	c := newContainer(t, rt, spec)
	if err := os.Mkdir(filepath.Join(c.bundle, "rootfs", "ro-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := mustSucceed(t, c.runForeground())
	if n := strings.Count(res.stderr, "Read-only file system"); n != 2 {
		t.Errorf("want both writes to fail with EROFS, %d did: %v", n, res)
	}
	if fileExists(filepath.Join(c.bundle, "rootfs", "ro-dir", "new")) {
		t.Error("a file was created in the read-only path")
	}
}

func TestReadOnlyRoot(t *testing.T) {
	res := runInContainer(t, "touch /x", func(s *specs.Spec) { s.Root.Readonly = true })
	if res.code == 0 || !strings.Contains(res.stderr, "Read-only file system") {
		t.Errorf("touch /x on a read-only root did not fail with EROFS: %v", res)
	}
	outputOf(t, "touch /x", func(s *specs.Spec) { s.Root.Readonly = false })
}
