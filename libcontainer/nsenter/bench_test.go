package nsenter

import (
	"errors"
	"io"
	"testing"

	"github.com/hullrt/hull/internal/testbundle"
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

// BenchmarkContainer measures a fresh executor running a small container
// (namespaces, rootfs with /proc, pivot_root) up to the exit of /bin/true.
func BenchmarkContainer(b *testing.B) {
	rootfs := b.TempDir()
	if err := testbundle.MakeRootfs(rootfs); err != nil {
		b.Fatal(err)
	}
	p := containerProgram(rootfs)
	mountProc(p)
	p.Add("root", program.OpPivotRoot, nil)
	p.Add("process.args", program.OpResolveExec, nil, "true", "/bin")
	p.Add("process.args", program.OpExec, []uint64{1}, "true")
	for b.Loop() {
		e, err := Start(nil, nil, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.SendProgram(p); err != nil {
			b.Fatal(err)
		}
		for {
			m, err := e.ReadMessage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if m.Type == program.MsgError {
				b.Fatalf("op %d: %s", m.OpIndex, m.Payload)
			}
		}
		e.Sock.Close()
		e.Wait()
	}
}
