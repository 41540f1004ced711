// Package phasetrace times the phases of one hull command, so anyone can
// see where a millisecond goes: HULL_TRACE=1 (or --debug) makes the
// command report, when it ends, the time from process start to Go's main
// and between each phase boundary it reached (the crash points of package
// crashpoint, plus the few marks the CLI adds). Disabled, a mark costs
// one branch.
package phasetrace

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Env turns the trace on.
const Env = "HULL_TRACE"

var (
	mu      sync.Mutex
	enabled bool
	start   time.Time
	last    time.Time
	phases  []phase
)

type phase struct {
	name string
	took time.Duration
}

// Enable starts the trace. processStart is when the process began (its
// first instruction, as the C constructor saw it), so that the first
// phase is the Go runtime's own start-up.
func Enable(processStart time.Time) {
	mu.Lock()
	defer mu.Unlock()
	enabled, start, last = true, processStart, processStart
	phases = phases[:0]
	mark("go-start")
}

// Mark ends the phase named name.
func Mark(name string) {
	mu.Lock()
	defer mu.Unlock()
	if enabled {
		mark(name)
	}
}

func mark(name string) {
	now := time.Now()
	phases = append(phases, phase{name, now.Sub(last)})
	last = now
}

// Report is the trace so far as one line: each phase and its duration in
// ms, then the total; "" when the trace is off.
func Report(command string) string {
	mu.Lock()
	defer mu.Unlock()
	if !enabled {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "phase trace %s:", command)
	for _, p := range phases {
		fmt.Fprintf(&b, " %s=%.3f", p.name, ms(p.took))
	}
	fmt.Fprintf(&b, " total=%.3f (ms)", ms(time.Since(start)))
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
