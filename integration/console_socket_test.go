package integration

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// With process.terminal and --console-socket, create sends the pty master
// over the socket; the test talks to the container through it.
func TestCreateSendsThePtyMasterOverTheConsoleSocket(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, sh("tty; read word; echo got-$word")...)
	spec.Process.Terminal = true
	c := newContainer(t, rt, spec)

	socketPath, masterCh := fileSocket(t)

	mustSucceed(t, rt.run("create", "--bundle", c.bundle, "--console-socket", socketPath, c.id))
	master := <-masterCh
	if master == nil {
		t.Fatal("no file received on the console socket")
	}
	defer master.Close()
	mustSucceed(t, c.start())
	if _, err := io.WriteString(master, "hello\n"); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(master) // ends with EIO when the container exits
	if !strings.Contains(string(out), "/dev/pts/") || !strings.Contains(string(out), "got-hello") {
		t.Errorf("through the pty: %q, want the tty's name and got-hello", out)
	}
	c.waitStatus(specs.StateStopped)
}

// receiveFile accepts one connection and returns the file it carries in an
// SCM_RIGHTS message, or nil.
// fileSocket listens on a new unix socket, as an engine's console or
// pidfd socket, and returns its path and the one file sent over it (nil
// when none came). The listener closes when the test ends.
func fileSocket(t *testing.T) (string, <-chan *os.File) {
	t.Helper()
	socketPath := filepath.Join(t.TempDir(), "file.sock")
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: socketPath, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	files := make(chan *os.File, 1)
	go func() { files <- receiveFile(t, listener) }()
	return socketPath, files
}

func receiveFile(t *testing.T, listener *net.UnixListener) *os.File {
	conn, err := listener.AcceptUnix()
	if err != nil {
		t.Error(err)
		return nil
	}
	defer conn.Close()
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Error(err)
		return nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		t.Errorf("control messages: %v, %v", msgs, err)
		return nil
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		t.Errorf("SCM_RIGHTS: %v, %v", fds, err)
		return nil
	}
	return os.NewFile(uintptr(fds[0]), "pty-master")
}
