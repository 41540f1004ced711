package integration

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The container's root is host uid/gid userNSHostID.
const userNSHostID = 231072

func TestUserNamespaceMapsIDs(t *testing.T) {
	if !fileExists("/proc/self/ns/user") {
		t.Skip("kernel without user namespaces (CONFIG_USER_NS)")
	}
	rt := newRuntime(t)
	shared := t.TempDir()
	if err := os.Chown(shared, userNSHostID, userNSHostID); err != nil {
		t.Fatal(err)
	}
	spec := testSpec(t, rt, sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; touch /shared/made")...)
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: userNSHostID, Size: 65536}}
	spec.Mounts = append(spec.Mounts, specs.Mount{
		Destination: "/shared", Type: "bind", Source: shared, Options: []string{"bind", "rw"},
	})
	c := newContainer(t, rt, spec)
	allowUnmappedRootToTraverse(t, c.bundle)
	// The container's root cannot create the mount point in a rootfs owned
	// by the host's root.
	if err := os.Mkdir(filepath.Join(c.bundle, "rootfs", "shared"), 0o755); err != nil {
		t.Fatal(err)
	}

	out := strings.Fields(mustSucceed(t, c.runForeground()).stdout)
	want := []string{"0", "231072", "65536", "0", "231072", "65536", "0", "0"}
	if strings.Join(out, " ") != strings.Join(want, " ") {
		t.Errorf("uid_map, gid_map, id -u, id -g: %q, want %q", out, want)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(shared, "made"), &st); err != nil {
		t.Fatalf("the file made in the container: %v", err)
	}
	if st.Uid != userNSHostID || st.Gid != userNSHostID {
		t.Errorf("the file made by the container's root is owned by %d:%d on the host, want %d:%d",
			st.Uid, st.Gid, userNSHostID, userNSHostID)
	}
}

// allowUnmappedRootToTraverse opens the bundle's directory and its parent
// (test temp dirs are 0700) to the container's root, which is an unmapped
// stranger to host-owned files.
func allowUnmappedRootToTraverse(t *testing.T, bundle string) {
	t.Helper()
	for _, dir := range []string{filepath.Dir(bundle), bundle} {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
