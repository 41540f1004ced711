// Package faststart is the opt-in for the hull CLI's C paths of `start`,
// `kill`, `delete` and `state`. A program that imports it for its side effect,
//
//	import _ "github.com/hullrt/hull/libcontainer/faststart"
//
// gets a C constructor (fastpath.c) that, when the program was started
// as `[--root R] [--log F] [--log-format text|json] ... start ID`,
// `... kill ID [SIGNAL]`, `... delete [-f] ID` or `... state ID` (runc's grammar, as the
// hull binary has) and the container's directory holds the command's
// ticket, does the command before the Go runtime is up, and exits. Anything else, every flag it
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
// delete (fastdelete.c): the kill ticket's delete section is Go's
// decision, made with every state.json (kill_ticket.go), that deleting
// the container once its init is gone is only rmdirs and unlinks: its
// own pid namespace (nothing outlives the init), no poststop hook, no
// Intel RDT group, cgroupfs rather than systemd; it lists each cgroup
// directory (the hierarchy's mount point, the path below it, how many
// parents create made). The C path takes the container's lock as
// lockAndReload does, and goes on only when the init has provably exited:
// pidfd_open fails with ESRCH, the pidfd polls readable (a zombie, which
// Go's status takes for stopped too) or the pid's start time, read
// through a verified procfs while the pidfd holds the pid, is another;
// or, with -f/--force, when it is provably alive (below).
// The state directory must hold only the files it knows (state.json,
// the tickets, the fifos), of their types, or nothing is touched. Each
// hierarchy root must be a cgroup fs; the cgroups are removed as
// Container.destroy does (RESOLVE_BENEATH, no symlink, no mount
// crossing; a missing one is fine), the parents create made until one is
// in use (EBUSY, ENOTEMPTY), then the directory's files by name relative
// to its descriptor, state.json last, and the directory. Any other
// failure of an rmdir (a cgroup made inside the container's: EBUSY)
// leaves the rest to Go, whose delete takes what is gone already for
// done. -f/--force changes nothing for a container whose init is gone
// (Container.Delete kills only a live one), so it is taken too, as
// create+start+delete -f runs it. With it, a live init (a running or
// created container) is killed first, as Container.kill does: only when
// the pidfd names a process, no zombie, whose start time, read
// through the verified procfs while the pidfd holds the pid, is the
// ticket's (a reused pid is never signalled: it reads as a gone init,
// and its container's cgroups, still busy, go to Go), and the freezer
// file reads thawed (paused, or unreadable: Go, which thaws). After
// every check that could hand the command to Go, SIGKILL goes through
// the pidfd and the C path polls it, for at most a second, until the
// init has exited (its parent, not hull, reaps it); the init of its own
// pid namespace took every process in it along, and a zombie is out of
// its cgroups, so the rmdirs follow, EBUSY retried as cgroups'
// rmdirRetry does unless the cgroup has children. An init that does not
// exit in time leaves everything but the kill to Go, which kills
// (harmlessly again) and waits with its own bound. A live init without
// --force, a missing directory, any other flag: Go.
//
// state (faststate.c): state.output is written with every state.json
// (libcontainer's state_output.go): the bytes `state` prints, rendered by
// the same StateJSON, split where the pid and the status go, and the
// facts deriveStatus reads: the init's pid and start time, the freezer
// file. The C path reads it (no lock, as Container.State takes none),
// reads the pid's start time through a verified procfs (gone or another
// start time or a zombie: stopped, pid 0), then the exec fifo (there:
// created) and the freezer (FROZEN/FREEZING or 1: paused), and prints.
// Anything it cannot read for sure (a /proc that is no procfs, a freezer
// file it cannot read or does not know the value of, an fstatat error
// other than ENOENT), a flag or a second argument: Go. Go writes no file
// for a record without an init, strings that are not valid UTF-8 (they
// would not read back as they are), or an output over 64 KiB.
//
// Why: `start` is one write into a fifo and `kill` one signal; the Go
// runtime's start-up and package init (about 300 page faults here) were
// nearly all of their cost. `kill ID KILL` of a running container,
// perf stat, 30 interleaved rounds of the binary before the kill path,
// after it and crun 1.8 (cgroup v1, as make bench runs them), medians:
// wall 10.87 -> 2.67 ms (crun 10.60), CPU 9.50 -> 1.44 ms (crun 9.16),
// page faults 279 -> 41 (crun 278). `delete` of a stopped container
// (cgroup v1, 9 hierarchies): perf stat, 30 interleaved rounds of the
// binary before the delete path, after it and crun 1.8, medians: wall
// 13.72 -> 3.43 ms (crun 14.76), CPU 13.14 -> 2.06 ms (crun 13.09), page
// faults 360 -> 42 (crun 286); hyperfine, 30 runs each, interleaved:
// 11.06 -> 2.71 ms (crun 12.31); peak RSS (GNU time) 7.4 -> 1.3 MiB
// (crun 3.1). create+start+delete -f: 36.95 -> 32.42 ms (crun 41.21; 60
// runs each, interleaved): in about a quarter of the runs the init had
// not exited yet when delete -f came, and Go killed it; since the C path
// kills it too (and takes an init that exits during its checks for
// gone), 38.86 -> 29.77 ms (crun 43.97; hyperfine, 80 runs each,
// interleaved), delete -f of a running container 14.60 -> 3.83 ms (crun
// 13.69), page faults 368 -> 44 (crun 284). `state` (cgroup
// v1), perf stat, 30 interleaved rounds of the binary before the state
// path, after it and crun 1.8, medians: stopped container, wall 14.03 ->
// 2.87 ms (crun 12.81), CPU 13.17 -> 1.73 ms (crun 11.29), page faults
// 344 -> 42 (crun 283); created container, wall 15.13 -> 3.06 ms (crun
// 12.68), CPU 14.18 -> 1.86 ms (crun 11.29), page faults 350 -> 42 (crun
// 284).
package faststart

import "C" // fastpath.c holds the constructor
