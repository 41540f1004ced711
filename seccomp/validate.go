package seccomp

import (
	"errors"
	"fmt"
	"math"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Validate checks a profile without building it, so that specconv can
// reject a bad config.json before anything is started. Errors name the
// offending field. Syscall names are not checked here: like runc, Compile
// skips names the installed libseccomp does not know for the architecture.
func Validate(s *specs.LinuxSeccomp) error {
	if disabled(s) {
		return nil
	}
	if err := validateDefaultAction(s); err != nil {
		return err
	}
	for i, arch := range s.Architectures {
		if !knownArchitectures[arch] {
			return fmt.Errorf("linux.seccomp.architectures[%d]: unknown architecture %q", i, arch)
		}
	}
	for i, flag := range s.Flags {
		if _, ok := knownFlags[flag]; !ok {
			return fmt.Errorf("linux.seccomp.flags[%d]: unknown flag %q", i, flag)
		}
	}
	for i := range s.Syscalls {
		if err := validateSyscall(fmt.Sprintf("linux.seccomp.syscalls[%d]", i), &s.Syscalls[i]); err != nil {
			return err
		}
	}
	// The notify fd is useless without an agent to hand it to; runc fails
	// the create for this too, only later.
	if s.ListenerPath == "" && usesNotify(s) {
		return errors.New("linux.seccomp.listenerPath: must be set when SCMP_ACT_NOTIFY is used")
	}
	return nil
}

// disabled reports whether the profile asks for no filter at all: runc
// treats a profile with neither a default action nor rules as absent.
func disabled(s *specs.LinuxSeccomp) bool {
	return s == nil || (s.DefaultAction == "" && len(s.Syscalls) == 0)
}

func validateDefaultAction(s *specs.LinuxSeccomp) error {
	switch {
	case s.DefaultAction == "":
		return errors.New("linux.seccomp.defaultAction: must be set when syscalls are listed")
	case !knownActions[s.DefaultAction]:
		return fmt.Errorf("linux.seccomp.defaultAction: unknown action %q", s.DefaultAction)
	case s.DefaultAction == specs.ActNotify:
		// The executor still has to send the notify fd after loading the
		// filter; a notifying default would block that send forever.
		return errors.New("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action")
	}
	if err := validateErrnoRet(s.DefaultAction, s.DefaultErrnoRet); err != nil {
		return fmt.Errorf("linux.seccomp.defaultErrnoRet: %w", err)
	}
	return nil
}

// validateSyscall checks one rule; field is its path in config.json.
func validateSyscall(field string, call *specs.LinuxSyscall) error {
	if !knownActions[call.Action] {
		return fmt.Errorf("%s.action: unknown action %q", field, call.Action)
	}
	if err := validateErrnoRet(call.Action, call.ErrnoRet); err != nil {
		return fmt.Errorf("%s.errnoRet: %w", field, err)
	}
	for j, name := range call.Names {
		if name == "" {
			return fmt.Errorf("%s.names[%d]: empty syscall name", field, j)
		}
		// The executor reports back over a socket after loading the
		// filter, as runc's init does; it cannot wait on itself.
		if name == "write" && call.Action == specs.ActNotify {
			return fmt.Errorf("%s.names[%d]: SCMP_ACT_NOTIFY cannot be used for the write syscall", field, j)
		}
	}
	for k, arg := range call.Args {
		if arg.Index >= maxSyscallArgs {
			return fmt.Errorf("%s.args[%d].index: %d is out of range (a syscall has %d arguments)", field, k, arg.Index, maxSyscallArgs)
		}
		if !knownOperators[arg.Op] {
			return fmt.Errorf("%s.args[%d].op: unknown operator %q", field, k, arg.Op)
		}
	}
	return nil
}

// validateErrnoRet follows runtime-spec: an errno on an action that cannot
// return one is an error, and the value must fit the 16 data bits of
// SECCOMP_RET_DATA instead of being silently truncated.
func validateErrnoRet(action specs.LinuxSeccompAction, errnoRet *uint) error {
	if errnoRet == nil {
		return nil
	}
	if action != specs.ActErrno && action != specs.ActTrace {
		return fmt.Errorf("not supported by action %s (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value)", action)
	}
	if *errnoRet > math.MaxUint16 {
		return fmt.Errorf("%d is out of range (max %d)", *errnoRet, math.MaxUint16)
	}
	return nil
}

func usesNotify(s *specs.LinuxSeccomp) bool {
	for i := range s.Syscalls {
		if s.Syscalls[i].Action == specs.ActNotify && len(s.Syscalls[i].Names) > 0 {
			return true
		}
	}
	return false
}
