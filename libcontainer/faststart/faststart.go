// Package faststart is the opt-in for the hull CLI's C paths of `start`
// and `kill`. A program that imports it for its side effect,
//
//	import _ "github.com/hullrt/hull/libcontainer/faststart"
//
// gets a C constructor (fastpath.c) that, when the program was started
// as `[--root R] [--log F] [--log-format text|json] ... start ID` or
// `... kill ID [SIGNAL]` (runc's grammar, as the hull binary has) and the
// container's directory holds the command's ticket, does the command
// before the Go runtime is up, and exits. Anything else, every flag it
// does not know, an unset --root, --debug, HULL_TRACE or HULL_CRASH_AT,
// and every error before the command's one irreversible step, leaves the
// command to Go, untouched, so that every error reads as Go's.
//
// start (faststart.c): the start ticket is Go's decision, made at create
// (libcontainer's start_ticket.go): the start needs no hook and has a
// process. The C path takes the container's lock, checks that its cgroup
// is not frozen, writes the byte the waiting init reads from the exec
// fifo and removes the fifo, as Container.Start does.
//
// kill (fastkill.c): the kill ticket is written with every state.json
// (libcontainer's kill_ticket.go) and names the init, by pid and start
// time, when SIGKILL goes to the init alone (the container has its own
// pid namespace). For a signal given as a number (0-64) or one of the
// standard names, with or without SIG, in any case, the C path checks
// that the cgroup is not frozen, opens a pidfd of the init, checks
// through a verified procfs that the pid's start time is the ticket's and
// that it is no zombie, and sends the signal through the pidfd, as
// Container.Signal does; like it, without a lock. --all, realtime names,
// a stopped or paused container, a reused pid: Go.
//
// Why: `start` is one write into a fifo and `kill` one signal; the Go
// runtime's start-up and package init (about 300 page faults here) were
// nearly all of their cost. `kill ID KILL` of a running container,
// perf stat, 30 interleaved rounds of the binary before the kill path,
// after it and crun 1.8 (cgroup v1, as make bench runs them), medians:
// wall 10.87 -> 2.67 ms (crun 10.60), CPU 9.50 -> 1.44 ms (crun 9.16),
// page faults 279 -> 41 (crun 278).
package faststart

import "C" // fastpath.c holds the constructor
