package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// personalityDomains maps linux.personality.domain to the kernel's PER_*
// values (linux/personality.h).
var personalityDomains = map[specs.LinuxPersonalityDomain]uint64{
	specs.PerLinux: 0x0000, specs.PerLinux32: 0x0008,
}

// personalityFlags maps linux.personality.flags to the kernel's flag bits
// (linux/personality.h). The spec names no flags yet; these are the
// kernel's own names, so a config never asks for a flag that is dropped.
var personalityFlags = map[specs.LinuxPersonalityFlag]uint64{
	"UNAME26":            0x0020000,
	"ADDR_NO_RANDOMIZE":  0x0040000,
	"FDPIC_FUNCPTRS":     0x0080000,
	"MMAP_PAGE_ZERO":     0x0100000,
	"ADDR_COMPAT_LAYOUT": 0x0200000,
	"READ_IMPLIES_EXEC":  0x0400000,
	"ADDR_LIMIT_32BIT":   0x0800000,
	"SHORT_INODE":        0x1000000,
	"WHOLE_SECONDS":      0x2000000,
	"STICKY_TIMEOUTS":    0x4000000,
	"ADDR_LIMIT_3GB":     0x8000000,
}

// PersonalityValue is the personality(2) argument of a validated
// linux.personality: the domain with the flags or-ed in.
func PersonalityValue(p *specs.LinuxPersonality) uint64 {
	v := personalityDomains[p.Domain]
	for _, f := range p.Flags {
		v |= personalityFlags[f]
	}
	return v
}

func validatePersonality(p *specs.LinuxPersonality) error {
	if p == nil {
		return nil
	}
	if _, ok := personalityDomains[p.Domain]; !ok {
		return fmt.Errorf("linux.personality.domain: unknown domain %q (want %s or %s)", p.Domain, specs.PerLinux, specs.PerLinux32)
	}
	for i, f := range p.Flags {
		if _, ok := personalityFlags[f]; !ok {
			return fmt.Errorf("linux.personality.flags[%d]: unknown flag %q", i, f)
		}
	}
	return nil
}
