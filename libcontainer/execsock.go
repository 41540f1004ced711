package libcontainer

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/program"
)

// execSock is the parent's end of the SOCK_SEQPACKET socketpair shared
// with the executor: one message per packet, fds by SCM_RIGHTS.
type execSock struct{ f *os.File }

// message is one packet from the executor.
type message struct {
	program.Header
	Payload []byte
	// File is the fd passed along (the pty master of MsgConsole), if any.
	File *os.File
}

// maxMessage bounds a packet from the executor; its messages are small.
const maxMessage = 64 << 10

// sendProgram sends the encoded program and the files it references in one
// sendmsg, so the executor gets both or neither.
func (s execSock) sendProgram(p *program.Program) error {
	msg := program.EncodeMessage(program.Header{Type: program.MsgProgram}, p.Encode())
	var oob []byte
	if len(p.Files) > 0 {
		fds := make([]int, len(p.Files))
		for i, f := range p.Files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(int(s.f.Fd()), msg, oob, nil, unix.MSG_NOSIGNAL); err != nil {
		return fmt.Errorf("send program to executor: %w", err)
	}
	return nil
}

// send sends a payload-less message (MsgAck, MsgAbort).
func (s execSock) send(t program.MsgType) error {
	msg := program.EncodeMessage(program.Header{Type: t}, nil)
	if _, err := unix.SendmsgN(int(s.f.Fd()), msg, nil, nil, unix.MSG_NOSIGNAL); err != nil {
		return fmt.Errorf("send message %d to executor: %w", t, err)
	}
	return nil
}

// recv reads the next message; io.EOF means every executor process closed
// its end (exited or exec'd).
func (s execSock) recv() (message, error) { return s.recvFlags(0) }

// recvFlags is recv with extra recvmsg flags (MSG_DONTWAIT).
func (s execSock) recvFlags(flags int) (message, error) {
	buf := make([]byte, maxMessage)
	oob := make([]byte, unix.CmsgSpace(4*4))
	var n, oobn int
	var err error
	for {
		n, oobn, _, _, err = unix.Recvmsg(int(s.f.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC|flags)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return message{}, fmt.Errorf("receive from executor: %w", err)
	}
	if n == 0 {
		return message{}, io.EOF
	}
	h, payload, ok := program.DecodeMessage(buf[:n])
	name := "executor-fd"
	if h.Type == program.MsgConsole {
		name = "/dev/ptmx"
	}
	files, err := receivedFiles(oob[:oobn], name)
	if err != nil {
		return message{}, err
	}
	var m message
	if len(files) > 0 {
		m.File = files[0]
		for _, f := range files[1:] {
			f.Close()
		}
	}
	if !ok {
		if m.File != nil {
			m.File.Close()
		}
		return message{}, fmt.Errorf("receive from executor: short message of %d bytes", n)
	}
	m.Header, m.Payload = h, payload
	return m, nil
}

// receivedFiles turns SCM_RIGHTS control messages into files.
func receivedFiles(oob []byte, name string) ([]*os.File, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse control message from executor: %w", err)
	}
	var files []*os.File
	for _, c := range cmsgs {
		fds, err := unix.ParseUnixRights(&c)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), name))
		}
	}
	return files, nil
}

// executorError turns a MsgError into `origin: message: strerror(errno)`,
// naming the config field the failing op came from.
func executorError(p *program.Program, m message) error {
	text := string(m.Payload)
	if i := len(text); i > 0 && text[i-1] == 0 {
		text = text[:i-1]
	}
	origin := p.Origin(int(m.OpIndex))
	if m.Errno != 0 {
		return &ExecutorError{Origin: origin, Message: text, Errno: unix.Errno(m.Errno)}
	}
	return &ExecutorError{Origin: origin, Message: text}
}

// ExecutorError is a failure reported by the executor for one operation.
type ExecutorError struct {
	Origin  string // config field, e.g. "mounts[3] (/data)"
	Message string // what the executor was doing
	Errno   unix.Errno
}

func (e *ExecutorError) Error() string {
	s := e.Origin
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Errno != 0 {
		s += ": " + e.Errno.Error()
	}
	return s
}

// Unwrap exposes the errno, so errors.Is(err, fs.ErrNotExist) works.
func (e *ExecutorError) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}
