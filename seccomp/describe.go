package seccomp

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

var flagNames = []struct {
	bit  uint64
	name string
}{
	{unix.SECCOMP_FILTER_FLAG_TSYNC, "TSYNC"},
	{unix.SECCOMP_FILTER_FLAG_LOG, "LOG"},
	{unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW"},
	{unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER"},
	{unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "TSYNC_ESRCH"},
	{unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "WAIT_KILLABLE_RECV"},
}

// String summarises the filter for the readable dump of a program, e.g.
// "412 instructions, flags SPEC_ALLOW|NEW_LISTENER, listener /run/agent.sock".
func (f *Filter) String() string {
	var names []string
	rest := f.Flags
	for _, fl := range flagNames {
		if rest&fl.bit != 0 {
			names = append(names, fl.name)
			rest &^= fl.bit
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	flags := "none"
	if len(names) > 0 {
		flags = strings.Join(names, "|")
	}
	s := fmt.Sprintf("%d instructions, flags %s", len(f.BPF)/sockFilterSize, flags)
	if f.NeedsNotify {
		s += ", listener " + f.ListenerPath
	}
	return s
}
