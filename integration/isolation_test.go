package integration

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestProcessIsPid1(t *testing.T) {
	if pid := outputOf(t, "echo $$", nil); pid != "1" {
		t.Errorf("pid inside the container is %q, want 1", pid)
	}
}

func TestHostnameIsTheConfiguredOne(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	const want = "it-configured-host"
	got := outputOf(t, "hostname", func(s *specs.Spec) { s.Hostname = want })
	if got != want {
		t.Errorf("hostname %q, want %q", got, want)
	}
	if now, _ := os.Hostname(); now != host {
		t.Errorf("the host's hostname changed from %q to %q", host, now)
	}
}

// A mount made on the host before the container starts is not in the
// container's mount table, and the container's own /proc is.
func TestOwnMountTable(t *testing.T) {
	hostMount := filepath.Join(t.TempDir(), "host-only-mount")
	if err := os.Mkdir(hostMount, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", hostMount, "tmpfs", 0, "size=64k"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(hostMount, syscall.MNT_DETACH) })

	mounts := outputOf(t, "cat /proc/self/mountinfo", nil)
	if strings.Contains(mounts, hostMount) {
		t.Errorf("the host mount %s is visible in the container:\n%s", hostMount, mounts)
	}
	if !hasMountPoint(mounts, "/proc") {
		t.Errorf("no /proc mount in the container's mount table:\n%s", mounts)
	}
}

// hasMountPoint reports whether mountinfo text has a mount at path.
func hasMountPoint(mountinfo, path string) bool {
	for _, line := range strings.Split(mountinfo, "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}

func TestOwnNetworkNamespaceHasOnlyLoopback(t *testing.T) {
	if got := outputOf(t, "ls /sys/class/net", nil); got != "lo" {
		t.Errorf("network interfaces in the container: %q, want only lo", got)
	}
	links := outputOf(t, "ip -o link", nil)
	if n := len(strings.Split(links, "\n")); n != 1 || !strings.Contains(links, ": lo:") {
		t.Errorf("ip link in the container shows %d links, want only lo:\n%s", n, links)
	}
}

// A POSIX message queue made in the container lives in the container's IPC
// namespace: the host's mqueue filesystem does not show it.
func TestOwnIPCNamespace(t *testing.T) {
	hostMqueue := t.TempDir()
	if err := syscall.Mount("mqueue", hostMqueue, "mqueue", 0, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(hostMqueue, syscall.MNT_DETACH) })
	queue := "it-queue-" + filepath.Base(t.TempDir())
	t.Cleanup(func() { _ = os.Remove(filepath.Join(hostMqueue, queue)) })

	got := outputOf(t, "touch /dev/mqueue/"+queue+" && ls /dev/mqueue", nil)
	if got != queue {
		t.Fatalf("the container's /dev/mqueue lists %q, want just %q", got, queue)
	}
	if fileExists(filepath.Join(hostMqueue, queue)) {
		t.Errorf("the queue made in the container is visible on the host")
	}
	hostIPC, err := os.Readlink("/proc/self/ns/ipc")
	if err != nil {
		t.Fatal(err)
	}
	if inner := outputOf(t, "readlink /proc/self/ns/ipc", nil); inner == hostIPC {
		t.Errorf("the container shares the host's IPC namespace %s", hostIPC)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
