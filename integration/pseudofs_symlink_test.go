package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// /proc or /sys in the rootfs as a symlink: a procfs or sysfs mounted
// through it could land anywhere in the root, and the masked paths under
// it would mask the wrong files (CVE-2019-19921, CVE-2023-27561). Refused
// with runc's phrase, and nothing is left behind.
func TestProcOrSysSymlinkIsRefused(t *testing.T) {
	for _, dir := range []string{"proc", "sys"} {
		t.Run(dir, func(t *testing.T) {
			rt := newRuntime(t)
			c := newContainer(t, rt, testSpec(t, rt, "true"))
			rootfs := filepath.Join(c.bundle, "rootfs")
			if err := os.Remove(filepath.Join(rootfs, dir)); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(rootfs, "bad-"+dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/bad-"+dir, filepath.Join(rootfs, dir)); err != nil {
				t.Fatal(err)
			}
			res := c.runForeground()
			if res.code == 0 {
				t.Fatalf("a container with /%s a symlink ran: %v", dir, res)
			}
			if !strings.Contains(res.stderr, "must be mounted on ordinary directory") {
				t.Errorf("error lacks runc's phrase: %v", res)
			}
			if entries, _ := os.ReadDir(filepath.Join(rootfs, "bad-"+dir)); len(entries) != 0 {
				t.Errorf("something was mounted or made through the symlink: %v", entries)
			}
			assertNothingLeftBehind(t, rt, c.id, c.bundle)
		})
	}
}

// A masked path listed twice is masked once; masked directories share
// one read-only tmpfs (as runc: one superblock, cloned).
func TestMaskedPathsDuplicatesAndSharedTmpfs(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(`grep -c ' /testdir ' /proc/self/mountinfo; grep -c ' /testfile ' /proc/self/mountinfo
		stat -c %d /testdir /testdir2 /testdir3 | sort -u | wc -l
		touch /testdir2/x 2>/dev/null && echo writable; ls -A /testdir; ls -A /testdir2; cat /testfile; echo end`)...)
	spec.Linux.MaskedPaths = append(spec.Linux.MaskedPaths, "/testdir", "/testfile", "/testdir2", "/testdir3", "/testdir", "/testdir/")
	c := newContainer(t, rt, spec)
	rootfs := filepath.Join(c.bundle, "rootfs")
	for _, d := range []string{"testdir", "testdir2", "testdir3"} {
		if err := os.Mkdir(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rootfs, d, "secret"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(rootfs, "testfile"), []byte("Forbidden information!"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := strings.Fields(mustSucceed(t, c.runForeground()).stdout)
	if strings.Join(out, " ") != "1 1 1 end" {
		t.Errorf("got %q, want one mount each, one shared device, nothing visible or writable: 1 1 1 end", out)
	}
}
