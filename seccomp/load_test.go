package seccomp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Errnos the kernel never returns for the probes below, so seeing one
// proves the filter answered.
const (
	errnoA = unix.EXDEV
	errnoB = unix.ECHRNG
)

// whoProbe calls getpriority(PRIO_PROCESS, who): harmless for any who,
// and ESRCH (or success) unless the filter steps in.
func whoProbe(who uintptr) probe {
	return probe{Kind: "raw", Nr: unix.SYS_GETPRIORITY, Args: [3]uintptr{unix.PRIO_PROCESS, who}}
}

func uintPtr(v uint) *uint { return &v }

// compileForTest compiles s without touching any cache.
func compileForTest(t *testing.T, s *specs.LinuxSeccomp) *Filter {
	t.Helper()
	DisableCache = true
	defer func() { DisableCache = false }()
	f, err := Compile(s)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return f
}

func TestLoadDeniesAndAllows(t *testing.T) {
	dir := t.TempDir()
	f := compileForTest(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: uintPtr(uint(errnoA))},
			{Names: []string{"getcwd"}, Action: specs.ActErrno}, // EPERM by default
			{Names: []string{"no_such_syscall_in_any_kernel"}, Action: specs.ActErrno},
		},
	})
	errnos, status := runInChild(t, f, []probe{
		{Kind: "mkdir", Path: filepath.Join(dir, "denied")},
		{Kind: "getcwd"},
		whoProbe(0),
	})
	if status != 0 {
		t.Fatalf("child failed: %v", status)
	}
	want := []syscall.Errno{errnoA, unix.EPERM, 0}
	for i := range want {
		if errnos[i] != want[i] {
			t.Errorf("probe %d: errno %v, want %v", i, errnos[i], want[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "denied")); !os.IsNotExist(err) {
		t.Errorf("denied mkdir created the directory anyway (stat: %v)", err)
	}
}

func TestLoadArgumentComparisons(t *testing.T) {
	const v = 1000000
	values := []uintptr{v - 1, v, v + 1, v | 0xf00, 0}
	tests := []struct {
		op      specs.LinuxSeccompOperator
		value   uint64
		value2  uint64
		matches func(who uint64) bool
	}{
		{specs.OpEqualTo, v, 0, func(w uint64) bool { return w == v }},
		{specs.OpNotEqual, v, 0, func(w uint64) bool { return w != v }},
		{specs.OpLessThan, v, 0, func(w uint64) bool { return w < v }},
		{specs.OpLessEqual, v, 0, func(w uint64) bool { return w <= v }},
		{specs.OpGreaterThan, v, 0, func(w uint64) bool { return w > v }},
		{specs.OpGreaterEqual, v, 0, func(w uint64) bool { return w >= v }},
		// value is the mask and valueTwo the datum, as in libseccomp and runc.
		{specs.OpMaskedEqual, 0xf00, 0xf00, func(w uint64) bool { return w&0xf00 == 0xf00 }},
	}
	for _, tt := range tests {
		t.Run(string(tt.op), func(t *testing.T) {
			f := compileForTest(t, &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Syscalls: []specs.LinuxSyscall{{
					Names:    []string{"getpriority"},
					Action:   specs.ActErrno,
					ErrnoRet: uintPtr(uint(errnoA)),
					Args:     []specs.LinuxSeccompArg{{Index: 1, Value: tt.value, ValueTwo: tt.value2, Op: tt.op}},
				}},
			})
			probes := make([]probe, len(values))
			for i, who := range values {
				probes[i] = whoProbe(who)
			}
			errnos, status := runInChild(t, f, probes)
			if status != 0 {
				t.Fatalf("child failed: %v", status)
			}
			for i, who := range values {
				if denied := errnos[i] == errnoA; denied != tt.matches(uint64(who)) {
					t.Errorf("getpriority(PRIO_PROCESS, %#x): errno %v, want the rule to match: %v", who, errnos[i], tt.matches(uint64(who)))
				}
			}
		})
	}
}

// Conditions on different arguments must all hold; several on the same
// argument each make a rule of their own (runc's behaviour), so any holds.
func TestLoadConditionGrouping(t *testing.T) {
	f := compileForTest(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{
				Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: uintPtr(uint(errnoA)),
				Args: []specs.LinuxSeccompArg{
					{Index: 0, Value: unix.PRIO_PROCESS, Op: specs.OpEqualTo},
					{Index: 1, Value: 1000001, Op: specs.OpEqualTo},
				},
			},
			{
				Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: uintPtr(uint(errnoB)),
				Args: []specs.LinuxSeccompArg{
					{Index: 1, Value: 2000001, Op: specs.OpEqualTo},
					{Index: 1, Value: 2000002, Op: specs.OpEqualTo},
				},
			},
		},
	})
	pgrp := probe{Kind: "raw", Nr: unix.SYS_GETPRIORITY, Args: [3]uintptr{unix.PRIO_PGRP, 1000001}}
	errnos, status := runInChild(t, f, []probe{whoProbe(1000001), pgrp, whoProbe(2000001), whoProbe(2000002), whoProbe(2000003)})
	if status != 0 {
		t.Fatalf("child failed: %v", status)
	}
	want := []syscall.Errno{errnoA, unix.ESRCH, errnoB, errnoB, unix.ESRCH}
	for i := range want {
		if errnos[i] != want[i] {
			t.Errorf("probe %d: errno %v, want %v", i, errnos[i], want[i])
		}
	}
}

func TestLoadKillProcess(t *testing.T) {
	f := compileForTest(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getpriority"}, Action: specs.ActKillProcess}},
	})
	_, status := runInChild(t, f, []probe{whoProbe(0)})
	if !status.Signaled() || status.Signal() != unix.SIGSYS {
		t.Fatalf("child status %v, want killed by SIGSYS", status)
	}
}

func TestLoadNotify(t *testing.T) {
	f := compileForTest(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		ListenerPath:  "/run/agent.sock",
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getpriority"}, Action: specs.ActNotify}},
	})
	if !f.NeedsNotify || f.Flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER == 0 {
		t.Fatalf("NeedsNotify %v, flags %#x: want a listener requested", f.NeedsNotify, f.Flags)
	}
	p := whoProbe(0)
	p.NotifyErrno = int32(errnoB)
	errnos, status := runInChild(t, f, []probe{p, {Kind: "getcwd"}})
	if status != 0 {
		t.Fatalf("child failed: %v", status)
	}
	if errnos[0] != errnoB || errnos[1] != 0 {
		t.Fatalf("errnos %v, want [%v 0]: the agent answers getpriority, getcwd is not notified", errnos, errnoB)
	}
}

// The Docker-like profile denies by default with EPERM: the Go runtime and
// ordinary file operations must keep working, the rest must fail.
func TestLoadDefaultProfile(t *testing.T) {
	s := loadTestProfile(t, "default.json")
	f := compileForTest(t, s)
	dir := t.TempDir()
	errnos, status := runInChild(t, f, []probe{
		{Kind: "mkdir", Path: filepath.Join(dir, "allowed")},
		{Kind: "getcwd"},
		{Kind: "raw", Nr: unix.SYS_UNSHARE, Args: [3]uintptr{unix.CLONE_NEWUSER}},
		{Kind: "raw", Nr: unix.SYS_CLONE3},
		{Kind: "raw", Nr: unix.SYS_PERSONALITY, Args: [3]uintptr{0xffffffff}},
		{Kind: "raw", Nr: unix.SYS_PERSONALITY, Args: [3]uintptr{0x0400000}}, // ADDR_COMPAT_LAYOUT
	})
	if status != 0 {
		t.Fatalf("child failed: %v", status)
	}
	want := []syscall.Errno{0, 0, unix.EPERM, unix.ENOSYS, 0, unix.EPERM}
	for i := range want {
		if errnos[i] != want[i] {
			t.Errorf("probe %d: errno %v, want %v", i, errnos[i], want[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "allowed")); err != nil {
		t.Errorf("allowed mkdir did not create the directory: %v", err)
	}
}

func loadTestProfile(t testing.TB, name string) *specs.LinuxSeccomp {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.LinuxSeccomp
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return &s
}

// TRACE without a tracer fails the syscall with ENOSYS; LOG lets it run.
func TestLoadTraceAndLog(t *testing.T) {
	rule := func(action specs.LinuxSeccompAction, who uint64) specs.LinuxSyscall {
		return specs.LinuxSyscall{Names: []string{"getpriority"}, Action: action,
			Args: []specs.LinuxSeccompArg{{Index: 1, Value: who, Op: specs.OpEqualTo}}}
	}
	f := compileForTest(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{rule(specs.ActTrace, 1000001), rule(specs.ActLog, 1000002)},
	})
	errnos, status := runInChild(t, f, []probe{whoProbe(1000001), whoProbe(1000002)})
	if status != 0 {
		t.Fatalf("child failed: %v", status)
	}
	if errnos[0] != unix.ENOSYS || errnos[1] != unix.ESRCH {
		t.Errorf("errnos %v, want [ENOSYS ESRCH]", errnos)
	}
}

// Every flag a profile can name loads together with a listener.
func TestLoadAllFlags(t *testing.T) {
	f := compileForTest(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		ListenerPath:  "/run/agent.sock",
		Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog,
			specs.LinuxSeccompFlagSpecAllow, specs.LinuxSeccompFlagWaitKillableRecv},
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getpriority"}, Action: specs.ActNotify}},
	})
	p := whoProbe(0)
	p.NotifyErrno = int32(errnoA)
	errnos, status := runInChild(t, f, []probe{p})
	if status != 0 {
		t.Fatalf("child failed to load flags %s: %v", f, status)
	}
	if errnos[0] != errnoA {
		t.Errorf("errno %v, want %v from the agent", errnos[0], errnoA)
	}
}
