package nsenter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/hullrt/hull/libcontainer/program"
	"golang.org/x/sys/unix"
)

// Message is one packet from the executor, with the file it carried
// (MSG_CONSOLE's pty master), if any.
type Message struct {
	program.Header
	Payload []byte
	File    *os.File
}

// SendProgram sends p as MSG_PROGRAM with its files by SCM_RIGHTS.
func (e *Executor) SendProgram(p *program.Program) error {
	packet := program.EncodeMessage(program.Header{Type: program.MsgProgram}, p.Encode())
	var oob []byte
	if len(p.Files) > 0 {
		fds := make([]int, len(p.Files))
		for i, f := range p.Files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	return e.sendmsg(packet, oob, "send program")
}

// SendFds sends a message of type t with payload and fds by SCM_RIGHTS.
func (e *Executor) SendFds(t program.MsgType, payload []byte, fds []int) error {
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	return e.sendmsg(program.EncodeMessage(program.Header{Type: t}, payload), oob, "send fds to executor")
}

// Reply sends a bodiless answer (MsgAck or MsgAbort) to the executor.
func (e *Executor) Reply(t program.MsgType) error {
	return e.sendmsg(program.EncodeMessage(program.Header{Type: t}, nil), nil, "reply to executor")
}

func (e *Executor) sendmsg(packet, oob []byte, what string) error {
	rc, err := e.Sock.SyscallConn()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var serr error
	if err := rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), packet, oob, nil, unix.MSG_NOSIGNAL)
		return !errors.Is(serr, unix.EAGAIN)
	}); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if serr != nil {
		return fmt.Errorf("%s: %w", what, serr)
	}
	return nil
}

// ReadMessage waits for the next packet from the executor; io.EOF means
// every executor process has closed its end.
func (e *Executor) ReadMessage() (*Message, error) {
	rc, err := e.Sock.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("read executor message: %w", err)
	}
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	var n, oobn int
	var rerr error
	if err := rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		if errors.Is(rerr, unix.ECONNRESET) {
			// The executor exited with a message of ours unread (a
			// MsgCreated that came with the start): the kernel reports
			// that once, before the packets it sent last (its error).
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		}
		return !errors.Is(rerr, unix.EAGAIN)
	}); err != nil {
		return nil, fmt.Errorf("read executor message: %w", err)
	}
	if rerr != nil {
		return nil, fmt.Errorf("read executor message: %w", rerr)
	}
	if n == 0 {
		return nil, io.EOF
	}
	m := &Message{}
	var ok bool
	if m.Header, m.Payload, ok = program.DecodeMessage(buf[:n]); !ok {
		return nil, fmt.Errorf("read executor message: short packet of %d bytes", n)
	}
	if oobn > 0 {
		fds, err := receivedFds(oob[:oobn])
		if err != nil {
			return nil, err
		}
		for i, fd := range fds {
			if i == 0 {
				m.File = os.NewFile(uintptr(fd), "executor-fd")
				continue
			}
			unix.Close(fd)
		}
	}
	return m, nil
}

func receivedFds(oob []byte) ([]int, error) {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse executor control message: %w", err)
	}
	var fds []int
	for _, c := range cmsgs {
		rights, err := unix.ParseUnixRights(&c)
		if err != nil {
			continue
		}
		fds = append(fds, rights...)
	}
	return fds, nil
}

// Wait reaps the executor (stage 1), a child of this process, with
// wait4 on its pid: it is our child and unreaped, so the pid cannot name
// another process. Not os.FindProcess and Process.Wait: the first
// FindProcess in a process checks that pidfds work (Go 1.23+), and that
// check clones the process (clone(CLONE_VFORK|CLONE_VM|CLONE_PIDFD)) and
// waits for the clone to exit: 0.4-3 ms of every exec and create here,
// spent while the process was about to exec.
func (e *Executor) Wait() (ExitStatus, error) {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(e.Pid, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return ExitStatus{}, fmt.Errorf("wait for executor %d: %w", e.Pid, err)
		}
		return ExitStatus{ws}, nil
	}
}

// ExitStatus is how the executor ended.
type ExitStatus struct{ unix.WaitStatus }

// Success reports whether it exited with status 0.
func (s ExitStatus) Success() bool { return s.Exited() && s.ExitStatus() == 0 }

// ExitCode is its exit status, or -1 when a signal ended it.
func (s ExitStatus) ExitCode() int {
	if !s.Exited() {
		return -1
	}
	return s.ExitStatus()
}

// String says how it ended, as os.ProcessState does: "exit status 1",
// "signal: killed".
func (s ExitStatus) String() string {
	if s.Signaled() {
		return "signal: " + s.Signal().String()
	}
	return "exit status " + strconv.Itoa(s.ExitStatus())
}
