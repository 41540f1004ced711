package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// withUserNamespace gives spec a new user namespace mapping the
// container's root to userNSHostID (uids) and userNSHostGID (gids).
func withUserNamespace(spec *specs.Spec) {
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostGID, Size: 65536}}
}

// The container's root group is host gid userNSHostGID (not the uid, so
// that a map taken from the wrong file shows).
const userNSHostGID = 331072

// inaccessibleSource makes DIR/dir/foo.txt under a fresh 0700 directory
// owned by the host's root and returns DIR/dir: a user namespace's root
// (another host uid) may not enter DIR.
func inaccessibleSource(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "foo.txt"), []byte("foo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// In a user namespace, the rootfs (in a 0700 bundle directory) and the
// sources of binds (plain and id-mapped) in directories the container's
// root may not enter are opened by the runtime before the container's
// root needs them, as runc does: the container runs with its mounts, and
// an exec'd process sees them too.
func TestUserNamespaceInaccessibleRootfsAndMounts(t *testing.T) {
	rt := newRuntime(t)
	src1, src2, src3 := inaccessibleSource(t), inaccessibleSource(t), inaccessibleSource(t)
	files := "/tmp/mount-1/foo.txt /tmp/mount-2/foo.txt /tmp/mount-3/foo.txt"
	idmapped := specs.Mount{Destination: "/tmp/mount-3", Type: "bind", Source: src3, Options: []string{"rbind", "idmap"}}
	if why := notIDMappable(t, src3); why != "" {
		t.Logf("mount-3 is a plain bind: %s", why)
		idmapped.Options = []string{"rbind"}
	}
	spec := testSpec(t, rt, sh("cat "+files+" && sleep 600")...)
	withUserNamespace(spec)
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/tmp/mount-1", Type: "bind", Source: src1, Options: []string{"bind"}},
		specs.Mount{Destination: "/tmp/mount-2", Type: "bind", Source: src2, Options: []string{"rbind", "ro"}},
		idmapped)
	c := newContainer(t, rt, spec)
	if fi, err := os.Stat(filepath.Dir(c.bundle)); err != nil || fi.Mode().Perm()&0o005 != 0 {
		t.Fatalf("the bundle's parent should be closed to others: %v %v", fi.Mode(), err)
	}
	mustSucceed(t, c.create())
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateRunning)
	out := mustSucceed(t, c.exec(nil, "sh", "-c", "stat -c %n /tmp/mount-1/foo.txt /tmp/mount-2/foo.txt /tmp/mount-3/foo.txt; id -u")).stdout
	want := "/tmp/mount-1/foo.txt /tmp/mount-2/foo.txt /tmp/mount-3/foo.txt 0"
	if got := strings.Join(strings.Fields(out), " "); got != want {
		t.Errorf("exec in the container: %q, want %q", got, want)
	}
	// The fds the runtime opened lead outside the root: none reaches the
	// container's process.
	if fds := strings.Fields(mustSucceed(t, c.exec(nil, "ls", "/proc/1/fd")).stdout); strings.Join(fds, " ") != "0 1 2" {
		t.Errorf("the init has fds %v, want 0 1 2", fds)
	}
	if res := c.exec(nil, "touch", "/tmp/mount-2/new"); res.code == 0 {
		t.Errorf("the ro bind of an inaccessible source is writable")
	}
}
