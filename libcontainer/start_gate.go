package libcontainer

import (
	"fmt"
	"os"
)

// startGate holds an exec'd process back after it reported ready until
// the caller's work beside the wait (ExecOptions.Beside) is done: a pipe
// whose read end the process waits on (OpWaitStart, as an init on its
// exec fifo) and whose write end gets one byte when that work is done.
// The byte usually comes while the executor is still setting the process
// up, so the wait then costs nothing; when the runtime dies first, the
// process sees its socket close and exits without exec'ing.
type startGate struct {
	r, w *os.File
}

func openStartGate() (*startGate, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create the start gate of the process: %w", err)
	}
	return &startGate{r: r, w: w}, nil
}

// waitEnd is the read end, for the program (nil for no gate).
func (g *startGate) waitEnd() *os.File {
	if g == nil {
		return nil
	}
	return g.r
}

// openWhenClosed lets the process exec once done is closed. The write
// happens in a goroutine of its own, so that it comes as soon as the
// work is done, not when the caller next looks.
func (g *startGate) openWhenClosed(done <-chan struct{}) {
	go func() {
		<-done
		// An error means the gate was closed: the exec failed and the
		// process is being killed anyway.
		g.w.Write([]byte{0})
	}()
}

// close closes both ends. Closed before the byte was written (a failed
// exec), the process reads EOF and fails instead of exec'ing.
func (g *startGate) close() {
	g.r.Close()
	g.w.Close()
}
