package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// signalRelay catches the signals a foreground run, exec or restore
// passes on to the process it waits for. Catching a signal costs a round
// trip with the Go runtime's signal thread (sigenable waits for it to
// update its mask; os/signal has no call that catches several at once):
// for all of them, ~50 round trips, ~100 context switches and 2-3 ms of
// CPU on the CLI's one P. So they are caught in two steps:
//
//   - at once, the signals whose default action ends or stops hull
//     (stopSignals): a Ctrl-C, a TERM or a Ctrl-Z during the create then
//     waits in the channel for the process, instead of killing hull
//     halfway and leaving the container behind;
//   - the others, which the runtime catches and drops until os/signal
//     wants them, in a goroutine started when hull hands the executor the
//     set-up of the process and waits for it (beside, at Beside). That
//     wait parks in the netpoller, so the goroutine runs on the freed P
//     while the executor works on another CPU, and its cost leaves the
//     critical path.
//
// A foreground exec catches the stop signals in that goroutine too
// (catchAllBeside), ahead of the others: hull dying of one before then
// leaves nothing behind, since the exec'd process waits at its start gate
// and exits without exec'ing when hull's end of the gate closes, and the
// executor exits when its socket does. That takes ~1.1 ms of round trips
// off exec's critical path. A create cannot do the same: hull dying
// halfway would leave the container behind.
//
// Why the order is safe: a signal is caught once os/signal marks it
// wanted, before the round trip; from then on it lands in the channel,
// whichever thread takes it. The goroutine is joined before anyone can
// learn of the process or it can run its program: Create waits for it
// before it writes state.json, the pid file or the pidfd (and the init
// runs nothing of the user's before Start); Exec's process waits at its
// start gate, after it reported ready, until the goroutine is done. So a
// signal sent to hull after the process exists for anyone but hull is in
// the channel or stops/ends nothing, and forwardSignals, started after
// that, passes the ones queued meanwhile on, in order. One not among the
// stop signals that comes earlier, while hull alone knows of the
// process, is dropped, as one sent before hull started would be; for
// exec, a stop signal that early ends (or stops) hull, and the process
// never runs.
type signalRelay struct {
	ch   chan os.Signal
	once sync.Once
	// caught is closed when every signal is caught.
	caught chan struct{}
	// stopLater: the stop signals too are caught beside (catchAllBeside).
	stopLater bool
	// unpin undoes beside's pinThreads (nil when nothing was pinned).
	unpin func()
}

// stopSignals are the signals whose default action in a Go program ends
// it (SIGHUP, SIGINT, SIGTERM; with a stack dump: SIGQUIT, SIGABRT and the
// synchronous ones when sent by kill) or stops it (SIGTSTP, SIGTTIN,
// SIGTTOU). The synchronous ones (SIGILL ... SIGSYS) cost no round trip.
var stopSignals = []os.Signal{
	unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGQUIT, unix.SIGABRT,
	unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU,
	unix.SIGILL, unix.SIGTRAP, unix.SIGBUS, unix.SIGFPE, unix.SIGSEGV, unix.SIGSTKFLT, unix.SIGSYS,
}

// numSignals is one more than the highest signal number (SIGRTMAX, 64).
const numSignals = 65

// restSignals are all other signals but SIGCHLD (Wait reaps; the
// runtime ignores it), SIGURG (the runtime's preemption signal; ignored
// by default) and SIGKILL and SIGSTOP (they cannot be caught): neither is
// forwarded, so catching them would cost round trips for nothing.
func restSignals() []os.Signal {
	skip := map[syscall.Signal]bool{unix.SIGCHLD: true, unix.SIGURG: true, unix.SIGKILL: true, unix.SIGSTOP: true}
	for _, s := range stopSignals {
		skip[s.(syscall.Signal)] = true
	}
	rest := make([]os.Signal, 0, numSignals)
	for n := syscall.Signal(1); n < numSignals; n++ {
		if !skip[n] {
			rest = append(rest, n)
		}
	}
	return rest
}

// catchStopSignals starts the relay: the stop signals are caught when it
// returns.
func catchStopSignals() *signalRelay {
	r := &signalRelay{ch: make(chan os.Signal, 128), caught: make(chan struct{})}
	signal.Notify(r.ch, stopSignals...)
	return r
}

// catchAllBeside starts a relay that catches nothing yet: every signal,
// the stop signals first, is caught in the goroutine beside (exec only,
// see signalRelay).
func catchAllBeside() *signalRelay {
	return &signalRelay{ch: make(chan os.Signal, 128), caught: make(chan struct{}), stopLater: true}
}

// catchRest starts catching the other signals (and the stop signals
// first, for catchAllBeside) in a goroutine; only the first call does.
func (r *signalRelay) catchRest() {
	r.once.Do(func() {
		go func() {
			if r.stopLater {
				signal.Notify(r.ch, stopSignals...)
			}
			signal.Notify(r.ch, restSignals()...)
			close(r.caught)
		}()
	})
}

// beside is CreateOptions.Beside and ExecOptions.Beside: it starts
// catching the rest, and create (exec) waits for the returned channel
// before it names the init (lets the process exec).
// For exec (stopLater) it also pins hull's threads to one CPU while the
// signals are caught (pinThreads); unpinThreads undoes that.
func (r *signalRelay) beside() <-chan struct{} {
	if r.stopLater {
		r.unpin = pinThreads()
	}
	r.catchRest()
	return r.caught
}

// unpinThreads puts the caller's CPU mask back on hull's threads if beside
// pinned them.
func (r *signalRelay) unpinThreads() {
	if r != nil && r.unpin != nil {
		r.unpin()
		r.unpin = nil
	}
}

// waitCaught returns once every signal is caught (starting the rest now
// if catchRest was not called).
func (r *signalRelay) waitCaught() {
	r.catchRest()
	<-r.caught
}
