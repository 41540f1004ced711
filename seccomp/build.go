package seccomp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// optimizeAbove is the rule count from which runc asks libseccomp for a
// binary-tree filter: a long profile then costs a few comparisons per
// syscall instead of a linear scan, and libseccomp <= 2.5.4 misbehaves with
// the tree and no rules at all.
const optimizeAbove = 32

// buildBPF compiles a profile that passed Validate into a raw sock_filter
// array for the native architecture plus s.Architectures.
func buildBPF(s *specs.LinuxSeccomp) ([]byte, error) {
	defaultAction := toAction(s.DefaultAction, s.DefaultErrnoRet)
	filter, err := libseccomp.NewFilter(defaultAction)
	if err != nil {
		return nil, fmt.Errorf("create seccomp filter: %w", err)
	}
	defer filter.Release()

	native, err := libseccomp.GetNativeArch()
	if err != nil {
		return nil, fmt.Errorf("get native seccomp architecture: %w", err)
	}
	arches := []libseccomp.ScmpArch{native}
	for i, arch := range s.Architectures {
		scmpArch, err := addArch(filter, arch)
		if err != nil {
			return nil, fmt.Errorf("linux.seccomp.architectures[%d]: %w", i, err)
		}
		arches = append(arches, scmpArch)
	}
	// These attributes only matter to seccomp_load, which we never call;
	// set them as runc does so an exported filter means the same thing.
	if err := filter.SetNoNewPrivsBit(false); err != nil {
		return nil, fmt.Errorf("clear no_new_privs attribute: %w", err)
	}
	if countNames(s) > optimizeAbove {
		if err := filter.SetOptimize(2); err != nil {
			debugf("seccomp: binary tree optimization not available: %v", err)
		}
	}

	for i := range s.Syscalls {
		field := fmt.Sprintf("linux.seccomp.syscalls[%d]", i)
		if err := addRules(filter, field, &s.Syscalls[i], defaultAction); err != nil {
			return nil, err
		}
	}
	bpf, err := exportBPF(filter)
	if err != nil || !needsEnosysStub(s) {
		return bpf, err
	}
	stub, err := enosysStub(lastSyscalls(s, arches))
	if err != nil {
		return nil, err
	}
	return append(stub, bpf...), nil
}

func addArch(filter *libseccomp.ScmpFilter, arch specs.Arch) (libseccomp.ScmpArch, error) {
	name := strings.ToLower(strings.TrimPrefix(string(arch), "SCMP_ARCH_"))
	scmpArch, err := libseccomp.GetArchFromString(name)
	if err != nil {
		return 0, fmt.Errorf("look up architecture %q: %w", arch, err)
	}
	if err := filter.AddArch(scmpArch); err != nil {
		return 0, fmt.Errorf("add architecture %q with libseccomp %s: %w", arch, libraryVersion(), err)
	}
	return scmpArch, nil
}

// addRules adds one rule per name of call. field is the rule's path in
// config.json, for errors.
func addRules(filter *libseccomp.ScmpFilter, field string, call *specs.LinuxSyscall, defaultAction libseccomp.ScmpAction) error {
	action := toAction(call.Action, call.ErrnoRet)
	// libseccomp refuses a rule that repeats the default action; runc
	// drops it silently and so do we, it changes nothing.
	if action == defaultAction {
		return nil
	}
	conditions, err := toConditions(field, call.Args)
	if err != nil {
		return err
	}
	for j, name := range call.Names {
		nr, err := libseccomp.GetSyscallFromName(name)
		if err != nil {
			// Profiles list syscalls of newer kernels and of other
			// architectures; runc skips what libseccomp cannot resolve.
			debugf("%s.names[%d]: unknown syscall %q ignored (libseccomp %s)", field, j, name, libraryVersion())
			continue
		}
		for _, conds := range conditions {
			if err := filter.AddRuleConditional(nr, action, conds); err != nil {
				return fmt.Errorf("%s.names[%d]: add rule for syscall %q: %w", field, j, name, err)
			}
		}
	}
	return nil
}

// toConditions returns the condition sets to add as separate rules. All
// conditions go in one rule (they must all match) unless two of them test
// the same argument: libseccomp cannot AND those, and runc then adds one
// rule per condition (any may match). Profiles rely on that, e.g. Docker's
// personality() rules.
func toConditions(field string, args []specs.LinuxSeccompArg) ([][]libseccomp.ScmpCondition, error) {
	if len(args) == 0 {
		return [][]libseccomp.ScmpCondition{nil}, nil
	}
	var perArg [maxSyscallArgs]int
	all := make([]libseccomp.ScmpCondition, 0, len(args))
	for k, arg := range args {
		cond, err := libseccomp.MakeCondition(arg.Index, toOperator(arg.Op), arg.Value, arg.ValueTwo)
		if err != nil {
			return nil, fmt.Errorf("%s.args[%d]: make condition: %w", field, k, err)
		}
		perArg[arg.Index]++
		all = append(all, cond)
	}
	for _, n := range perArg {
		if n > 1 {
			separate := make([][]libseccomp.ScmpCondition, len(all))
			for i := range all {
				separate[i] = all[i : i+1]
			}
			return separate, nil
		}
	}
	return [][]libseccomp.ScmpCondition{all}, nil
}

// toAction maps a validated action; ERRNO and TRACE default to EPERM like
// runc.
func toAction(action specs.LinuxSeccompAction, errnoRet *uint) libseccomp.ScmpAction {
	ret := int16(unix.EPERM)
	if errnoRet != nil {
		ret = int16(uint16(*errnoRet))
	}
	switch action {
	case specs.ActKill, specs.ActKillThread:
		return libseccomp.ActKillThread
	case specs.ActKillProcess:
		return libseccomp.ActKillProcess
	case specs.ActTrap:
		return libseccomp.ActTrap
	case specs.ActErrno:
		return libseccomp.ActErrno.SetReturnCode(ret)
	case specs.ActTrace:
		return libseccomp.ActTrace.SetReturnCode(ret)
	case specs.ActAllow:
		return libseccomp.ActAllow
	case specs.ActLog:
		return libseccomp.ActLog
	case specs.ActNotify:
		return libseccomp.ActNotify
	}
	return libseccomp.ActInvalid
}

func toOperator(op specs.LinuxSeccompOperator) libseccomp.ScmpCompareOp {
	switch op {
	case specs.OpNotEqual:
		return libseccomp.CompareNotEqual
	case specs.OpLessThan:
		return libseccomp.CompareLess
	case specs.OpLessEqual:
		return libseccomp.CompareLessOrEqual
	case specs.OpEqualTo:
		return libseccomp.CompareEqual
	case specs.OpGreaterEqual:
		return libseccomp.CompareGreaterEqual
	case specs.OpGreaterThan:
		return libseccomp.CompareGreater
	case specs.OpMaskedEqual:
		return libseccomp.CompareMaskedEqual
	}
	return libseccomp.CompareInvalid
}

func countNames(s *specs.LinuxSeccomp) int {
	n := 0
	for i := range s.Syscalls {
		n += len(s.Syscalls[i].Names)
	}
	return n
}

// exportBPF returns the filter as the kernel wants it. libseccomp < 2.6
// can only write to an fd; a memfd cannot fill up and block the way a pipe
// would with a large filter.
func exportBPF(filter *libseccomp.ScmpFilter) ([]byte, error) {
	bpf, err := filter.ExportBPFMem()
	if err == nil {
		return bpf, nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	fd, err := unix.MemfdCreate("hull-seccomp-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: create memfd: %w", err)
	}
	file := os.NewFile(uintptr(fd), "hull-seccomp-bpf")
	defer file.Close()
	if err := filter.ExportBPF(file); err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("export seccomp filter: rewind memfd: %w", err)
	}
	bpf, err = io.ReadAll(file)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: read memfd: %w", err)
	}
	return bpf, nil
}

// libraryVersion is the version of the libseccomp in use, which decides
// which syscalls and architectures a profile can name.
func libraryVersion() string {
	major, minor, micro := libseccomp.GetLibraryVersion()
	return fmt.Sprintf("%d.%d.%d", major, minor, micro)
}
