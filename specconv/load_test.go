package specconv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestLoadBundleErrors(t *testing.T) {
	bundle := t.TempDir()
	if _, err := LoadBundle(bundle); err == nil || !strings.HasPrefix(err.Error(), "read config.json: ") {
		t.Errorf("missing config: got %v", err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBundle(bundle); err == nil || !strings.HasPrefix(err.Error(), "parse config.json: ") {
		t.Errorf("bad json: got %v", err)
	}
	writeRuncTemplate(t, bundle)
	want := "root.path: stat " + filepath.Join(bundle, "rootfs") + ": no such file or directory"
	if _, err := LoadBundle(bundle); err == nil || err.Error() != want {
		t.Errorf("missing rootfs: got %v, want %s", err, want)
	}
	if err := os.WriteFile(filepath.Join(bundle, "rootfs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want = "root.path: " + filepath.Join(bundle, "rootfs") + " is not a directory"
	if _, err := LoadBundle(bundle); err == nil || err.Error() != want {
		t.Errorf("rootfs file: got %v, want %s", err, want)
	}
}

// writeRuncTemplate puts the checked-in `runc spec` output in bundle.
func writeRuncTemplate(t *testing.T, bundle string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "runc-spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadBundleNormalises(t *testing.T) {
	bundle := newBundle(t)
	writeRuncTemplate(t, bundle)
	// A relative bundle path must come out absolute.
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(filepath.Dir(bundle)); err != nil {
		t.Fatal(err)
	}
	plan, err := LoadBundle(filepath.Base(bundle))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Bundle != bundle {
		t.Errorf("Bundle = %q, want %q", plan.Bundle, bundle)
	}
	if want := filepath.Join(bundle, "rootfs"); plan.Rootfs != want || plan.Spec.Root.Path != want {
		t.Errorf("Rootfs = %q, root.path = %q, want %q", plan.Rootfs, plan.Spec.Root.Path, want)
	}
	if !plan.HasNamespace(specs.NetworkNamespace) || plan.HasNamespace(specs.UserNamespace) {
		t.Errorf("HasNamespace: wrong answer for the runc template")
	}
}

func TestFromSpecCleansPathsWithoutChangingInput(t *testing.T) {
	bundle := newBundle(t)
	spec := example(false, 0, 0)
	spec.Process.Cwd = "/home//user/"
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/data/../data/", Type: "bind", Source: "vol/./a"},
		specs.Mount{Destination: "/abs", Source: "/srv//x", Options: []string{"rbind"}},
		specs.Mount{Destination: "/t", Type: "tmpfs", Source: "tmpfs"},
	)
	spec.Linux.MaskedPaths = []string{"/proc//kcore"}
	plan, err := FromSpec(spec, bundle)
	if err != nil {
		t.Fatal(err)
	}
	got := plan.Spec
	checks := []struct{ field, got, want string }{
		{"process.cwd", got.Process.Cwd, "/home/user"},
		{"mounts[7].destination", got.Mounts[7].Destination, "/data"},
		{"mounts[7].source", got.Mounts[7].Source, filepath.Join(bundle, "vol/a")},
		{"mounts[8].source", got.Mounts[8].Source, "/srv/x"},
		{"mounts[9].source", got.Mounts[9].Source, "tmpfs"},
		{"linux.maskedPaths[0]", got.Linux.MaskedPaths[0], "/proc/kcore"},
		{"input mounts[7].source", spec.Mounts[7].Source, "vol/./a"},
		{"input process.cwd", spec.Process.Cwd, "/home//user/"},
		{"input root.path", spec.Root.Path, "rootfs"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}
