package seccomp

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// filterFlags returns the seccomp(2) flags the executor must pass when it
// loads the filter. Only the kernel is asked, never libseccomp: we load the
// exported BPF ourselves, so a flag needs kernel support and nothing more.
func filterFlags(s *specs.LinuxSeccomp) (uint64, error) {
	notify := usesNotify(s)
	var flags uint64
	if s.Flags == nil {
		// runc's default when the profile says nothing (not even []):
		// skip the Speculative Store Bypass mitigation, which otherwise
		// slows every process in the container, if the kernel allows it.
		if flagSupported(unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW) {
			flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		}
	}
	for i, name := range s.Flags {
		bit := knownFlags[name]
		// WAIT_KILLABLE_RECV only qualifies a listener; libseccomp drops
		// it without one, and the kernel would refuse it alone.
		if bit == 0 || (bit == unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify) {
			continue
		}
		if !flagSupported(bit) {
			return 0, fmt.Errorf("linux.seccomp.flags[%d]: %s is not supported by this kernel", i, name)
		}
		flags |= bit
	}
	if notify {
		flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	}
	return flags, nil
}

// flagSupported asks the kernel whether it knows flag, without loading
// anything: with a NULL program the kernel checks the flags first and then
// fails to read the program with EFAULT, while unknown flags give EINVAL.
func flagSupported(flag uint64) bool {
	if flag == unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV {
		flag |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flag), 0)
	return errors.Is(errno, unix.EFAULT)
}
