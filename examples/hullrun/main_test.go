package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The example builds with a plain `go build` and runs a real container:
// the command's output and exit code come back, and nothing stays behind
// (no work directory, no cgroup).
func TestHullrunRunsACommandInAContainer(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs a container")
	}
	bin := filepath.Join(t.TempDir(), "hullrun")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	cmd := exec.Command(bin, "sh", "-c", "echo $(hostname) $$ $(id -u); exit 3")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Fatalf("hullrun: want exit code 3, got %v\n%s", err, stderr.String())
	}
	if got := strings.TrimSpace(string(out)); got != "hullrun 1 0" {
		t.Fatalf("hullrun printed %q, want the container's hostname, pid 1 and uid 0", got)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("hullrun left %d entries in its TMPDIR", len(left))
	}
	id := "hullrun-" + strconv.Itoa(cmd.Process.Pid)
	for _, pattern := range []string{"/sys/fs/cgroup/*/" + id, "/sys/fs/cgroup/" + id} {
		if left, _ := filepath.Glob(pattern); len(left) != 0 {
			t.Errorf("hullrun left cgroups behind: %v", left)
		}
	}
}
