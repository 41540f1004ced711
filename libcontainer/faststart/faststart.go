// Package faststart is the opt-in for the hull CLI's C path of `start`.
// A program that imports it for its side effect,
//
//	import _ "github.com/hullrt/hull/libcontainer/faststart"
//
// gets a C constructor that, when the program was started as
// `[--root R] [--log F] [--log-format text|json] ... start ID` (runc's
// grammar, as the hull binary has) and the container's directory holds
// a start ticket, starts the container before the Go runtime is up, and
// exits: it takes the container's lock, checks that its cgroup is not
// frozen, writes the byte the waiting init reads from the exec fifo and
// removes the fifo, as Container.Start does. The ticket is Go's decision,
// made at create (libcontainer's start_ticket.go): the start needs no
// hook and has a process. Anything else, every flag it does not know, an
// unset --root, --debug, HULL_TRACE or HULL_CRASH_AT, a fifo without a
// reader, and every error before the byte is written, leaves the command
// to Go, untouched, so that every error reads as Container.Start's.
//
// Why: `start` is one short write into a fifo, and the Go runtime's
// start-up and package init (about 300 page faults here) were nearly all
// of its cost; see the commit that added this package for the numbers.
package faststart

import "C" // faststart.c holds the constructor
