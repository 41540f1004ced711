// Package nsenter owns hull's executor: a small C program that runs before
// the Go runtime starts (a cgo constructor), receives a compiled program
// from the Go parent and executes it inside the new namespaces. Importing
// this package installs the constructor.
//
// The constructor runs the executor in a process started as
// "hull-executor" with _HULL_EXECUTOR_SOCK set, and never returns to Go
// there. Any other process, `go test` binaries and programs that embed
// libcontainer included, is untouched: the early fork of an executor for
// create, run and exec is opt-in, by importing package nsenter/prefork (the
// hull binary does); without it, Start launches an executor on demand.
//
// Start re-executes the calling binary, which therefore must import this
// package (every user of libcontainer does). The executor never runs the
// Go runtime: it is the C constructor, started from a read-only detached
// bind mount (or a sealed memfd copy) of the binary, so that nothing a
// container runs can overwrite it (CVE-2019-5736).
package nsenter

/*
#cgo CFLAGS: -Wall -Wextra -O2
extern int hull_preforked_pid;
extern int hull_preforked_sock;
extern int hull_preforked_errno;
extern long long hull_process_start_ns;
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ProcessStart is when this process began, as the C constructor saw it
// before the Go runtime started (zero if it could not tell).
func ProcessStart() time.Time {
	if C.hull_process_start_ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(C.hull_process_start_ns))
}

// Executor is a started executor waiting for its program on Sock.
type Executor struct {
	// Pid is the executor (stage 1) pid in the caller's pid namespace.
	Pid int
	// Sock is the parent's end of the SOCK_SEQPACKET socketpair.
	Sock *os.File
}

// UsernsHolderArgv0 is the argv[0] that makes our binary wait in its C
// constructor, doing nothing, until killed: a process to clone into a new
// user namespace only to hold it (id-mapped mounts).
const UsernsHolderArgv0 = "hull-userns-holder"

// UsernsJoinerArgv0 is the argv[0] that makes our binary join the user
// namespace of its fd 3 in its C constructor and wait there until killed:
// a process in that namespace, whose uid_map and gid_map tell its
// mappings.
const UsernsJoinerArgv0 = "hull-userns-joiner"

// ErrNoPreforked means the process was not started as create/run/exec, so
// the constructor forked no executor.
var ErrNoPreforked = errors.New("no pre-forked executor")

var preforkedMu sync.Mutex

// TakePreforked returns the executor the constructor forked at process
// start (for `hull create|run|exec`); it can be taken once.
func TakePreforked() (*Executor, error) {
	preforkedMu.Lock()
	defer preforkedMu.Unlock()
	if e := C.hull_preforked_errno; e != 0 {
		C.hull_preforked_errno = 0
		return nil, fmt.Errorf("fork executor: %w", syscall.Errno(e))
	}
	if C.hull_preforked_sock < 0 {
		return nil, ErrNoPreforked
	}
	e := &Executor{
		Pid:  int(C.hull_preforked_pid),
		Sock: pollableSocket(int(C.hull_preforked_sock)),
	}
	C.hull_preforked_sock = -1
	C.hull_preforked_pid = -1
	return e, nil
}

// pollableSocket wraps our end of the executor socket as a non-blocking
// file, so that a wait for the executor parks the goroutine in the
// netpoller and frees the CLI's one P at once; in a blocking recvmsg the
// thread keeps the P until sysmon retakes it, which can be milliseconds
// (sysmon backs off when it finds nothing to retake), and work the caller
// runs beside the wait (CreateOptions.BeforeWait) would not get to run.
// The executor's end is another open file and stays blocking. Should
// O_NONBLOCK not be set, the socket works as before, blocking.
func pollableSocket(fd int) *os.File {
	unix.SetNonblock(fd, true)
	return os.NewFile(uintptr(fd), "executor")
}
