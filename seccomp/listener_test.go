package seccomp

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestSendNotifyFd(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	// Any fd proves the passing; a pipe is cheap to identify by inode.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	type received struct {
		state specs.ContainerProcessState
		fd    int
		err   error
	}
	got := make(chan received, 1)
	go func() {
		var rec received
		defer func() { got <- rec }()
		conn, err := ln.AcceptUnix()
		if err != nil {
			rec.err = err
			return
		}
		defer conn.Close()
		buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			rec.err = err
			return
		}
		if rec.err = json.Unmarshal(buf[:n], &rec.state); rec.err != nil {
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			rec.err = err
			return
		}
		fds, err := unix.ParseUnixRights(&msgs[0])
		if err != nil || len(fds) != 1 {
			rec.err = err
			return
		}
		rec.fd = fds[0]
	}()

	f := &Filter{ListenerPath: sock, ListenerMetadata: "hello agent"}
	state := specs.State{Version: specs.Version, ID: "ctr", Status: specs.StateCreating, Pid: 42, Bundle: "/b"}
	if err := SendNotifyFd(f, 42, state, int(r.Fd())); err != nil {
		t.Fatal(err)
	}
	rec := <-got
	if rec.err != nil {
		t.Fatalf("agent: %v", rec.err)
	}
	defer unix.Close(rec.fd)
	if rec.state.Pid != 42 || rec.state.Metadata != "hello agent" || rec.state.State.ID != "ctr" ||
		len(rec.state.Fds) != 1 || rec.state.Fds[0] != "seccompFd" {
		t.Errorf("agent got state %+v", rec.state)
	}
	var sent, passed unix.Stat_t
	if err := unix.Fstat(int(r.Fd()), &sent); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fstat(rec.fd, &passed); err != nil {
		t.Fatal(err)
	}
	if sent.Ino != passed.Ino || sent.Dev != passed.Dev {
		t.Errorf("agent got another file (inode %d, want %d)", passed.Ino, sent.Ino)
	}
}

func TestSendNotifyFdNoAgent(t *testing.T) {
	f := &Filter{ListenerPath: filepath.Join(t.TempDir(), "missing.sock")}
	err := SendNotifyFd(f, 1, specs.State{}, 0)
	if err == nil {
		t.Fatal("sending to a missing socket succeeded")
	}
	const prefix = "linux.seccomp.listenerPath: failed to connect with seccomp agent specified in the seccomp profile: "
	if got := err.Error(); !strings.HasPrefix(got, prefix) {
		t.Errorf("error %q, want it to start with %q", got, prefix)
	}
}
