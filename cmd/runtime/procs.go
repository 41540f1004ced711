package main

import (
	"os"
	"runtime"
)

// oneProc runs the CLI's Go code on one P unless GOMAXPROCS says
// otherwise. A command is short and mostly waits on syscalls, the
// executor and the container; a second P only added threads that wake,
// spin and hand goroutines to each other. Measured on `run` of
// /bin/true (perf stat, interleaved): about 80 fewer page faults and 50
// fewer context switches.
func oneProc() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
