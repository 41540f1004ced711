package libcontainer

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
	"github.com/hullrt/hull/seccomp"
)

// compileSeccomp compiles linux.seccomp; nil means no filter. seccomp's
// errors name the field themselves.
func compileSeccomp(spec *specs.Spec) (*seccomp.Filter, error) {
	filter, err := seccomp.Compile(spec.Linux.Seccomp)
	if err != nil {
		return nil, err
	}
	if filter != nil && filter.NeedsNotify {
		if err := checkNotifySyscalls(spec.Linux.Seccomp); err != nil {
			return nil, err
		}
	}
	return filter, nil
}

// checkNotifySyscalls refuses SCMP_ACT_NOTIFY on sendmsg: the executor
// sends the notify fd to the parent with sendmsg after the filter is
// loaded, before any agent holds the fd to answer it.
func checkNotifySyscalls(s *specs.LinuxSeccomp) error {
	for i, call := range s.Syscalls {
		if call.Action != specs.ActNotify {
			continue
		}
		for j, name := range call.Names {
			if name == "sendmsg" {
				return fmt.Errorf("linux.seccomp.syscalls[%d].names[%d]: SCMP_ACT_NOTIFY cannot be used for the sendmsg syscall (it hands the notify fd to the runtime)", i, j)
			}
		}
	}
	return nil
}

func (c *compiler) seccomp(f *seccomp.Filter) {
	c.add("linux.seccomp", program.OpSeccomp, []uint64{f.Flags}, string(f.BPF))
}
