package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A submount of an id-mapped rbind is locked in a user-namespace
// container, as the submounts of a plain rbind are: the kernel locks the
// mounts a less privileged mount namespace copies, and a tree cloned on
// the host and moved in would escape that. The attack: the host hides
// src/sub/secret under a tmpfs; the container's root (CAP_SYS_ADMIN in
// its user namespace) unmounts the tmpfs and reads what it covered.
func TestIDMappedBindSubmountsStayLocked(t *testing.T) {
	rt := newRuntime(t)
	tmp := t.TempDir()
	skipUnlessIDMappable(t, tmp)
	src := filepath.Join(tmp, "src")
	sub := filepath.Join(src, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "secret"), []byte("hidden by the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "mode=755"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(sub, unix.MNT_DETACH) })
	skipUnlessIDMappable(t, sub) // the rbind id-maps the tmpfs submount too
	script := `for d in /tmp/idmapped /tmp/plain; do
		if umount $d/sub 2>/dev/null; then echo "$d: unmounted"; else echo "$d: refused"; fi
		cat $d/sub/secret 2>/dev/null
	done; true`
	spec := testSpec(t, rt, sh(script)...)
	withUserNamespace(spec)
	for _, set := range []*[]string{&spec.Process.Capabilities.Bounding, &spec.Process.Capabilities.Effective, &spec.Process.Capabilities.Permitted} {
		*set = append(*set, "CAP_SYS_ADMIN")
	}
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/tmp/idmapped", Type: "bind", Source: src, Options: []string{"rbind", "idmap"}},
		specs.Mount{Destination: "/tmp/plain", Type: "bind", Source: src, Options: []string{"rbind"}})
	c := newContainer(t, rt, spec)
	out := strings.TrimSpace(mustSucceed(t, c.runForeground()).stdout)
	if want := "/tmp/idmapped: refused\n/tmp/plain: refused"; out != want {
		t.Errorf("unmounting the submount of each bind in the container:\n%s\nwant:\n%s", out, want)
	}
}
