//go:build !noprefork

package main

// The CLI opts in to the executor forked before the Go runtime starts: the
// cheapest way to start a container. `-tags noprefork` builds the
// on-demand variant that `make bench` compares it with.
import _ "github.com/hullrt/hull/libcontainer/nsenter/prefork"
