// Package nsenter owns hull's executor: a small C program that runs before
// the Go runtime starts (a cgo constructor), receives a compiled program
// from the Go parent and executes it inside the new namespaces. Importing
// this package installs the constructor.
package nsenter

import (
	"errors"
	"os"
)

// Executor is a started executor waiting for its program on Sock.
type Executor struct {
	// Pid is the executor (stage 1) pid in the caller's pid namespace.
	Pid int
	// Sock is the parent's end of the SOCK_SEQPACKET socketpair.
	Sock *os.File
}

// ErrNoPreforked means the process was not started as create/run/exec, so
// the constructor forked no executor.
var ErrNoPreforked = errors.New("no pre-forked executor")

// TakePreforked returns the executor the constructor forked at process
// start (for `hull create|run|exec`); it can be taken once.
func TakePreforked() (*Executor, error) { return nil, ErrNoPreforked }

// Start launches a fresh executor from the protected binary, for library
// users whose process was not started by the hull CLI. stdio become the
// executor's (and so the container's) fds 0-2; extra become 3, 4, ...
func Start(stdin, stdout, stderr *os.File, extra []*os.File) (*Executor, error) {
	return nil, errors.New("start executor: not implemented")
}
