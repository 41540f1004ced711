package program

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// seedPrograms are small programs shaped like the compiler's output.
func seedPrograms() []*Program {
	empty := &Program{}
	small := &Program{}
	small.Add("mounts[0] (/proc)", OpMountFs, []uint64{2, 0}, "proc", "proc", "/proc")
	small.Add("process.args", OpExec, []uint64{1}, "sh", "PATH=/bin")
	binaryStr := &Program{}
	binaryStr.Add("linux.seccomp", OpSeccomp, []uint64{0}, "\x00\x01\xff\x00")
	binaryStr.Add("hostname", OpHostname, nil, "")
	return []*Program{empty, small, binaryStr}
}

// opsFromBytes builds a program from arbitrary bytes: each op takes a
// code, up to 7 ints and up to 3 strings from the stream.
func opsFromBytes(data []byte) *Program {
	p := &Program{}
	r := bytes.NewReader(data)
	for r.Len() > 0 && len(p.Ops) < 64 {
		var hdr [4]byte
		if _, err := r.Read(hdr[:]); err != nil {
			break
		}
		op := Op{Code: Code(binary.LittleEndian.Uint16(hdr[:]))}
		for i := 0; i < int(hdr[2]%8); i++ {
			var v [8]byte
			r.Read(v[:])
			op.Ints = append(op.Ints, binary.LittleEndian.Uint64(v[:]))
		}
		for i := 0; i < int(hdr[3]%4); i++ {
			n, _ := r.ReadByte()
			s := make([]byte, int(n)%32)
			r.Read(s)
			op.Strs = append(op.Strs, string(s))
		}
		p.Ops = append(p.Ops, op)
	}
	return p
}

// The encoder's output always decodes back to the same operations.
func FuzzProgramEncodeDecode(f *testing.F) {
	for _, p := range seedPrograms() {
		f.Add(p.Encode()[len(Magic)+8:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := opsFromBytes(data)
		got, err := Decode(p.Encode())
		if err != nil {
			t.Fatalf("decode of an encoded program: %v", err)
		}
		if len(got.Ops) != len(p.Ops) {
			t.Fatalf("%d ops decoded, %d encoded", len(got.Ops), len(p.Ops))
		}
		for i := range p.Ops {
			want, have := p.Ops[i], got.Ops[i]
			want.Origin = ""
			if len(want.Ints) == 0 {
				want.Ints = nil
			}
			if len(want.Strs) == 0 {
				want.Strs = nil
			}
			if !reflect.DeepEqual(want, have) {
				t.Fatalf("op %d: encoded %+v, decoded %+v", i, want, have)
			}
		}
	})
}

// Decoding any byte string fails cleanly or yields a program whose
// encoding decodes to the same thing.
func FuzzProgramDecode(f *testing.F) {
	for _, p := range seedPrograms() {
		b := p.Encode()
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Decode(p.Encode())
		if err != nil || !reflect.DeepEqual(again.Ops, p.Ops) {
			t.Fatalf("re-encoding a decoded program changed it: %v", err)
		}
	})
}
