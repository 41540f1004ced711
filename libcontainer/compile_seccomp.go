package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/seccomp"
)

// compileSeccomp compiles linux.seccomp; nil means no filter.
func compileSeccomp(spec *specs.Spec) (*seccomp.Filter, error) {
	filter, err := seccomp.Compile(spec.Linux.Seccomp)
	if err != nil {
		return nil, fmt.Errorf("linux.seccomp: %w", err)
	}
	// The protocol has no message yet to hand the notify fd to the parent;
	// a filter whose notify fd goes nowhere would hang the container on
	// its first notified syscall.
	if filter != nil && filter.NeedsNotify {
		return nil, fmt.Errorf("linux.seccomp: SCMP_ACT_NOTIFY is not supported by hull yet")
	}
	return filter, nil
}

func (c *compiler) seccomp(f *seccomp.Filter) {
	c.add("linux.seccomp", program.OpSeccomp, []uint64{f.Flags}, string(f.BPF))
}
