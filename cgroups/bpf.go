package cgroups

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A few bpf(2) calls, made directly: a device filter needs only load,
// attach, query and detach, and a general BPF library would add several
// milliseconds of package init to every hull command.

// bpfInsn is one eBPF instruction.
type bpfInsn struct {
	code     uint8
	dst, src uint8 // registers 0-10
	off      int16
	imm      int32
}

// Opcodes used by the device filter (class | operation | source).
const (
	opLoadWord  = unix.BPF_LDX | unix.BPF_MEM | unix.BPF_W
	opAnd32Imm  = unix.BPF_ALU | unix.BPF_AND | unix.BPF_K
	opRsh32Imm  = unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K
	opMov32Imm  = unix.BPF_ALU | unix.BPF_MOV | unix.BPF_K
	opMov32Reg  = unix.BPF_ALU | unix.BPF_MOV | unix.BPF_X
	opJne32Imm  = 0x06 | unix.BPF_JNE | unix.BPF_K // BPF_JMP32
	opJeq32Imm  = 0x06 | unix.BPF_JEQ | unix.BPF_K
	opExit      = unix.BPF_JMP | unix.BPF_EXIT
	bpfInsnSize = 8
)

func encodeInsns(prog []bpfInsn) []byte {
	b := make([]byte, 0, len(prog)*bpfInsnSize)
	for _, i := range prog {
		regs := i.dst&0x0f | i.src<<4
		if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 { // big endian puts dst in the high nibble
			regs = i.dst<<4 | i.src&0x0f
		}
		b = append(b, i.code, regs)
		b = binary.NativeEndian.AppendUint16(b, uint16(i.off))
		b = binary.NativeEndian.AppendUint32(b, uint32(i.imm))
	}
	return b
}

func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// loadDeviceProgram loads a BPF_PROG_TYPE_CGROUP_DEVICE program and returns
// its fd. When the verifier refuses it, the error carries the verifier log.
func loadDeviceProgram(prog []bpfInsn) (int, error) {
	code := encodeInsns(prog)
	license := []byte("Apache\x00")
	attr := struct {
		progType, insnCnt   uint32
		insns, license      uint64
		logLevel, logSize   uint32
		logBuf              uint64
		kernVersion, flags  uint32
		name                [16]byte
		ifindex, attachType uint32
	}{
		progType:   unix.BPF_PROG_TYPE_CGROUP_DEVICE,
		insnCnt:    uint32(len(prog)),
		insns:      uint64(uintptr(unsafe.Pointer(&code[0]))),
		license:    uint64(uintptr(unsafe.Pointer(&license[0]))),
		attachType: unix.BPF_CGROUP_DEVICE,
	}
	copy(attr.name[:], "hull_devices")
	fd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err == nil {
		runtime.KeepAlive(code)
		runtime.KeepAlive(license)
		return fd, nil
	}
	log := make([]byte, 64*1024)
	attr.logLevel, attr.logSize = 1, uint32(len(log))
	attr.logBuf = uint64(uintptr(unsafe.Pointer(&log[0])))
	fd, err2 := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(code)
	runtime.KeepAlive(license)
	runtime.KeepAlive(log)
	if err2 == nil {
		return fd, nil
	}
	msg := strings.TrimSpace(strings.TrimRight(string(log), "\x00"))
	if msg == "" {
		return -1, fmt.Errorf("load BPF program: %w", err)
	}
	return -1, fmt.Errorf("load BPF program: %w (verifier: %s)", err, msg)
}

type bpfAttachAttr struct {
	targetFd, attachBpfFd, attachType, attachFlags uint32
}

func attachCgroupProgram(cgroupFd, progFd int, flags uint32) error {
	attr := bpfAttachAttr{uint32(cgroupFd), uint32(progFd), unix.BPF_CGROUP_DEVICE, flags}
	_, err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	return err
}

func detachCgroupProgram(cgroupFd, progFd int) error {
	attr := bpfAttachAttr{uint32(cgroupFd), uint32(progFd), unix.BPF_CGROUP_DEVICE, 0}
	_, err := bpf(unix.BPF_PROG_DETACH, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	return err
}

// queryCgroupPrograms lists the ids of the device programs attached
// directly to the cgroup (not those inherited from ancestors).
func queryCgroupPrograms(cgroupFd int) ([]uint32, error) {
	ids := make([]uint32, 64)
	attr := struct {
		targetFd, attachType, queryFlags, attachFlags uint32
		progIDs                                       uint64
		progCnt                                       uint32
		_                                             uint32
	}{
		targetFd:   uint32(cgroupFd),
		attachType: unix.BPF_CGROUP_DEVICE,
		progIDs:    uint64(uintptr(unsafe.Pointer(&ids[0]))),
		progCnt:    uint32(len(ids)),
	}
	_, err := bpf(unix.BPF_PROG_QUERY, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	runtime.KeepAlive(ids)
	if err != nil {
		return nil, err
	}
	return ids[:attr.progCnt], nil
}

func programFdByID(id uint32) (int, error) {
	attr := struct{ id, nextID, openFlags uint32 }{id: id}
	return bpf(unix.BPF_PROG_GET_FD_BY_ID, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
}
