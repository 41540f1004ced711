package seccomp

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// runStub interprets the stub followed by a "ret ALLOW" standing in for
// libseccomp's program, for one (arch, nr), so that paths this kernel
// cannot take (x32, other architectures) are tested too.
func runStub(t *testing.T, stub []byte, arch, nr uint32) uint32 {
	t.Helper()
	prog := binary.NativeEndian.AppendUint16(append([]byte(nil), stub...), unix.BPF_RET|unix.BPF_K)
	prog = append(prog, 0, 0)
	prog = binary.NativeEndian.AppendUint32(prog, unix.SECCOMP_RET_ALLOW)
	var acc uint32
	for pc := 0; pc*8 < len(prog); pc++ {
		insn := prog[pc*8 : pc*8+8]
		code, jt, jf, k := binary.NativeEndian.Uint16(insn), int(insn[2]), int(insn[3]), binary.NativeEndian.Uint32(insn[4:])
		jump := func(cond bool) {
			if cond {
				pc += jt
			} else {
				pc += jf
			}
		}
		switch code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			switch k {
			case 0:
				acc = nr
			case 4:
				acc = arch
			default:
				t.Fatalf("pc %d: load of seccomp_data offset %d", pc, k)
			}
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			jump(acc == k)
		case unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K:
			jump(acc > k)
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			jump(acc&k != 0)
		case unix.BPF_RET | unix.BPF_K:
			return k
		default:
			t.Fatalf("pc %d: unexpected opcode %#x", pc, code)
		}
	}
	t.Fatal("ran off the end of the program")
	return 0
}

const enosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)

func TestEnosysStub(t *testing.T) {
	limits := []archLimit{
		{audit: unix.AUDIT_ARCH_X86_64, last: 300, hasLast: true, lastX32: x32SyscallBit | 200, hasX32: true},
		{audit: unix.AUDIT_ARCH_I386, last: 400, hasLast: true},
		{audit: unix.AUDIT_ARCH_AARCH64}, // named nothing: default action
	}
	stub, err := enosysStub(limits)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		arch, nr, want uint32
	}{
		{unix.AUDIT_ARCH_X86_64, 300, unix.SECCOMP_RET_ALLOW},
		{unix.AUDIT_ARCH_X86_64, 301, enosys},
		{unix.AUDIT_ARCH_X86_64, x32SyscallBit | 200, unix.SECCOMP_RET_ALLOW},
		{unix.AUDIT_ARCH_X86_64, x32SyscallBit | 201, enosys},
		{unix.AUDIT_ARCH_I386, 400, unix.SECCOMP_RET_ALLOW},
		{unix.AUDIT_ARCH_I386, 401, enosys},
		{unix.AUDIT_ARCH_AARCH64, 5000, unix.SECCOMP_RET_ALLOW},
		{unix.AUDIT_ARCH_PPC64LE, 5000, unix.SECCOMP_RET_ALLOW},
	}
	for _, tt := range tests {
		if got := runStub(t, stub, tt.arch, tt.nr); got != tt.want {
			t.Errorf("arch %#x nr %#x: %#x, want %#x", tt.arch, tt.nr, got, tt.want)
		}
	}
}

// x32 calls are left to libseccomp when the profile has no x32 limit, and
// plain x86_64 calls when it has only one for x32.
func TestEnosysStubX86Flavours(t *testing.T) {
	onlyNative, err := enosysStub([]archLimit{{audit: unix.AUDIT_ARCH_X86_64, last: 10, hasLast: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := runStub(t, onlyNative, unix.AUDIT_ARCH_X86_64, x32SyscallBit|500); got != unix.SECCOMP_RET_ALLOW {
		t.Errorf("x32 call with only an x86_64 limit: %#x", got)
	}
	onlyX32, err := enosysStub([]archLimit{{audit: unix.AUDIT_ARCH_X86_64, lastX32: x32SyscallBit | 10, hasX32: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := runStub(t, onlyX32, unix.AUDIT_ARCH_X86_64, 500); got != unix.SECCOMP_RET_ALLOW {
		t.Errorf("x86_64 call with only an x32 limit: %#x", got)
	}
	if got := runStub(t, onlyX32, unix.AUDIT_ARCH_X86_64, x32SyscallBit|11); got != enosys {
		t.Errorf("x32 call above the x32 limit: %#x", got)
	}
}

func TestLastSyscalls(t *testing.T) {
	s := &specs.LinuxSeccomp{Syscalls: []specs.LinuxSyscall{
		{Names: []string{"read", "futex_waitv", "no_such_syscall"}},
		{Names: []string{"socket"}}, // a pseudo syscall on x86 before libseccomp 2.6
	}}
	limits := lastSyscalls(s, []libseccomp.ScmpArch{libseccomp.ArchAMD64, libseccomp.ArchX32, libseccomp.ArchX86, libseccomp.ArchAMD64})
	if len(limits) != 2 {
		t.Fatalf("got %d limits, want x86_64 (with x32) and i386: %+v", len(limits), limits)
	}
	want := archLimit{audit: unix.AUDIT_ARCH_X86_64, last: 449, hasLast: true, lastX32: x32SyscallBit | 449, hasX32: true}
	if limits[0] != want {
		t.Errorf("x86_64: %+v, want %+v", limits[0], want)
	}
	if limits[1].audit != unix.AUDIT_ARCH_I386 || limits[1].last != 449 {
		t.Errorf("i386: %+v, want last 449", limits[1])
	}
}

func TestNeedsEnosysStub(t *testing.T) {
	tests := []struct {
		action   specs.LinuxSeccompAction
		errnoRet *uint
		want     bool
	}{
		{specs.ActErrno, nil, true},
		{specs.ActErrno, uintPtr(uint(unix.EPERM)), true},
		{specs.ActErrno, uintPtr(uint(unix.ENOSYS)), false},
		{specs.ActKillProcess, nil, true},
		{specs.ActAllow, nil, false},
		{specs.ActLog, nil, false},
		{specs.ActTrace, nil, false},
	}
	for _, tt := range tests {
		if got := needsEnosysStub(&specs.LinuxSeccomp{DefaultAction: tt.action, DefaultErrnoRet: tt.errnoRet}); got != tt.want {
			t.Errorf("%s %v: %v, want %v", tt.action, tt.errnoRet, got, tt.want)
		}
	}
}

// Loaded for real: a syscall newer than the profile gets ENOSYS, an older
// one it does not name still gets the default EPERM.
func TestLoadEnosysForNewerSyscalls(t *testing.T) {
	s := loadTestProfile(t, "default.json")
	f := compileForTest(t, s)
	native, err := libseccomp.GetNativeArch()
	if err != nil {
		t.Fatal(err)
	}
	limit := lastSyscalls(s, []libseccomp.ScmpArch{native})[0]
	errnos, status := runInChild(t, f, []probe{
		{Kind: "raw", Nr: uintptr(limit.last) + 1},
		{Kind: "raw", Nr: 1000},
		{Kind: "raw", Nr: unix.SYS_UNSHARE, Args: [3]uintptr{unix.CLONE_NEWUSER}},
	})
	if status != 0 {
		t.Fatalf("child failed: %v", status)
	}
	want := []syscall.Errno{unix.ENOSYS, unix.ENOSYS, unix.EPERM}
	if fmt.Sprint(errnos) != fmt.Sprint(want) {
		t.Errorf("errnos %v, want %v (syscall %d is the profile's last)", errnos, want, limit.last)
	}
}
