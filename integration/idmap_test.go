package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// idmapSource is a directory holding file f owned by 5:6.
func idmapSource(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	skipUnlessIDMappable(t, dir)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, 5, 6); err != nil {
		t.Fatal(err)
	}
	return dir
}

// An id-mapped bind (mounts[].uidMappings/gidMappings, mount_setattr
// MOUNT_ATTR_IDMAP) shows the mapped owner: on-disk 5:6 mapped 0->1000
// (size 10) reads as 1005:1006 inside.
func TestIDMappedBindShowsTheMappedOwner(t *testing.T) {
	src := idmapSource(t)
	out := outputOf(t, "stat -c '%u:%g' /data/f", func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: src,
			Options:     []string{"rbind"},
			UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 10}},
			GIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 10}}})
	})
	if out != "1005:1006" {
		t.Errorf("owner inside the id-mapped bind: %q, want 1005:1006", out)
	}
}

// "idmap" without mappings maps the bind like the container's user
// namespace (runc): the container's root sees the host's 5:6 as 5:6, and
// a file it creates is owned by 0 on the host, not by the mapped root.
func TestIdmapOptionUsesTheContainersUserNamespace(t *testing.T) {
	src := idmapSource(t)
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("stat -c '%u:%g' /data/f; id -u; touch /data/made")...)
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: src, Options: []string{"rbind", "idmap"}})
	c := newContainer(t, rt, spec)
	allowUnmappedRootToTraverse(t, c.bundle)
	if err := os.Mkdir(filepath.Join(c.bundle, "rootfs", "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := strings.Fields(mustSucceed(t, c.runForeground()).stdout)
	if strings.Join(out, " ") != "5:6 0" {
		t.Errorf("inside: %q, want the file as 5:6 and uid 0", out)
	}
	st, err := os.Stat(filepath.Join(src, "made"))
	if err != nil {
		t.Fatal(err)
	}
	if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 0 || sys.Gid != 0 {
		t.Errorf("a file the container's root made is %d:%d on the host, want 0:0", sys.Uid, sys.Gid)
	}
}

// skipUnlessIDMappable skips when the kernel cannot id-map a mount of
// dir's filesystem.
func skipUnlessIDMappable(t *testing.T, dir string) {
	t.Helper()
	if why := notIDMappable(t, dir); why != "" {
		t.Skip(why)
	}
}

// notIDMappable says why the kernel cannot id-map a mount of dir's
// filesystem, "" when it can: tmpfs got id-mapped mounts in Linux 6.3
// (the v2 VM of make test-v2 runs 6.1 with /tmp on tmpfs).
func notIDMappable(t *testing.T, dir string) string {
	t.Helper()
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		t.Fatal(err)
	}
	var major, minor int
	fmt.Sscanf(unix.ByteSliceToString(uts.Release[:]), "%d.%d", &major, &minor)
	if fs.Type == unix.TMPFS_MAGIC && (major < 6 || major == 6 && minor < 3) {
		return fmt.Sprintf("kernel %d.%d cannot id-map a tmpfs mount (%s); Linux 6.3 can", major, minor, dir)
	}
	return ""
}
