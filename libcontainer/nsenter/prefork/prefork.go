// Package prefork is the opt-in for hull's pre-forked executor. A program
// that imports it for its side effect,
//
//	import _ "github.com/hullrt/hull/libcontainer/nsenter/prefork"
//
// gets, when its first non-flag argument is create, run or exec (runc's
// grammar, as the hull binary has), an executor forked by a C constructor
// before the Go runtime starts, while the process is still small and
// single-threaded; nsenter.TakePreforked hands it out. That fork is the
// cheapest way to start a container (see `make bench`: the on-demand
// path re-executes the binary from a multithreaded Go process instead).
//
// Programs that do not import this package never fork because of their
// own argv; libcontainer starts an executor on demand for them
// (nsenter.Start), which is the right default for a library.
package prefork

import "C" // prefork.c holds the constructor

// The executor and the function the constructor calls live in nsenter.
import _ "github.com/hullrt/hull/libcontainer/nsenter"
