package nsenter

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hullrt/hull/internal/testbundle"
	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// makeRootfs builds a busybox rootfs in a fresh temporary directory.
func makeRootfs(t *testing.T) string {
	t.Helper()
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if err := testbundle.MakeRootfs(rootfs); err != nil {
		t.Fatal(err)
	}
	return rootfs
}

// outcome is what a finished executor run left behind.
type outcome struct {
	msgs   []*Message
	output string
}

func (o *outcome) find(t program.MsgType) *Message {
	for _, m := range o.msgs {
		if m.Type == t {
			return m
		}
	}
	return nil
}

// errorText is the executor's error as the parent would show it.
func (o *outcome) errorText() string {
	if m := o.find(program.MsgError); m != nil {
		return string(m.Payload) + ": " + unix.Errno(m.Errno).Error()
	}
	return ""
}

// startWithOutput starts an executor whose stdout and stderr go to a
// pipe (and whose fds 3, 4, ... are extra), and cleans it up when the
// test ends.
func startWithOutput(t *testing.T, extra ...*os.File) (*Executor, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	e, err := Start(nil, w, w, extra)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Sock.Close()
		e.Wait()
	})
	return e, r
}

// runProgram sends p, answers handshakes with answer (nil: ack), collects
// the messages until every executor process closed the socket, and reads
// the container's output.
func runProgram(t *testing.T, p *program.Program, answer func(e *Executor, m *Message)) *outcome {
	t.Helper()
	e, out := startWithOutput(t)
	if err := e.SendProgram(p); err != nil {
		t.Fatal(err)
	}
	o := &outcome{}
	for {
		m, err := e.ReadMessage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		o.msgs = append(o.msgs, m)
		switch m.Type {
		case program.MsgUsermapReq, program.MsgHooks:
			if answer != nil {
				answer(e, m)
			} else if err := e.Reply(program.MsgAck); err != nil {
				t.Fatal(err)
			}
		case program.MsgConsole:
			if answer != nil {
				answer(e, m)
			}
		}
	}
	data, err := io.ReadAll(out)
	if err != nil {
		t.Fatal(err)
	}
	o.output = string(data)
	return o
}

// containerProgram is the usual start of a container: new namespaces,
// stage 2 as pid 1, the rootfs with /proc, pivoted.
func containerProgram(rootfs string) *program.Program {
	p := &program.Program{}
	p.Add("namespaces", program.OpUnshare, []uint64{unix.CLONE_NEWUTS | unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWIPC})
	p.Add("propagation", program.OpPropagation, []uint64{unix.MS_SLAVE | unix.MS_REC}, "/")
	p.Add("fork", program.OpFork, nil)
	p.Add("root.path", program.OpRootOpen, nil, rootfs)
	return p
}

func mountProc(p *program.Program) {
	p.Add("mounts[0] (/proc)", program.OpMkdirAll, []uint64{0o755}, "/proc")
	p.Add("mounts[0] (/proc)", program.OpMountFs, []uint64{unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC, 0}, "proc", "proc", "/proc")
}

func execShell(p *program.Program, script string) {
	p.Add("process.args", program.OpResolveExec, nil, "sh", "/bin")
	p.Add("process", program.OpCloseFds, []uint64{3})
	p.Add("ready", program.OpReady, nil)
	p.Add("process.args", program.OpExec, []uint64{3}, "sh", "-c", script, "PATH=/bin")
}

func lines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}
