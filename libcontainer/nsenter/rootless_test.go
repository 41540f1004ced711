package nsenter

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// copyTestBinary puts this test binary where an unprivileged user can run it.
func copyTestBinary(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hull-nsenter-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	bin := filepath.Join(dir, "nsenter.test")
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Without the privilege to clone mounts, the constructor falls back to a
// sealed memfd copy of the binary: still nothing a container can write.
func TestUnprivilegedExecutorRunsFromSealedCopy(t *testing.T) {
	requireRoot(t)
	cmd := exec.Command(copyTestBinary(t), "create", "id")
	cmd.Env = []string{preforkReportEnv + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	var pid int
	if _, err := fmtFscanExecutor(out, &pid); err != nil {
		t.Fatalf("read executor pid: %v", err)
	}
	exe := "/proc/" + strconv.Itoa(pid) + "/exe"
	target, err := os.Readlink(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(target, "/memfd:hull-executor") {
		t.Fatalf("unprivileged executor runs from %q, want the sealed memfd", target)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE; seals&want != want {
		t.Fatalf("memfd seals %#x, want %#x", seals, want)
	}
	if w, err := os.OpenFile(exe, os.O_WRONLY, 0); err == nil {
		w.Close()
		t.Fatal("sealed executor binary opened for writing")
	}
}

func TestSealedCopyCannotBeWritten(t *testing.T) {
	fd, err := sealedCopy()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.Pwrite(fd, []byte("x"), 0); err == nil {
		t.Fatal("wrote to the sealed copy")
	}
	if err := unix.Ftruncate(fd, 0); err == nil {
		t.Fatal("truncated the sealed copy")
	}
}
