package libcontainer

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/internal/testbundle"
	"github.com/hullrt/hull/specconv"
)

// The library path end to end: Create with a fresh executor, Start, Wait,
// Delete, with nothing left behind. Needs root.
func TestLibraryLifecycle(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	// The init is reparented to us when the executor's first stage exits.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	spec := specconv.Example(false)
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sh", "-c", "echo hello from $(hostname); exit 3"}
	bundle := testbundle.New(t, spec)
	plan, err := specconv.LoadBundle(bundle)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	root := filepath.Join(t.TempDir(), "state")
	id := "lib-" + strings.ToLower(filepath.Base(t.TempDir()))
	c, err := Create(root, id, plan, CreateOptions{Stdout: w, Stderr: w})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Delete(true) })
	if st := c.State(); st.Status != Created || st.Pid <= 0 || st.Bundle != bundle {
		t.Fatalf("after create: %+v", st)
	}
	if _, err := Create(root, id, plan, CreateOptions{}); !errors.Is(err, ErrExist) {
		t.Fatalf("second create of %s: %v, want ErrExist", id, err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	code, err := c.Wait()
	if err != nil || code != 3 {
		t.Fatalf("wait: code %d, %v; want 3", code, err)
	}
	out, _ := io.ReadAll(r)
	if string(out) != "hello from runc\n" {
		t.Fatalf("container printed %q", out)
	}
	if st := c.State(); st.Status != Stopped {
		t.Fatalf("after exit: %s", st.Status)
	}
	cgroupPaths := c.rec.CgroupPaths
	if err := c.Delete(false); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, id); !errors.Is(err, ErrNotExist) {
		t.Fatalf("load after delete: %v", err)
	}
	for _, p := range cgroupPaths {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("cgroup %s left behind", p)
		}
	}
}
