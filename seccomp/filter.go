package seccomp

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Filter is a profile compiled for the executor's OP_SECCOMP.
type Filter struct {
	// BPF is a raw little-endian struct sock_filter array, ready for
	// seccomp(SECCOMP_SET_MODE_FILTER).
	BPF []byte
	// Flags are the SECCOMP_FILTER_FLAG_* bits to load BPF with. They
	// include NEW_LISTENER when NeedsNotify is set, so that seccomp(2)
	// returns the notify fd.
	Flags uint64
	// ListenerPath and ListenerMetadata say where the notify fd goes and
	// what to send with it.
	ListenerPath     string
	ListenerMetadata string
	// NeedsNotify is set when a rule uses SCMP_ACT_NOTIFY: loading the
	// filter then yields an fd that must reach the agent at ListenerPath.
	NeedsNotify bool
}

// Compile turns a profile into a loadable filter. It returns nil, nil when
// there is no profile or, like runc, when it has neither a default action
// nor rules. The BPF comes from the cache when an identical profile was
// compiled before with the same libseccomp.
func Compile(s *specs.LinuxSeccomp) (*Filter, error) {
	if disabled(s) {
		return nil, nil
	}
	if err := Validate(s); err != nil {
		return nil, err
	}
	flags, err := filterFlags(s)
	if err != nil {
		return nil, err
	}
	bpf, err := cachedBPF(s)
	if err != nil {
		return nil, err
	}
	return &Filter{
		BPF:              bpf,
		Flags:            flags,
		ListenerPath:     s.ListenerPath,
		ListenerMetadata: s.ListenerMetadata,
		NeedsNotify:      usesNotify(s),
	}, nil
}
