package seccomp

import (
	"encoding/binary"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// A deny-by-default profile written before a syscall existed would answer
// it with the default action, typically EPERM. Programs probe new syscalls
// and fall back only on ENOSYS (glibc with clone3, fchmodat2, ...), so like
// runc we put a stub in front of libseccomp's program: per architecture,
// a syscall numbered above every syscall the profile names gets ENOSYS, as
// it would from a kernel that does not have it.

// x32SyscallBit marks x32 syscalls, which share AUDIT_ARCH_X86_64.
const x32SyscallBit = 0x40000000

// auditArches maps libseccomp architectures to the AUDIT_ARCH_* value the
// kernel puts in seccomp_data.arch. Architectures missing here get no stub
// and keep the default action.
var auditArches = map[libseccomp.ScmpArch]uint32{
	libseccomp.ArchX86:         unix.AUDIT_ARCH_I386,
	libseccomp.ArchAMD64:       unix.AUDIT_ARCH_X86_64,
	libseccomp.ArchX32:         unix.AUDIT_ARCH_X86_64,
	libseccomp.ArchARM:         unix.AUDIT_ARCH_ARM,
	libseccomp.ArchARM64:       unix.AUDIT_ARCH_AARCH64,
	libseccomp.ArchMIPS:        unix.AUDIT_ARCH_MIPS,
	libseccomp.ArchMIPS64:      unix.AUDIT_ARCH_MIPS64,
	libseccomp.ArchMIPS64N32:   unix.AUDIT_ARCH_MIPS64N32,
	libseccomp.ArchMIPSEL:      unix.AUDIT_ARCH_MIPSEL,
	libseccomp.ArchMIPSEL64:    unix.AUDIT_ARCH_MIPSEL64,
	libseccomp.ArchMIPSEL64N32: unix.AUDIT_ARCH_MIPSEL64N32,
	libseccomp.ArchPPC:         unix.AUDIT_ARCH_PPC,
	libseccomp.ArchPPC64:       unix.AUDIT_ARCH_PPC64,
	libseccomp.ArchPPC64LE:     unix.AUDIT_ARCH_PPC64LE,
	libseccomp.ArchS390:        unix.AUDIT_ARCH_S390,
	libseccomp.ArchS390X:       unix.AUDIT_ARCH_S390X,
	libseccomp.ArchPARISC:      unix.AUDIT_ARCH_PARISC,
	libseccomp.ArchPARISC64:    unix.AUDIT_ARCH_PARISC64,
	libseccomp.ArchRISCV64:     unix.AUDIT_ARCH_RISCV64,
	libseccomp.ArchLOONGARCH64: unix.AUDIT_ARCH_LOONGARCH64,
	libseccomp.ArchM68K:        unix.AUDIT_ARCH_M68K,
}

// needsEnosysStub follows runc: permissive defaults need no stub (a tracer
// handles new syscalls itself), nor does a default that is ENOSYS already.
func needsEnosysStub(s *specs.LinuxSeccomp) bool {
	switch s.DefaultAction {
	case specs.ActAllow, specs.ActLog, specs.ActTrace:
		return false
	}
	return s.DefaultErrnoRet == nil || *s.DefaultErrnoRet != uint(unix.ENOSYS)
}

// archLimit is the highest syscall number the profile names on one
// AUDIT_ARCH; x86_64 and x32 share one and are told apart by x32SyscallBit.
type archLimit struct {
	audit           uint32
	last, lastX32   uint32
	hasLast, hasX32 bool
}

// lastSyscalls returns, per AUDIT_ARCH in the filter, the highest syscall
// number among all names of the profile, in a stable order.
func lastSyscalls(s *specs.LinuxSeccomp, arches []libseccomp.ScmpArch) []archLimit {
	var limits []archLimit
	index := map[uint32]int{}
	for _, arch := range arches {
		audit, ok := auditArches[arch]
		if !ok {
			continue
		}
		i, seen := index[audit]
		if !seen {
			i = len(limits)
			index[audit] = i
			limits = append(limits, archLimit{audit: audit})
		}
		limit := &limits[i]
		for _, call := range s.Syscalls {
			for _, name := range call.Names {
				nr, err := libseccomp.GetSyscallFromNameByArch(name, arch)
				// Negative numbers are libseccomp's pseudo syscalls
				// for calls the architecture multiplexes.
				if err != nil || int32(nr) < 0 {
					continue
				}
				if arch == libseccomp.ArchX32 {
					limit.lastX32, limit.hasX32 = max(limit.lastX32, uint32(nr)), true
				} else {
					limit.last, limit.hasLast = max(limit.last, uint32(nr)), true
				}
			}
		}
	}
	return limits
}

// enosysStub assembles the stub for limits, or returns nil when the
// profile names no syscall at all. Control leaves the stub either by
// returning ENOSYS or by jumping to the instruction after it, the start of
// libseccomp's program, which reloads what it needs.
func enosysStub(limits []archLimit) ([]byte, error) {
	limits = slices.DeleteFunc(slices.Clone(limits), func(l archLimit) bool { return !l.hasLast && !l.hasX32 })
	if len(limits) == 0 {
		return nil, nil
	}
	var a assembler
	a.op(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 4, "", "") // A = seccomp_data.arch
	for i, limit := range limits {
		here, next := fmt.Sprintf("arch%d", i), fmt.Sprintf("arch%d", i+1)
		if i == len(limits)-1 {
			next = "end"
		}
		a.label(here)
		a.op(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, limit.audit, "", next)
		a.op(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, 0, "", "") // A = seccomp_data.nr
		if limit.audit != unix.AUDIT_ARCH_X86_64 {
			a.op(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, limit.last, "enosys", "end")
			continue
		}
		// x86_64 and x32: the syscall number says which limit applies;
		// a flavour the profile does not cover is left to libseccomp.
		x32, native := here+"x32", ""
		if !limit.hasX32 {
			x32 = "end"
		}
		if !limit.hasLast {
			native = "end"
		}
		a.op(unix.BPF_JMP|unix.BPF_JSET|unix.BPF_K, x32SyscallBit, x32, native)
		if limit.hasLast {
			a.op(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, limit.last, "enosys", "end")
		}
		if limit.hasX32 {
			a.label(x32)
			a.op(unix.BPF_JMP|unix.BPF_JGT|unix.BPF_K, limit.lastX32, "enosys", "end")
		}
	}
	a.label("enosys")
	a.op(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS), "", "")
	a.label("end")
	return a.assemble()
}

// assembler lays out classic BPF with forward jumps to named labels.
type assembler struct {
	insns  []pendingInsn
	labels map[string]int
}

type pendingInsn struct {
	code   uint16
	k      uint32
	jt, jf string // label, or "" for the next instruction
}

func (a *assembler) op(code uint16, k uint32, jt, jf string) {
	a.insns = append(a.insns, pendingInsn{code, k, jt, jf})
}

func (a *assembler) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.insns)
}

// assemble encodes struct sock_filter in the host's byte order, which is
// what seccomp(2) reads and what libseccomp exports.
func (a *assembler) assemble() ([]byte, error) {
	out := make([]byte, 0, len(a.insns)*sockFilterSize)
	for i, insn := range a.insns {
		jt, err := a.offset(i, insn.jt)
		if err != nil {
			return nil, err
		}
		jf, err := a.offset(i, insn.jf)
		if err != nil {
			return nil, err
		}
		out = binary.NativeEndian.AppendUint16(out, insn.code)
		out = append(out, jt, jf)
		out = binary.NativeEndian.AppendUint32(out, insn.k)
	}
	return out, nil
}

func (a *assembler) offset(from int, label string) (uint8, error) {
	if label == "" {
		return 0, nil
	}
	to, ok := a.labels[label]
	if !ok {
		return 0, fmt.Errorf("assemble seccomp stub: no label %q", label)
	}
	off := to - from - 1
	if off < 0 || off > 255 {
		return 0, fmt.Errorf("assemble seccomp stub: jump to %q out of range (%d)", label, off)
	}
	return uint8(off), nil
}
