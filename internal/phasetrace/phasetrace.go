// Package phasetrace times the phases of one hull command, so anyone can
// see where a millisecond goes: HULL_TRACE=1 (or --debug) makes the
// command report, when it ends, the time of the Go start-up (from the
// process's start to the first package init, the package inits, the CLI
// until the command runs) and between each phase boundary it reached
// after (the crash points of package crashpoint, plus the few marks the
// CLI and libcontainer add: load, state:*, kill:*, list:*, exec:*,
// delete:locked). Disabled, a mark costs one branch.
package phasetrace

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Env turns the trace on.
const Env = "HULL_TRACE"

var (
	// on is set once by Enable: a disabled Mark returns after one load
	// and branch. mu guards the rest.
	on     atomic.Bool
	mu     sync.Mutex
	start  time.Time
	last   time.Time
	phases []phase
)

type phase struct {
	name string
	took time.Duration
}

// Boundary is a phase boundary the process crossed before the trace could
// start (the Go start-up's): the phase named Name ended at At.
type Boundary struct {
	Name string
	At   time.Time
}

// Enable starts the trace. processStart is when the process began (its
// first instruction, as the C constructor saw it), so that the first
// phases are the Go runtime's own start-up. passed are the boundaries
// crossed since, in order; one not known (zero) or out of order is left
// out, its phase merged into the next. Without any, the first phase,
// go-start, ends now.
func Enable(processStart time.Time, passed ...Boundary) {
	mu.Lock()
	defer mu.Unlock()
	start, last = processStart, processStart
	on.Store(true)
	phases = phases[:0]
	for _, b := range passed {
		if b.At.IsZero() || b.At.Before(last) {
			continue
		}
		phases = append(phases, phase{b.Name, b.At.Sub(last)})
		last = b.At
	}
	if len(phases) == 0 {
		mark("go-start")
	}
}

// Mark ends the phase named name.
func Mark(name string) {
	if !on.Load() {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	mark(name)
}

func mark(name string) {
	now := time.Now()
	phases = append(phases, phase{name, now.Sub(last)})
	last = now
}

// Report is the trace so far as one line: each phase and its duration in
// ms, then the total; "" when the trace is off.
func Report(command string) string {
	if !on.Load() {
		return ""
	}
	mu.Lock()
	defer mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "phase trace %s:", command)
	for _, p := range phases {
		fmt.Fprintf(&b, " %s=%.3f", p.name, ms(p.took))
	}
	fmt.Fprintf(&b, " total=%.3f (ms)", ms(time.Since(start)))
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
