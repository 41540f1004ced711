package nsenter

import (
	"encoding/binary"
	"testing"

	"github.com/hullrt/hull/libcontainer/program"
)

// The executor's C decoder (decode.c) gets arbitrary bytes through a cgo
// shim: it must fail with a message or decode, never crash or read past
// the buffer; and what it accepts, the Go decoder accepts with as many ops.
func FuzzCDecoder(f *testing.F) {
	small := &program.Program{}
	small.Add("mounts[0] (/proc)", program.OpMountFs, []uint64{2, 0}, "proc", "proc", "/proc")
	small.Add("process.args", program.OpExec, []uint64{1}, "sh", "PATH=/bin")
	for _, b := range [][]byte{(&program.Program{}).Encode(), small.Encode()} {
		f.Add(b)
		f.Add(b[:len(b)-1])
	}
	huge := binary.LittleEndian.AppendUint32([]byte(program.Magic), program.Version)
	f.Add(binary.LittleEndian.AppendUint32(huge, 0xffffffff))
	f.Add([]byte("not a program"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := decodeWithC(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("the C decoder failed without a message")
			}
			return
		}
		p, gerr := program.Decode(data)
		if gerr != nil || len(p.Ops) != n {
			t.Fatalf("C decoded %d ops, Go: %v", n, gerr)
		}
	})
}

func TestCDecoderAgreesOnAnEncodedProgram(t *testing.T) {
	p := &program.Program{}
	p.Add("hostname", program.OpHostname, nil, "box")
	p.Add("process.args", program.OpExec, []uint64{1}, "sh", "PATH=/bin")
	if n, err := decodeWithC(p.Encode()); err != nil || n != 2 {
		t.Fatalf("C decoder: %d ops, %v; want 2", n, err)
	}
	b := p.Encode()
	if _, err := decodeWithC(b[:len(b)-1]); err == nil {
		t.Fatalf("C decoder accepted a truncated program")
	}
}
