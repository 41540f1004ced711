// Package oneproc runs the importing program's Go code on one P unless
// GOMAXPROCS says otherwise. Importing it is enough.
//
// Why one P: a hull command is short and mostly waits on syscalls, the
// executor and the container; a second P only added threads that wake,
// spin and hand goroutines to each other (measured on `run` of /bin/true
// with perf stat, interleaved: about 80 fewer page faults and 50 fewer
// context switches).
//
// How: a C constructor (narrow.c), which runs before the Go runtime,
// narrows the process's CPU affinity to the CPU it runs on, so that the
// runtime's osinit counts one CPU and schedinit makes one P. The link
// wraps pthread_create, through which cgo starts every thread of the
// runtime: at the first call (sysmon, from the main thread, after osinit)
// the wrapper puts the caller's mask back on the main thread, so no
// thread is ever created narrowed and the executor (forked before the
// narrowing), the container, hooks and every thread hull starts run on
// the caller's CPUs. Should the mask still be narrowed at this package's
// init (the wrapper's sched_setaffinity failed, or a runtime started its
// threads some other way), the command refuses to go on rather than let a
// container inherit one CPU. The program must
// disable the runtime's GOMAXPROCS updates (//go:debug updatemaxprocs=0
// in its main package), or sysmon would raise GOMAXPROCS back to the CPU
// count a second after the start.
//
// The threads the runtime starts also share glibc's main malloc arena
// (malloc.c), rather than one arena each.
//
// Why not runtime.GOMAXPROCS(1) in an init, as before: it stops the world
// and destroys the second P, whose heap span cache goes back to the
// central lists, and the runtime has by then sized itself for two Ps.
// Measured against it (perf stat, 50 interleaved runs each, medians):
// `hull --version` CPU 14.1 -> 11.5 ms, page faults 365 -> 312; `state`
// of a stopped container 16.4 -> 13.8 ms, 385 -> 353; `run` of /bin/true
// 37.4 -> 33.9 ms, 654 -> 619 (30 runs). Restoring in the
// pthread_create wrapper rather than in this init, so that the runtime's
// first threads never share one CPU: context switches 106 -> 52 of
// `--version`, 112 -> 67 of `state` (50-60 runs, CPU and page faults
// unchanged).
package oneproc

// #cgo LDFLAGS: -Wl,--wrap=pthread_create
// extern int hull_oneproc_mask_len;
// extern int hull_oneproc_restore_errno;
import "C"

import (
	"runtime"
	"syscall"
	"unsafe"
)

func init() {
	if C.hull_oneproc_mask_len == 0 {
		// Not narrowed (GOMAXPROCS set, one CPU already, more than 1,024,
		// or sched_setaffinity refused, as a seccomp filter may) or the
		// mask is back already. Unless GOMAXPROCS says otherwise, one P
		// the old way: a query first, so that the usual case (one P
		// already) stops no world.
		if v, _ := syscall.Getenv("GOMAXPROCS"); v == "" && runtime.GOMAXPROCS(0) > 1 {
			runtime.GOMAXPROCS(1)
		}
		return
	}
	// Still narrowed: going on, a container would inherit one CPU.
	why := "the runtime started a thread without pthread_create"
	if e := syscall.Errno(C.hull_oneproc_restore_errno); e != 0 {
		why = e.Error()
	}
	msg := "hull: restore the CPU affinity: " + why + "\n"
	syscall.RawSyscall(syscall.SYS_WRITE, 2, uintptr(unsafe.Pointer(unsafe.StringData(msg))), uintptr(len(msg)))
	syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 1, 0, 0)
}
