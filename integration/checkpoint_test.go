package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Checkpoint and restore need a CRIU that works on this kernel: Debian's
// CRIU 3.17 passes `criu check` on the 6.1 kernel of `make
// test-checkpoint`'s VM, and fails it on newer kernels. Where it fails,
// the tests below check the error instead (TestCheckpointWithoutWorkingCRIU).

// criuWorks says whether `criu check` passes here.
func criuWorks() bool {
	return exec.Command("criu", "check").Run() == nil
}

// Without a working CRIU (here: `criu check` fails on this kernel),
// checkpoint fails naming CRIU and why, and the container keeps running;
// restore fails the same way and leaves nothing behind.
func TestCheckpointWithoutWorkingCRIU(t *testing.T) {
	if _, err := exec.LookPath("criu"); err != nil {
		t.Skip("criu is not installed: TestCheckpointNamesMissingCRIU covers a missing CRIU")
	}
	if criuWorks() {
		t.Skip("criu check passes here: the checkpoint tests run instead")
	}
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	images := t.TempDir()
	res := rt.run("checkpoint", "--image-path", images, "--leave-running", "--manage-cgroups-mode", "soft", c.id)
	if res.code == 0 || !strings.Contains(res.stderr, "CRIU") || !strings.Contains(res.stderr, "criu check") {
		t.Errorf("checkpoint without a working CRIU: want an error naming CRIU and `criu check`: %v", res)
	}
	if st := c.state().Status; st != "running" {
		t.Errorf("status after a failed checkpoint = %s", st)
	}
	bundle := c.bundle
	id := uniqueID(t)
	other := newRuntime(t)
	res = other.run("restore", "--image-path", images, "--bundle", bundle, "--detach", id)
	if res.code == 0 || !strings.Contains(res.stderr, "CRIU") {
		t.Errorf("restore without a working CRIU: %v", res)
	}
	assertNothingLeftBehind(t, other, id, "")
}

// --criu names the binary; a missing one is named in the error, on every
// host, and nothing changes.
func TestCheckpointNamesMissingCRIU(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	missing := filepath.Join(t.TempDir(), "no-criu")
	res := rt.run("--criu", missing, "checkpoint", "--image-path", t.TempDir(), c.id)
	if res.code == 0 || !strings.Contains(res.stderr, "CRIU is needed") || !strings.Contains(res.stderr, missing) {
		t.Errorf("checkpoint with a missing --criu: %v", res)
	}
	if st := c.state().Status; st != "running" {
		t.Errorf("status after a failed checkpoint = %s", st)
	}
	other := newRuntime(t)
	id := uniqueID(t)
	res = other.run("--criu", missing, "restore", "--image-path", t.TempDir(), "--bundle", c.bundle, "-d", id)
	if res.code == 0 || !strings.Contains(res.stderr, "CRIU is needed") {
		t.Errorf("restore with a missing --criu: %v", res)
	}
	assertNothingLeftBehind(t, other, id, "")
}

// Bad flags fail before anything happens, with runc's rules.
func TestCheckpointRejectsBadFlags(t *testing.T) {
	rt := newRuntime(t)
	c := startSleeper(t, rt, nil)
	images := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--manage-cgroups-mode", "bogus"}, "--manage-cgroups-mode"},
		{[]string{"--parent-path", "/abs"}, "--parent-path must be relative"},
		{[]string{"--parent-path", "missing"}, "invalid --parent-path"},
		{[]string{"--page-server", "nohostport"}, "--page-server"},
		{[]string{"--empty-ns", "pid"}, "--empty-ns"},
	} {
		args := append(append([]string{"checkpoint", "--image-path", images}, tc.args...), c.id)
		res := rt.run(args...)
		if res.code == 0 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("want an error naming %q: %v", tc.want, res)
		}
	}
	if st := c.state().Status; st != "running" {
		t.Errorf("status after refused checkpoints = %s", st)
	}
	created := newContainer(t, rt, testSpec(t, rt, "sleep", "60"))
	mustSucceed(t, created.create())
	res := rt.run("checkpoint", "--image-path", images, created.id)
	if res.code == 0 || !strings.Contains(res.stderr, "created") {
		t.Errorf("checkpoint of a created container: %v", res)
	}
}

// counterSpec counts in the shell's memory: every 100 ms it writes the
// next number to /count and to stdout. Only a restore of that memory
// continues the count; a restart would begin at 1.
func counterSpec(t *testing.T, rt *runtime) *specs.Spec {
	spec := testSpec(t, rt, sh("i=0; while :; do i=$((i+1)); echo $i > /count; echo $i; sleep 0.1; done")...)
	spec.Root.Readonly = false
	return spec
}

// readCount reads the counter's /count from the bundle's rootfs.
func readCount(t *testing.T, bundle string) int {
	t.Helper()
	return atoiOrZero(strings.TrimSpace(readFileOrEmpty(filepath.Join(bundle, "rootfs", "count"))))
}

func readFileOrEmpty(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}
