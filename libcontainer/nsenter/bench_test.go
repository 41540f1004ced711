package nsenter

import (
	"errors"
	"io"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
)

// BenchmarkStartExecutor measures a fresh executor from Start to the end
// of a one-op program: the cost of the protected re-exec.
func BenchmarkStartExecutor(b *testing.B) {
	p := &program.Program{}
	p.Add("ready", program.OpReady, nil)
	for b.Loop() {
		e, err := Start(nil, nil, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.SendProgram(p); err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := e.ReadMessage(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		e.Sock.Close()
		e.Wait()
	}
}
