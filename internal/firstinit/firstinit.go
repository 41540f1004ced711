// Package firstinit notes when the program's first package init ran: the
// boundary, for the phase trace, between the Go runtime's own start-up and
// the package inits. Importing it anywhere is enough.
//
// It imports only syscall, so Go's init order (dependencies first, then by
// import path) runs its init right after syscall's, ahead of
// internal/oneproc and every other package of this module. The cost when
// nobody traces: one gettimeofday (a vDSO call) per process.
package firstinit

import "syscall"

var at = now()

func now() int64 {
	var tv syscall.Timeval
	if syscall.Gettimeofday(&tv) != nil {
		return 0
	}
	return tv.Nano()
}

// UnixNano is when the first package init ran, in ns since the epoch
// (microsecond resolution); 0 if the clock could not be read.
func UnixNano() int64 { return at }
