package integration

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// createContainer hooks run in the container's mount namespace before
// pivot_root, with the rootfs as cwd (runtime-spec; runc): the hook sees
// the container's mounts (a tmpfs of the config that the host does not
// have) and writes into the container's rootfs through "."; startContainer
// hooks run inside the container after pivot_root, after the
// createContainer ones, before the process, with the state on stdin.
func TestInContainerHooks(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("cat /hook-order; cat /started-state")...)
	spec.Root.Readonly = false
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/only-inside", Type: "tmpfs", Source: "hooktmpfs"})
	spec.Hooks = &specs.Hooks{
		CreateContainer: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c",
			"grep -q ' hooktmpfs ' /proc/self/mountinfo && echo created-sees-mount >> ./hook-order; " +
				"test -d ./only-inside && echo created-cwd-is-rootfs >> ./hook-order"}}},
		StartContainer: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c",
			"test -d /only-inside && echo started-in-container >> /hook-order; cat > /started-state"}}},
	}
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	if got := readFile(t, filepath.Join(c.bundle, "rootfs", "hook-order")); got != "created-sees-mount\ncreated-cwd-is-rootfs\n" {
		t.Errorf("after create, the rootfs's hook-order has %q", got)
	}
	if fileExists(filepath.Join(c.bundle, "rootfs", "started-state")) {
		t.Error("the startContainer hook ran at create")
	}
	mustSucceed(t, c.start())
	c.waitStatus(specs.StateStopped)
	order := readFile(t, filepath.Join(c.bundle, "rootfs", "hook-order"))
	if order != "created-sees-mount\ncreated-cwd-is-rootfs\nstarted-in-container\n" {
		t.Errorf("hook order %q", order)
	}
	var state specs.State
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(c.bundle, "rootfs", "started-state"))), &state); err != nil {
		t.Fatalf("the startContainer hook's stdin is not the state: %v", err)
	}
	if state.ID != c.id || state.Status != specs.StateCreated || state.Pid == 0 {
		t.Errorf("startContainer state %+v", state)
	}
	if fileExists("/only-inside") {
		t.Error("a hook made /only-inside on the host")
	}
}

// A failing startContainer hook stops start: start fails with runc's
// phrase and the hook's output, the process never runs, the container
// is stopped and delete leaves nothing.
func TestFailingStartContainerHookStopsStart(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("touch /process-ran")...)
	spec.Root.Readonly = false
	spec.Hooks = &specs.Hooks{StartContainer: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "echo refused; exit 3"}}}}
	c := newContainer(t, rt, spec)
	mustSucceed(t, c.create())
	res := c.start()
	if res.code == 0 || !strings.Contains(res.stderr, "error running startContainer hook #0: exit status 3: refused") {
		t.Errorf("start with a failing startContainer hook: %v", res)
	}
	c.waitStatus(specs.StateStopped)
	if fileExists(filepath.Join(c.bundle, "rootfs", "process-ran")) {
		t.Error("the process ran despite the failed hook")
	}
	mustSucceed(t, c.delete())
	assertNothingLeftBehind(t, rt, c.id, c.bundle)
}

// With process.terminal, /dev/console is the container's pty, bound over
// an empty file (runtime-spec default devices).
func TestDevConsoleIsThePty(t *testing.T) {
	out := runWithConsole(t, "tty; stat -c '%t:%T' /dev/console $(tty); echo hi > /dev/console", nil)
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(out), "\r", ""), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "/dev/pts/") || lines[1] != lines[2] || lines[3] != "hi" {
		t.Errorf("want /dev/console the same device as the tty and writable to it, got %q", lines)
	}
}

// CVE-2025-52565: an image whose /dev/console is a symlink (here, with
// /dev bound from the image) must not redirect the pty's bind mount.
func TestDevConsoleSymlinkIsNotFollowed(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("true")...)
	spec.Process.Terminal = true
	c := newContainer(t, rt, spec)
	dev := filepath.Join(c.bundle, "rootfs", "imagedev")
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/sys/kernel/core_pattern", filepath.Join(dev, "console")); err != nil {
		t.Fatal(err)
	}
	// The pty and the masked paths need the image's ptmx and null then.
	if err := os.Symlink("pts/ptmx", filepath.Join(dev, "ptmx")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(dev, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	for i, m := range spec.Mounts {
		if m.Destination == "/dev" {
			spec.Mounts[i] = specs.Mount{Destination: "/dev", Type: "bind", Source: dev, Options: []string{"rbind"}}
		}
	}
	writeSpec(t, c.bundle, spec)
	res := createWithConsole(t, c)
	if res.code == 0 || !strings.Contains(res.stderr, "/dev/console") {
		t.Errorf("create with /dev/console a symlink: %v", res)
	}
}

// runWithConsole runs script with a terminal and returns what it wrote.
func runWithConsole(t *testing.T, script string, patch func(*specs.Spec)) string {
	t.Helper()
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh(script)...)
	spec.Process.Terminal = true
	if patch != nil {
		patch(spec)
	}
	c := newContainer(t, rt, spec)
	socketPath, masterCh := fileSocket(t)
	mustSucceed(t, rt.run("create", "--bundle", c.bundle, "--console-socket", socketPath, c.id))
	master := <-masterCh
	if master == nil {
		t.Fatal("no file received on the console socket")
	}
	defer master.Close()
	mustSucceed(t, c.start())
	out, _ := io.ReadAll(master)
	c.waitStatus(specs.StateStopped)
	return string(out)
}

// createWithConsole runs create of c with a console socket and returns
// its result.
func createWithConsole(t *testing.T, c *container) result {
	t.Helper()
	socketPath := filepath.Join(t.TempDir(), "console.sock")
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: socketPath, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() {
		// Keep the connection open until create returns; it may send
		// nothing at all.
		if conn, err := listener.Accept(); err == nil {
			_, _ = io.Copy(io.Discard, conn)
			conn.Close()
		}
	}()
	return c.rt.run("create", "--bundle", c.bundle, "--console-socket", socketPath, c.id)
}

// writeSpec rewrites the bundle's config.json.
func writeSpec(t *testing.T, bundle string, spec *specs.Spec) {
	t.Helper()
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
