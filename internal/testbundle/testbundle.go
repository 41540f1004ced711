// Package testbundle builds OCI bundles for tests: a busybox root
// filesystem made from the host's static busybox (Debian's busybox-static)
// and a config.json, with no downloads.
package testbundle

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// BusyboxPath is where Debian's busybox-static installs the binary.
const BusyboxPath = "/bin/busybox"

// MakeRootfs fills dir with a minimal busybox root filesystem: the static
// binary, a symlink per applet in /bin, and the directories a container
// expects.
func MakeRootfs(dir string) error {
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		return fmt.Errorf("list busybox applets (is busybox-static installed?): %w", err)
	}
	for _, d := range []string{"bin", "dev", "proc", "sys", "tmp", "etc", "root", "home", "var", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return fmt.Errorf("create rootfs dir: %w", err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		return fmt.Errorf("chmod rootfs tmp: %w", err)
	}
	bin, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return fmt.Errorf("read busybox: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "busybox"), bin, 0o755); err != nil {
		return fmt.Errorf("copy busybox: %w", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", applet)); err != nil && !os.IsExist(err) {
			return fmt.Errorf("link applet %s: %w", applet, err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("write rootfs %s: %w", name, err)
		}
	}
	return nil
}

// WriteConfig writes spec as bundle/config.json.
func WriteConfig(bundle string, spec *specs.Spec) error {
	data, err := json.MarshalIndent(spec, "", "\t")
	if err != nil {
		return fmt.Errorf("encode config.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		return fmt.Errorf("write config.json: %w", err)
	}
	return nil
}

// New makes a bundle in a fresh temporary directory with a busybox rootfs
// and the given spec (root.path "rootfs"), removed when the test ends.
func New(t testing.TB, spec *specs.Spec) string {
	t.Helper()
	bundle := t.TempDir()
	if err := MakeRootfs(filepath.Join(bundle, "rootfs")); err != nil {
		t.Fatal(err)
	}
	if spec != nil {
		if err := WriteConfig(bundle, spec); err != nil {
			t.Fatal(err)
		}
	}
	return bundle
}
