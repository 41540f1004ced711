package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// With the rootfs on a shared host mount, a slave or rslave
// rootfsPropagation leaves the container's root a slave of the host's
// mount (runc makes the rootfs's parent a slave, not private); private
// and the default leave it private.
func TestRootfsPropagationSlaveKeepsTheRootASlave(t *testing.T) {
	for _, tc := range []struct {
		propagation string
		master      bool
	}{{"slave", true}, {"rslave", true}, {"private", false}, {"", false}} {
		t.Run("rootfsPropagation="+tc.propagation, func(t *testing.T) {
			rt := newRuntime(t)
			spec := testSpec(t, rt, sh(`awk '$5=="/"' /proc/self/mountinfo`)...)
			spec.Linux.RootfsPropagation = tc.propagation
			c := newContainer(t, rt, spec)
			rootfs := filepath.Join(c.bundle, "rootfs")
			if err := unix.Mount(rootfs, rootfs, "", unix.MS_BIND, ""); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unmountAll(rootfs) })
			if err := unix.Mount("", rootfs, "", unix.MS_SHARED, ""); err != nil {
				t.Fatal(err)
			}
			line := mustSucceed(t, c.runForeground()).stdout
			optional := strings.SplitN(line, " - ", 2)[0]
			if got := strings.Contains(optional, "master:"); got != tc.master {
				t.Errorf("root of the container: slave of the host = %v, want %v: %s", got, tc.master, line)
			}
		})
	}
}

// A mount destination through a dangling symlink of the image is made
// where the link points, inside the root (runc).
func TestMountThroughDanglingSymlink(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(`awk '$9=="tmpfs" && $5 ~ /nowhere/ {print $5}' /proc/self/mountinfo`)...)
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/dangling/sub", Type: "tmpfs", Source: "tmpfs"})
	c := newContainer(t, rt, spec)
	if err := os.Symlink("/nowhere/dir", filepath.Join(c.bundle, "rootfs", "dangling")); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(mustSucceed(t, c.runForeground()).stdout); got != "/nowhere/dir/sub" {
		t.Errorf("mount through the dangling link at %q, want /nowhere/dir/sub", got)
	}
	if fileExists("/nowhere") {
		t.Error("the dangling link was followed on the host")
	}
}

// A bind whose source is inside the container's rootfs, covered by an
// earlier mount of the config, binds what that mount shows (runc).
func TestBindOfAnEarlierMount(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(`echo hi > /early/f && cat /again/f && grep ' /again ' /proc/self/mountinfo | grep -o earlytmpfs`)...)
	spec.Root.Readonly = false
	c := newContainer(t, rt, spec)
	early := filepath.Join(c.bundle, "rootfs", "early")
	if err := os.Mkdir(early, 0o755); err != nil {
		t.Fatal(err)
	}
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/early", Type: "tmpfs", Source: "earlytmpfs"},
		specs.Mount{Destination: "/again", Type: "bind", Source: early, Options: []string{"rbind"}})
	writeSpec(t, c.bundle, spec)
	if got := strings.Fields(mustSucceed(t, c.runForeground()).stdout); strings.Join(got, " ") != "hi earlytmpfs" {
		t.Errorf("got %q, want the earlier tmpfs bound again", got)
	}
}
