package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The tables below are plain Go data so that Validate can check a profile
// without calling into libseccomp; building the filter maps the same names
// to libseccomp values in build.go.

// knownActions lists the actions of the runtime-spec. SCMP_ACT_KILL is the
// historical name of SCMP_ACT_KILL_THREAD.
var knownActions = map[specs.LinuxSeccompAction]bool{
	specs.ActKill:        true,
	specs.ActKillProcess: true,
	specs.ActKillThread:  true,
	specs.ActTrap:        true,
	specs.ActErrno:       true,
	specs.ActTrace:       true,
	specs.ActAllow:       true,
	specs.ActLog:         true,
	specs.ActNotify:      true,
}

var knownOperators = map[specs.LinuxSeccompOperator]bool{
	specs.OpNotEqual:     true,
	specs.OpLessThan:     true,
	specs.OpLessEqual:    true,
	specs.OpEqualTo:      true,
	specs.OpGreaterEqual: true,
	specs.OpGreaterThan:  true,
	specs.OpMaskedEqual:  true,
}

// knownArchitectures is the runtime-spec list. Whether the installed
// libseccomp knows one (LOONGARCH64, M68K, SH need 2.6) is only learnt when
// building the filter.
var knownArchitectures = map[specs.Arch]bool{
	specs.ArchX86: true, specs.ArchX86_64: true, specs.ArchX32: true,
	specs.ArchARM: true, specs.ArchAARCH64: true,
	specs.ArchMIPS: true, specs.ArchMIPS64: true, specs.ArchMIPS64N32: true,
	specs.ArchMIPSEL: true, specs.ArchMIPSEL64: true, specs.ArchMIPSEL64N32: true,
	specs.ArchPPC: true, specs.ArchPPC64: true, specs.ArchPPC64LE: true,
	specs.ArchS390: true, specs.ArchS390X: true,
	specs.ArchPARISC: true, specs.ArchPARISC64: true,
	specs.ArchRISCV64: true, specs.ArchLOONGARCH64: true,
	specs.ArchM68K: true, specs.ArchSH: true, specs.ArchSHEB: true,
}

// flagTsync is accepted like runc does, although runtime-spec no longer
// names it.
const flagTsync specs.LinuxSeccompFlag = "SECCOMP_FILTER_FLAG_TSYNC"

// knownFlags maps the profile's flag names to seccomp(2) flag bits. TSYNC
// maps to no bit: the executor is single-threaded when it loads the filter,
// and TSYNC together with NEW_LISTENER is refused by the kernel.
var knownFlags = map[specs.LinuxSeccompFlag]uint64{
	flagTsync:                              0,
	specs.LinuxSeccompFlagLog:              unix.SECCOMP_FILTER_FLAG_LOG,
	specs.LinuxSeccompFlagSpecAllow:        unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	specs.LinuxSeccompFlagWaitKillableRecv: unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
}

// maxSyscallArgs is the number of arguments a seccomp filter can inspect.
const maxSyscallArgs = 6
