package libcontainer

import (
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/libcontainer/nsenter"
	"github.com/hullrt/hull/libcontainer/program"
)

// executorError turns a MsgError into `origin: message: strerror(errno)`,
// naming the config field the failing op came from.
func executorError(p *program.Program, m *nsenter.Message) error {
	text := string(m.Payload)
	if i := len(text); i > 0 && text[i-1] == 0 {
		text = text[:i-1]
	}
	origin := p.Origin(int(m.OpIndex))
	var op program.Code
	if i := int(m.OpIndex); i >= 0 && i < len(p.Ops) {
		op = p.Ops[i].Code
	}
	return &ExecutorError{Origin: origin, Message: text, Errno: unix.Errno(m.Errno), Op: op}
}

// ExecutorError is a failure reported by the executor for one operation.
type ExecutorError struct {
	Origin  string // config field, e.g. "mounts[3] (/data)"
	Message string // what the executor was doing
	Errno   unix.Errno
	Op      program.Code // the failing op, 0 when unknown
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
