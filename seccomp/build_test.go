package seccomp

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

func TestToAction(t *testing.T) {
	tests := []struct {
		action   specs.LinuxSeccompAction
		errnoRet *uint
		want     libseccomp.ScmpAction
	}{
		{specs.ActKill, nil, libseccomp.ActKillThread},
		{specs.ActKillThread, nil, libseccomp.ActKillThread},
		{specs.ActKillProcess, nil, libseccomp.ActKillProcess},
		{specs.ActTrap, nil, libseccomp.ActTrap},
		{specs.ActErrno, nil, libseccomp.ActErrno.SetReturnCode(int16(unix.EPERM))},
		{specs.ActErrno, uintPtr(38), libseccomp.ActErrno.SetReturnCode(38)},
		{specs.ActTrace, nil, libseccomp.ActTrace.SetReturnCode(int16(unix.EPERM))},
		{specs.ActTrace, uintPtr(5), libseccomp.ActTrace.SetReturnCode(5)},
		{specs.ActAllow, nil, libseccomp.ActAllow},
		{specs.ActLog, nil, libseccomp.ActLog},
		{specs.ActNotify, nil, libseccomp.ActNotify},
	}
	for _, tt := range tests {
		if got := toAction(tt.action, tt.errnoRet); got != tt.want {
			t.Errorf("toAction(%s, %v) = %v, want %v", tt.action, tt.errnoRet, got, tt.want)
		}
	}
}

func TestToOperatorCoversEveryKnownOperator(t *testing.T) {
	seen := map[libseccomp.ScmpCompareOp]specs.LinuxSeccompOperator{}
	for op := range knownOperators {
		got := toOperator(op)
		if got == libseccomp.CompareInvalid {
			t.Errorf("toOperator(%s) is invalid", op)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("%s and %s both map to %v", op, prev, got)
		}
		seen[got] = op
	}
}

func TestToConditionsGrouping(t *testing.T) {
	differentArgs := []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 2, Value: 3, Op: specs.OpNotEqual}}
	sets, err := toConditions("f", differentArgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 1 || len(sets[0]) != 2 {
		t.Errorf("different arguments: got %d rules (%v), want one rule with both conditions", len(sets), sets)
	}

	sameArg := []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 0, Value: 2, Op: specs.OpEqualTo}, {Index: 1, Value: 9, Op: specs.OpEqualTo}}
	sets, err = toConditions("f", sameArg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 3 {
		t.Fatalf("same argument twice: got %d rules, want one per condition", len(sets))
	}
	for i, set := range sets {
		if len(set) != 1 || set[0].Argument != sameArg[i].Index || set[0].Operand1 != sameArg[i].Value {
			t.Errorf("rule %d: %+v, want only condition %+v", i, set, sameArg[i])
		}
	}

	sets, err = toConditions("f", nil)
	if err != nil || len(sets) != 1 || sets[0] != nil {
		t.Errorf("no arguments: got %v, %v, want one unconditional rule", sets, err)
	}
}

func TestCompileDisabled(t *testing.T) {
	for _, s := range []*specs.LinuxSeccomp{nil, {}, {Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}}} {
		f, err := Compile(s)
		if f != nil || err != nil {
			t.Errorf("Compile(%+v) = %+v, %v, want nil, nil", s, f, err)
		}
	}
}

func TestCompileProducesWholeInstructions(t *testing.T) {
	f := compileForTest(t, loadTestProfile(t, "default.json"))
	if len(f.BPF) == 0 || len(f.BPF)%8 != 0 {
		t.Fatalf("BPF is %d bytes, want a non-empty multiple of 8", len(f.BPF))
	}
	// Every filter libseccomp makes starts by loading seccomp_data.arch.
	first := f.BPF[:8]
	if code, k := binary.LittleEndian.Uint16(first), binary.LittleEndian.Uint32(first[4:]); code != unix.BPF_LD|unix.BPF_W|unix.BPF_ABS || k != 4 {
		t.Errorf("first instruction code %#x k %d, want ld [4] (the arch)", code, k)
	}
}

// Names libseccomp does not know are skipped (runc's behaviour), and so are
// rules repeating the default action, which libseccomp would refuse.
func TestCompileSkipsUnknownAndRedundantRules(t *testing.T) {
	base := []specs.LinuxSyscall{{Names: []string{"mount"}, Action: specs.ActErrno}}
	want := compileForTest(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: base})
	got := compileForTest(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: append(base,
		specs.LinuxSyscall{Names: []string{"no_such_syscall", "umount2_typo"}, Action: specs.ActErrno},
		specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActAllow},
	)})
	if !bytes.Equal(got.BPF, want.BPF) {
		t.Errorf("unknown and redundant rules changed the filter")
	}
}

func TestCompileAddsArchitectures(t *testing.T) {
	native := compileForTest(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow})
	multi := compileForTest(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86, specs.ArchAARCH64}})
	for _, arch := range []uint32{unix.AUDIT_ARCH_I386, unix.AUDIT_ARCH_AARCH64} {
		if !hasConstant(multi.BPF, arch) {
			t.Errorf("filter does not test for AUDIT_ARCH %#x", arch)
		}
		if hasConstant(native.BPF, arch) && !isNative(arch) {
			t.Errorf("native-only filter tests for AUDIT_ARCH %#x", arch)
		}
	}
}

func isNative(auditArch uint32) bool {
	arch, err := libseccomp.GetNativeArch()
	return err == nil && ((arch == libseccomp.ArchX86 && auditArch == unix.AUDIT_ARCH_I386) ||
		(arch == libseccomp.ArchARM64 && auditArch == unix.AUDIT_ARCH_AARCH64))
}

func hasConstant(bpf []byte, k uint32) bool {
	for i := 0; i+8 <= len(bpf); i += 8 {
		if binary.LittleEndian.Uint32(bpf[i+4:]) == k {
			return true
		}
	}
	return false
}

// libseccomp 2.5 predates LoongArch: the error must name the field.
func TestCompileArchitectureUnknownToLibseccomp(t *testing.T) {
	DisableCache = true
	defer func() { DisableCache = false }()
	f, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86, specs.ArchLOONGARCH64}})
	if err == nil {
		if !hasConstant(f.BPF, unix.AUDIT_ARCH_LOONGARCH64) {
			t.Fatalf("libseccomp %s accepted LOONGARCH64 but the filter does not test for it", libraryVersion())
		}
		return
	}
	if !strings.HasPrefix(err.Error(), "linux.seccomp.architectures[1]: ") {
		t.Errorf("error %q does not name the field", err)
	}
}

func TestCompileFlags(t *testing.T) {
	notify := []specs.LinuxSyscall{{Names: []string{"mount"}, Action: specs.ActNotify}}
	tests := []struct {
		name     string
		flags    []specs.LinuxSeccompFlag
		syscalls []specs.LinuxSyscall
		want     uint64
	}{
		{"unset means SPEC_ALLOW like runc", nil, nil, unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW},
		{"explicitly none", []specs.LinuxSeccompFlag{}, nil, 0},
		{"log", []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}, nil, unix.SECCOMP_FILTER_FLAG_LOG},
		{"tsync is implied", []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"}, nil, 0},
		{"wait killable needs a listener", []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}, nil, 0},
		{"notify", []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv, specs.LinuxSeccompFlagSpecAllow}, notify,
			unix.SECCOMP_FILTER_FLAG_NEW_LISTENER | unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	}
	for _, tt := range tests {
		f := compileForTest(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow, Flags: tt.flags, Syscalls: tt.syscalls,
			ListenerPath: "/run/agent.sock", ListenerMetadata: "meta",
		})
		if f.Flags != tt.want {
			t.Errorf("%s: flags %#x, want %#x", tt.name, f.Flags, tt.want)
		}
		if f.NeedsNotify != (tt.syscalls != nil) || f.ListenerPath != "/run/agent.sock" || f.ListenerMetadata != "meta" {
			t.Errorf("%s: listener fields %+v", tt.name, f)
		}
	}
}

func TestFilterString(t *testing.T) {
	f := &Filter{BPF: make([]byte, 24), Flags: unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW | unix.SECCOMP_FILTER_FLAG_NEW_LISTENER | 1<<40, NeedsNotify: true, ListenerPath: "/run/agent.sock"}
	if got, want := f.String(), "3 instructions, flags SPEC_ALLOW|NEW_LISTENER|0x10000000000, listener /run/agent.sock"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&Filter{BPF: make([]byte, 8)}).String(), "1 instructions, flags none"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCompileReportsSkippedNames(t *testing.T) {
	var msgs []string
	Debug = func(msg string) { msgs = append(msgs, msg) }
	defer func() { Debug = func(string) {} }()
	compileForTest(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"mount", "no_such_syscall"}, Action: specs.ActErrno},
	}})
	want := `linux.seccomp.syscalls[0].names[1]: unknown syscall "no_such_syscall" ignored`
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) {
		t.Errorf("debug messages %q, want one starting with %q", msgs, want)
	}
}
