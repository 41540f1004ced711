package main

import (
	"github.com/hullrt/hull/libcontainer/nsenter"
	// The CLI opts in to the executor forked before the Go runtime starts:
	// the cheapest way to start a container.
	_ "github.com/hullrt/hull/libcontainer/nsenter/prefork"
)

// releaseExecutor ends an executor that will get no program: it exits when
// its socket closes, and is reaped here so that no process outlives a
// failed command.
func releaseExecutor(exe *nsenter.Executor) {
	exe.Sock.Close()
	exe.Wait()
}

// releaseUnusedExecutor releases the executor the constructor forked for a
// create or run that failed before taking it (a bad flag, say).
func releaseUnusedExecutor() {
	if exe, err := nsenter.TakePreforked(); err == nil {
		releaseExecutor(exe)
	}
}
