// Package exetest holds the checks that the nsenter and prefork tests
// share: where the executor's binary comes from and that no one can write
// to it (CVE-2019-5736).
package exetest

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// CheckReadOnly fails t unless exe (an executor's /proc/PID/exe) sits on a
// read-only mount and cannot be opened for writing.
func CheckReadOnly(t *testing.T, exe string) {
	t.Helper()
	fd, err := unix.Open(exe, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		t.Fatal(err)
	}
	if sfs.Flags&unix.ST_RDONLY == 0 {
		t.Errorf("executor binary %s is on a writable mount (flags %#x)", exe, sfs.Flags)
	}
	if f, err := os.OpenFile(exe, os.O_WRONLY, 0); err == nil {
		f.Close()
		t.Errorf("executor binary %s opened for writing", exe)
	}
}

// CopyTestBinary puts the running test binary where an unprivileged user
// can run it, and removes it when the test ends.
func CopyTestBinary(t *testing.T) string {
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
	bin := filepath.Join(dir, filepath.Base(os.Args[0]))
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
