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
// the caller's CPUs. Should a runtime ever start a thread some other way
// first, this package's init, among the first package inits, puts the
// mask back on every thread of the process instead. The program must
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
// #include <stdint.h>
// extern unsigned long hull_oneproc_mask[1024 / (8 * sizeof(unsigned long))];
// extern int hull_oneproc_mask_len;
import "C"

import (
	"runtime"
	"syscall"
	"unsafe"
)

func init() {
	n := int(C.hull_oneproc_mask_len)
	if n == 0 {
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
	mask := unsafe.Pointer(&C.hull_oneproc_mask[0])
	if err := restoreAffinity(mask, n); err != nil {
		// Go on narrowed and a container would inherit one CPU: refuse.
		msg := "hull: restore the CPU affinity: " + err.Error() + "\n"
		syscall.RawSyscall(syscall.SYS_WRITE, 2, uintptr(unsafe.Pointer(unsafe.StringData(msg))), uintptr(len(msg)))
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 1, 0, 0)
	}
}

// restoreAffinity sets mask on every thread of the process, the fallback
// for a runtime that started threads without pthread_create. The runtime
// has started threads of its own by now (sysmon, cgo's template thread),
// all narrowed; it lists /proc/self/task again after each pass until a
// pass finds no thread it has not set. Raw system calls: the P is never
// released, so sysmon cannot hand it to a new thread meanwhile.
func restoreAffinity(mask unsafe.Pointer, n int) error {
	done := make(map[int]bool, 4)
	var buf [1024]byte
	for {
		fresh := false
		path := [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 't', 'a', 's', 'k', 0}
		fd, _, e := syscall.RawSyscall6(syscall.SYS_OPENAT, ^uintptr(99) /* AT_FDCWD, -100 */, uintptr(unsafe.Pointer(&path[0])),
			syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0, 0, 0)
		if e != 0 {
			return e
		}
		for {
			nr, _, e := syscall.RawSyscall(syscall.SYS_GETDENTS64, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
			if e != 0 {
				syscall.RawSyscall(syscall.SYS_CLOSE, fd, 0, 0)
				return e
			}
			if nr == 0 {
				break
			}
			for off := 0; off < int(nr); {
				reclen := int(*(*uint16)(unsafe.Pointer(&buf[off+16])))
				tid := 0
				for _, c := range buf[off+19 : off+reclen] {
					if c < '0' || c > '9' {
						break
					}
					tid = tid*10 + int(c-'0')
				}
				off += reclen
				if tid == 0 || done[tid] {
					continue
				}
				_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid), uintptr(n), uintptr(mask))
				// ESRCH: a thread that exited since the listing.
				if e != 0 && e != syscall.ESRCH {
					syscall.RawSyscall(syscall.SYS_CLOSE, fd, 0, 0)
					return e
				}
				done[tid] = true
				fresh = true
			}
		}
		syscall.RawSyscall(syscall.SYS_CLOSE, fd, 0, 0)
		if !fresh {
			return nil
		}
	}
}
