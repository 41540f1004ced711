// Package oneproc runs the importing program's Go code on one P unless
// GOMAXPROCS says otherwise. Importing it is enough: the switch happens in
// its init, among the first package inits of the program.
//
// Why one P: a hull command is short and mostly waits on syscalls, the
// executor and the container; a second P only added threads that wake,
// spin and hand goroutines to each other (measured on `run` of /bin/true
// with perf stat, interleaved: about 80 fewer page faults and 50 fewer
// context switches).
//
// Why in an init of its own rather than in main: runtime.GOMAXPROCS stops
// the world and destroys the second P, whose cache of heap spans goes back
// to the central lists, each first push there touching a fresh page. Done
// in main, after every package init has allocated, that cost about 100
// page faults of `hull --version` (436 -> 330 with GOMAXPROCS=1 in the
// environment, which skips it); done here, before the inits allocate, it
// costs next to nothing. The package imports only syscall, so Go's init
// order (dependencies first, then by import path) runs it right after
// syscall's own init.
package oneproc

import (
	"runtime"
	"syscall"
)

func init() {
	if v, _ := syscall.Getenv("GOMAXPROCS"); v == "" {
		runtime.GOMAXPROCS(1)
	}
}
