package libcontainer

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSendConsolePassesTheFd(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })

	sent := make(chan error, 1)
	go func() { sent <- sendConsole(sock, w) }()
	conn, err := l.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	name := make([]byte, 256)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(name, oob)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	files, err := receivedFiles(oob[:oobn])
	if err != nil || len(files) != 1 {
		t.Fatalf("received %d files, %v; want one", len(files), err)
	}
	defer files[0].Close()
	if string(name[:n]) != w.Name() {
		t.Errorf("name %q, want %q", name[:n], w.Name())
	}
	// Writing through the received fd reaches the pipe: it is the same file.
	if _, err := files[0].Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if _, err := r.Read(buf); err != nil || buf[0] != 'x' {
		t.Fatalf("read %q, %v", buf, err)
	}
}

// receivedFiles turns SCM_RIGHTS control messages into files.
func receivedFiles(oob []byte) ([]*os.File, error) {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for _, c := range cmsgs {
		fds, err := unix.ParseUnixRights(&c)
		if err != nil {
			return nil, err
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), "received"))
		}
	}
	return files, nil
}

func TestSendConsoleToMissingSocket(t *testing.T) {
	err := sendConsole(filepath.Join(t.TempDir(), "none"), os.Stdin)
	if err == nil {
		t.Fatal("no error for a missing console socket")
	}
}
