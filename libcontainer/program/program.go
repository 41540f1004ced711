// Package program owns the wire contract between hull's Go side and its C
// executor: the operation codes, the binary encoding of a program, the
// message header of the parent<->executor socket, and a readable
// disassembly. It holds no policy: libcontainer decides which operations a
// container gets.
package program

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Op is one operation with its integer and string arguments and the config
// field it came from, so that an executor error can name that field.
type Op struct {
	Code   Code
	Ints   []uint64
	Strs   []string
	Origin string
}

// Program is an ordered list of operations plus the files they reference by
// index (sent alongside with SCM_RIGHTS).
type Program struct {
	Ops   []Op
	Files []*os.File
	// FileNames describe Files for the disassembly (e.g. "ns:net /proc/1/ns/net").
	FileNames []string
	// HostFiles stay with the parent for its side of an exchange (the
	// user namespace of an id-mapped bind it clones when the executor
	// asks for mount sources): never sent, closed by CloseHostFiles.
	HostFiles []*os.File
}

// Add appends an operation and returns its index.
func (p *Program) Add(origin string, code Code, ints []uint64, strs ...string) int {
	p.Ops = append(p.Ops, Op{Code: code, Ints: ints, Strs: strs, Origin: origin})
	return len(p.Ops) - 1
}

// AddFile appends a file to be passed to the executor and returns its index.
func (p *Program) AddFile(f *os.File, name string) uint64 {
	p.Files = append(p.Files, f)
	p.FileNames = append(p.FileNames, name)
	return uint64(len(p.Files) - 1)
}

// AddHostFile keeps a file for the parent's side of an exchange and
// returns its index in HostFiles.
func (p *Program) AddHostFile(f *os.File) uint64 {
	p.HostFiles = append(p.HostFiles, f)
	return uint64(len(p.HostFiles) - 1)
}

// Close closes the files sent to the executor (Files); once they are
// sent, the executor holds its own copies.
func (p *Program) Close() {
	for _, f := range p.Files {
		if f != nil {
			f.Close()
		}
	}
}

// CloseHostFiles closes the files kept for the parent (HostFiles), when
// no exchange needs them any more. A nil program has none.
func (p *Program) CloseHostFiles() {
	if p == nil {
		return
	}
	for _, f := range p.HostFiles {
		if f != nil {
			f.Close()
		}
	}
	p.HostFiles = nil
}

// Origin returns the config origin of the op at index i, for error messages.
func (p *Program) Origin(i int) string {
	if i < 0 || i >= len(p.Ops) {
		return "executor"
	}
	return p.Ops[i].Origin
}

// Encode serialises the program in the format of docs/PROGRAM.md.
func (p *Program) Encode() []byte {
	b := make([]byte, 0, 4096)
	b = append(b, Magic...)
	b = binary.LittleEndian.AppendUint32(b, Version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Ops)))
	for _, op := range p.Ops {
		b = binary.LittleEndian.AppendUint16(b, uint16(op.Code))
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(op.Ints)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(op.Strs)))
		for _, v := range op.Ints {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
		for _, s := range op.Strs {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
			b = append(b, 0)
		}
	}
	return b
}

// Decode parses an encoded program (used by tests and tools; the executor
// has its own C decoder).
func Decode(b []byte) (*Program, error) {
	r := reader{b: b}
	if string(r.take(len(Magic))) != Magic {
		return nil, fmt.Errorf("decode program: bad magic")
	}
	if v := r.u32(); v != Version {
		return nil, fmt.Errorf("decode program: version %d, want %d", v, Version)
	}
	n := r.u32()
	p := &Program{}
	for i := uint32(0); i < n && r.err == nil; i++ {
		op := Op{Code: Code(r.u16())}
		r.u16()
		ni, ns := r.u32(), r.u32()
		for j := uint32(0); j < ni && r.err == nil; j++ {
			op.Ints = append(op.Ints, r.u64())
		}
		for j := uint32(0); j < ns && r.err == nil; j++ {
			l := r.u32()
			op.Strs = append(op.Strs, string(r.take(int(l))))
			r.take(1)
		}
		p.Ops = append(p.Ops, op)
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode program: %w", r.err)
	}
	return p, nil
}

// String is the readable disassembly: one line per op with its index,
// name, arguments and origin.
func (p *Program) String() string {
	var sb strings.Builder
	for i, name := range p.FileNames {
		fmt.Fprintf(&sb, "file %d: %s\n", i, name)
	}
	for i, op := range p.Ops {
		fmt.Fprintf(&sb, "%3d %-15s", i, op.Code)
		for _, v := range op.Ints {
			fmt.Fprintf(&sb, " %#x", v)
		}
		for _, s := range op.Strs {
			switch op.Code {
			case OpSeccomp:
				fmt.Fprintf(&sb, " <%d bytes of BPF>", len(s))
				continue
			case OpCpuAffinity, OpMempolicy:
				fmt.Fprintf(&sb, " %s", maskList(s))
				continue
			}
			fmt.Fprintf(&sb, " %s", strconv.Quote(s))
		}
		if op.Origin != "" {
			fmt.Fprintf(&sb, "    # %s", op.Origin)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n > len(r.b) || n < 0 {
		r.err = fmt.Errorf("truncated")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}
