package seccomp

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateAccepts(t *testing.T) {
	tests := map[string]*specs.LinuxSeccomp{
		"nil":                nil,
		"empty means absent": {},
		"default only":       {DefaultAction: specs.ActErrno, DefaultErrnoRet: uintPtr(38)},
		"legacy kill":        {DefaultAction: specs.ActKill},
		"tsync flag":         {DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC"}},
		"trace errno":        {DefaultAction: specs.ActTrace, DefaultErrnoRet: uintPtr(1)},
		"rule without names": {DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Action: specs.ActErrno}}},
		"unknown syscall name is left to Compile": {DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"not_a_syscall"}, Action: specs.ActErrno},
		}},
		"notify with listener": {DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock", Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mount"}, Action: specs.ActNotify},
		}},
		"all architectures and flags": {
			DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32, specs.ArchAARCH64, specs.ArchSHEB},
			Flags:         []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow, specs.LinuxSeccompFlagWaitKillableRecv},
		},
	}
	for name, s := range tests {
		if err := Validate(s); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	allow := func(calls ...specs.LinuxSyscall) *specs.LinuxSeccomp {
		return &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: calls}
	}
	tests := []struct {
		s    *specs.LinuxSeccomp
		want string
	}{
		{&specs.LinuxSeccomp{Syscalls: []specs.LinuxSyscall{{Names: []string{"mount"}, Action: specs.ActErrno}}},
			`linux.seccomp.defaultAction: must be set when syscalls are listed`},
		{&specs.LinuxSeccomp{DefaultAction: "X"},
			`linux.seccomp.defaultAction: unknown action "X"`},
		{&specs.LinuxSeccomp{DefaultAction: specs.ActNotify, ListenerPath: "/s"},
			`linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action`},
		{&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, DefaultErrnoRet: uintPtr(1)},
			`linux.seccomp.defaultErrnoRet: not supported by action SCMP_ACT_ALLOW (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value)`},
		{&specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uintPtr(70000)},
			`linux.seccomp.defaultErrnoRet: 70000 is out of range (max 65535)`},
		{&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86, "SCMP_ARCH_VAX"}},
			`linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_VAX"`},
		{&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_NEW_LISTENER"}},
			`linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"`},
		{allow(specs.LinuxSyscall{Names: []string{"mount"}, Action: specs.ActErrno}, specs.LinuxSyscall{Names: []string{"umount2"}, Action: "SCMP_ACT_DENY"}),
			`linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_DENY"`},
		{allow(specs.LinuxSyscall{Names: []string{"mount"}, Action: specs.ActKillProcess, ErrnoRet: uintPtr(1)}),
			`linux.seccomp.syscalls[0].errnoRet: not supported by action SCMP_ACT_KILL_PROCESS (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value)`},
		{allow(specs.LinuxSyscall{Names: []string{"mount", ""}, Action: specs.ActErrno}),
			`linux.seccomp.syscalls[0].names[1]: empty syscall name`},
		{&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/s", Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "write"}, Action: specs.ActNotify}}},
			`linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall`},
		{allow(specs.LinuxSyscall{Names: []string{"mount"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Op: specs.OpEqualTo}, {Index: 6, Op: specs.OpEqualTo}}}),
			`linux.seccomp.syscalls[0].args[1].index: 6 is out of range (a syscall has 6 arguments)`},
		{allow(specs.LinuxSyscall{Names: []string{"mount"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Op: "SCMP_CMP_BETWEEN"}}}),
			`linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_BETWEEN"`},
		{allow(specs.LinuxSyscall{Names: []string{"mount"}, Action: specs.ActNotify}),
			`linux.seccomp.listenerPath: must be set when SCMP_ACT_NOTIFY is used`},
	}
	for _, tt := range tests {
		err := Validate(tt.s)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Validate: got %v, want %s", err, tt.want)
		}
		// Compile must refuse the same profiles with the same words.
		if f, err := Compile(tt.s); err == nil || err.Error() != tt.want {
			t.Errorf("Compile: got %v, %v, want %s", f, err, tt.want)
		}
	}
}
