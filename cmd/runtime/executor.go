package main

import (
	"errors"
	"fmt"

	"github.com/hullrt/hull/libcontainer/nsenter"
)

// takeExecutor returns the executor the constructor forked at process
// start, or nil when this build did not opt in to the early fork (the
// noprefork tag): libcontainer then starts one on demand with our stdio.
func takeExecutor() (*nsenter.Executor, error) {
	exe, err := nsenter.TakePreforked()
	if errors.Is(err, nsenter.ErrNoPreforked) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("take the pre-forked executor: %w", err)
	}
	return exe, nil
}

// releaseExecutor ends an executor that will get no program: it exits when
// its socket closes, and is reaped here so that no process outlives a
// failed command.
func releaseExecutor(exe *nsenter.Executor) {
	if exe == nil {
		return
	}
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
