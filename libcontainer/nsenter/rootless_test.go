package nsenter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/hullrt/hull/libcontainer/nsenter/internal/exetest"
	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

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

const rootlessRunEnv = "_HULL_TEST_ROOTLESS_RUN"

// runRootlessContainer runs, as the unprivileged user this process is, a
// container in a user namespace mapping root to that user only, the way a
// rootless parent does: setgroups denied, one-line maps.
func runRootlessContainer() error {
	e, err := Start(nil, os.Stdout, os.Stderr, nil)
	if err != nil {
		return err
	}
	defer func() {
		e.Sock.Close()
		e.Wait()
	}()
	p := &program.Program{}
	p.Add("linux.uidMappings", program.OpUnshareUser, nil)
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS})
	p.Add("fork", program.OpFork, nil)
	p.Add("hostname", program.OpHostname, nil, "rootless")
	p.Add("process.user", program.OpSetUser, []uint64{0, 0, 0})
	p.Add("process.args", program.OpExec, []uint64{3}, "/bin/sh", "-c", "echo $(id -u) $(hostname) $$")
	if err := e.SendProgram(p); err != nil {
		return err
	}
	uid, gid := os.Getuid(), os.Getgid()
	for {
		m, err := e.ReadMessage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch m.Type {
		case program.MsgError:
			return fmt.Errorf("op %d: %s: %w", m.OpIndex, m.Payload, unix.Errno(m.Errno))
		case program.MsgUsermapReq:
			dir := "/proc/" + strconv.Itoa(e.Pid) + "/"
			for _, w := range []struct{ file, text string }{
				{"setgroups", "deny"},
				{"uid_map", "0 " + strconv.Itoa(uid) + " 1\n"},
				{"gid_map", "0 " + strconv.Itoa(gid) + " 1\n"},
			} {
				if err := os.WriteFile(dir+w.file, []byte(w.text), 0); err != nil {
					return err
				}
			}
			if err := e.Reply(program.MsgAck); err != nil {
				return err
			}
		}
	}
}

// The whole rootless path: an unprivileged parent, the sealed executor,
// the user-namespace handshake while the executor is dumpable for us.
func TestRootlessContainer(t *testing.T) {
	requireRoot(t)
	cmd := exec.Command(exetest.CopyTestBinary(t))
	cmd.Env = []string{rootlessRunEnv + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rootless run: %v\n%s", err, out)
	}
	if got := string(out); got != "0 rootless 1\n" {
		t.Fatalf("rootless container printed %q, want root, its hostname and pid 1", got)
	}
}
