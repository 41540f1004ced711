package program

import "encoding/binary"

// HeaderSize is the size of every message header on the executor socket.
const HeaderSize = 16

// Header is the fixed part of a message: its type, the op it concerns and
// an errno (for MsgError).
type Header struct {
	Type    MsgType
	OpIndex uint32
	Errno   int32
}

// EncodeMessage builds one message packet.
func EncodeMessage(h Header, payload []byte) []byte {
	b := make([]byte, 0, HeaderSize+len(payload))
	b = binary.LittleEndian.AppendUint32(b, uint32(h.Type))
	b = binary.LittleEndian.AppendUint32(b, h.OpIndex)
	b = binary.LittleEndian.AppendUint32(b, uint32(h.Errno))
	b = binary.LittleEndian.AppendUint32(b, 0)
	return append(b, payload...)
}

// DecodeMessage splits a packet into header and payload; ok is false when
// the packet is shorter than a header.
func DecodeMessage(b []byte) (h Header, payload []byte, ok bool) {
	if len(b) < HeaderSize {
		return h, nil, false
	}
	h.Type = MsgType(binary.LittleEndian.Uint32(b[0:]))
	h.OpIndex = binary.LittleEndian.Uint32(b[4:])
	h.Errno = int32(binary.LittleEndian.Uint32(b[8:]))
	return h, b[HeaderSize:], true
}
