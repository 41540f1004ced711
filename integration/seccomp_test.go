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
