package integration

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A syscall the profile denies fails with the profile's errno; without the
// profile the same command works.
func TestSeccompDeniesTheListedSyscalls(t *testing.T) {
	eperm := uint(1)
	deny := func(s *specs.Spec) {
		s.Root.Readonly = false
		s.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls: []specs.LinuxSyscall{{
				Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: &eperm,
			}},
		}
	}
	res := runInContainer(t, "mkdir /tmp/denied", deny)
	if res.code == 0 || !strings.Contains(res.stderr, "Operation not permitted") {
		t.Errorf("mkdir under a profile denying it did not fail with EPERM: %v", res)
	}
	outputOf(t, "mkdir /tmp/allowed", func(s *specs.Spec) { s.Root.Readonly = false; s.Linux.Seccomp = nil })
}

func TestSeccompStatusIsFilter(t *testing.T) {
	out := outputOf(t, "grep ^Seccomp: /proc/self/status", func(s *specs.Spec) {
		s.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"acct"}, Action: specs.ActErrno}},
		}
	})
	if out != "Seccomp:\t2" {
		t.Errorf("%q, want Seccomp: 2 (filter mode)", out)
	}
}

// startupSyscalls is what a static busybox needs to print a line and exit
// (glibc's start-up included), and to sleep: a deny-by-default profile
// that allows only these leaves nothing for the runtime after the filter
// is loaded.
var startupSyscalls = []string{
	"execve", "exit_group", "write", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
	"prlimit64", "readlink", "getrandom", "mprotect", "uname", "getuid", "geteuid", "clock_nanosleep", "nanosleep",
}

func denyByDefault(allowed ...string) func(*specs.Spec) {
	enosys := uint(38)
	return func(s *specs.Spec) {
		s.Process.NoNewPrivileges = true
		s.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno, DefaultErrnoRet: &enosys,
			Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
			Syscalls:      []specs.LinuxSyscall{{Names: allowed, Action: specs.ActAllow}},
		}
	}
}

// With no_new_privs the filter is loaded last, after the wait for start:
// a profile allowing only what the program needs (no sendmsg, read, close
// or poll, which the handshake with the runtime uses) runs it, through
// run and through exec.
func TestSeccompDenyByDefaultAllowsOnlyTheProgram(t *testing.T) {
	rt := newRuntime(t)
	spec := testSpec(t, rt, "/bin/echo", "hello")
	denyByDefault(startupSyscalls...)(spec)
	res := newContainer(t, rt, spec).runForeground()
	if res.code != 0 || strings.TrimSpace(res.stdout) != "hello" {
		t.Fatalf("run under a profile allowing only the program's syscalls: %v", res)
	}

	c := startSleeper(t, rt, denyByDefault(startupSyscalls...))
	res = c.exec(nil, "/bin/echo", "from exec")
	if res.code != 0 || strings.TrimSpace(res.stdout) != "from exec" {
		t.Errorf("exec under a profile allowing only the program's syscalls: %v", res)
	}
}

// A profile that denies execve fails the process with runc's message.
func TestSeccompDeniedExecveIsReported(t *testing.T) {
	eperm := uint(1)
	res := runInContainer(t, "true", func(s *specs.Spec) {
		s.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"execve"}, Action: specs.ActErrno, ErrnoRet: &eperm}},
		}
	})
	if res.code == 0 || !strings.Contains(res.stderr, "exec /bin/sh: operation not permitted") {
		t.Errorf("execve denied: want a failure with runc's \"exec /bin/sh: operation not permitted\", got %v", res)
	}
}
