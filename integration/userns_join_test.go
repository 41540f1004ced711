package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// joinNamespacePath points spec's namespace of type typ at path and drops
// the spec's id mappings (they come from the joined user namespace).
func joinNamespacePath(spec *specs.Spec, typ specs.LinuxNamespaceType, path string) {
	found := false
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == typ {
			spec.Linux.Namespaces[i].Path = path
			found = true
		}
	}
	if !found {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: typ, Path: path})
	}
	if typ == specs.UserNamespace {
		spec.Linux.UIDMappings, spec.Linux.GIDMappings = nil, nil
	}
}

// bindMountFile bind-mounts src on a new file in a temp dir and returns
// that path; it is unmounted when the test ends.
func bindMountFile(t *testing.T, src string) string {
	t.Helper()
	target := filepath.Join(t.TempDir(), "ns")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(src, target, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind %s: %v", src, err)
	}
	t.Cleanup(func() { _ = unix.Unmount(target, unix.MNT_DETACH) })
	return target
}

// A container joining another container's user namespace (by its
// /proc/PID/ns/user path, or by a bind mount of that file, where the
// runtime cannot read the maps next to it) gets that namespace's
// mappings: its /dev/pts is mounted with a gid that exists there, and
// its uid_map and gid_map are those of the first container, and an
// "idmap" bind without mappings is mapped like that namespace.
func TestJoinOtherContainersUserNamespace(t *testing.T) {
	for _, how := range []string{"path", "bind-mounted nsfd", "path with its mappings"} {
		t.Run(how, func(t *testing.T) {
			rt := newRuntime(t)
			target := startSleeper(t, rt, withUserNamespace)
			nsPath := fmt.Sprintf("/proc/%d/ns/user", target.state().Pid)
			if how == "bind-mounted nsfd" {
				nsPath = bindMountFile(t, nsPath)
			}
			if how == "path with its mappings" {
				// Mappings that are not the joined namespace's are refused.
				res := runInContainer(t, "true", func(s *specs.Spec) {
					withUserNamespace(s)
					joinNamespacePath(s, specs.UserNamespace, nsPath)
					s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
					s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
				})
				if res.code == 0 || !strings.Contains(res.stderr, "non-matching mapping specified") {
					t.Errorf("joining a user namespace with other mappings: want refused\n%v", res)
				}
			}
			src := idmapSource(t)
			in := startSleeper(t, rt, func(s *specs.Spec) {
				joinNamespacePath(s, specs.UserNamespace, nsPath)
				if how == "path with its mappings" {
					// containerd and CRI-O give both, the mappings matching.
					withUserNamespace(s)
					s.Linux.Namespaces = s.Linux.Namespaces[:len(s.Linux.Namespaces)-1]
				}
				// "idmap" without mappings: mapped like the joined namespace.
				s.Mounts = append(s.Mounts, specs.Mount{Destination: "/tmp/data", Type: "bind", Source: src, Options: []string{"rbind", "idmap"}})
			})
			if got := strings.TrimSpace(mustSucceed(t, in.exec(nil, "stat", "-c", "%u:%g", "/tmp/data/f")).stdout); got != "5:6" {
				t.Errorf("owner in the idmap mount of the joined user namespace: %s, want 5:6", got)
			}
			out := mustSucceed(t, in.exec(nil, "cat", "/proc/self/uid_map", "/proc/self/gid_map")).stdout
			got := strings.Join(strings.Fields(out), " ")
			want := fmt.Sprintf("0 %d 65536 0 %d 65536", userNSHostID, userNSHostGID)
			if got != want {
				t.Errorf("uid_map and gid_map in the container joining the user namespace: %q, want %q", got, want)
			}
			wantNS, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", target.state().Pid))
			if err != nil {
				t.Fatal(err)
			}
			if ns := strings.TrimSpace(mustSucceed(t, in.exec(nil, "readlink", "/proc/self/ns/user")).stdout); ns != wantNS {
				t.Errorf("the container is in user namespace %s, want the joined %s", ns, wantNS)
			}
		})
	}
}

// A user namespace kept alive by a bind mount of its file after its
// container is gone, joined together with a network namespace that it
// does not own (made by the host's root): the user namespace is joined
// first, and the network namespace is still joined with the host's
// privileges (runc issue 4390).
func TestJoinExternalNamespacesOfAnotherOwner(t *testing.T) {
	rt := newRuntime(t)
	target := startSleeper(t, rt, withUserNamespace)
	usernsPath := bindMountFile(t, fmt.Sprintf("/proc/%d/ns/user", target.state().Pid))
	mustSucceed(t, target.delete("--force"))
	netnsPath := bindMountFile(t, sleeperInNewNetNS(t))

	in := startSleeper(t, rt, func(s *specs.Spec) {
		joinNamespacePath(s, specs.UserNamespace, usernsPath)
		joinNamespacePath(s, specs.NetworkNamespace, netnsPath)
		// Without privileges over the network namespace no sysfs can be
		// mounted: bind the host's, as runc's test does.
		for i, m := range s.Mounts {
			if m.Type == "sysfs" {
				s.Mounts[i] = specs.Mount{Destination: m.Destination, Type: "bind", Source: "/sys", Options: []string{"rbind"}}
			}
		}
	})
	for typ, path := range map[string]string{"user": usernsPath, "net": netnsPath} {
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s:[%d]", typ, st.Ino)
		if got := strings.TrimSpace(mustSucceed(t, in.exec(nil, "readlink", "/proc/self/ns/"+typ)).stdout); got != want {
			t.Errorf("the container's %s namespace is %s, want %s", typ, got, want)
		}
	}
}

// On cgroup v1 without a cgroup namespace, the cgroup mount is a set of
// binds; a bind mount right before it, in a user namespace, once failed to
// set the session keyring's permissions (runc PR 3510). The container
// runs and sees the real cgroupfs.
func TestUserNamespaceBindBeforeCgroupMount(t *testing.T) {
	if fileExists("/sys/fs/cgroup/cgroup.controllers") {
		t.Skip("needs cgroup v1 (cgroup binds)")
	}
	rt := newRuntime(t)
	src := t.TempDir()
	if err := os.Chmod(src, 0o755); err != nil {
		t.Fatal(err)
	}
	c := startSleeper(t, rt, func(s *specs.Spec) {
		withUserNamespace(s)
		s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.CgroupNamespace })
		i := slices.IndexFunc(s.Mounts, func(m specs.Mount) bool { return m.Destination == "/sys/fs/cgroup" })
		if i < 0 {
			t.Fatal("the template has no /sys/fs/cgroup mount")
		}
		s.Mounts = slices.Insert(s.Mounts, i, specs.Mount{Destination: "/tmp/mount-1", Type: "bind", Source: src, Options: []string{"bind"}})
	})
	mustSucceed(t, c.exec(nil, "cat", "/sys/fs/cgroup/pids/tasks", "/sys/fs/cgroup/memory/tasks"))
}
