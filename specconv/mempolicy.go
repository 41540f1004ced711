package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// memoryPolicyModes maps linux.memoryPolicy.mode to MPOL_* numbers
// (linux/mempolicy.h).
var memoryPolicyModes = map[specs.MemoryPolicyModeType]uint64{
	specs.MpolDefault: 0, specs.MpolPreferred: 1, specs.MpolBind: 2, specs.MpolInterleave: 3,
	specs.MpolLocal: 4, specs.MpolPreferredMany: 5, specs.MpolWeightedInterleave: 6,
}

// memoryPolicyFlags maps linux.memoryPolicy.flags to the MPOL_F_* mode
// flags (linux/mempolicy.h).
var memoryPolicyFlags = map[specs.MemoryPolicyFlagType]uint64{
	specs.MpolFStaticNodes:   1 << 15,
	specs.MpolFRelativeNodes: 1 << 14,
	specs.MpolFNumaBalancing: 1 << 13,
}

// MemPolicy is linux.memoryPolicy as set_mempolicy(2) arguments.
type MemPolicy struct {
	// Mode is the MPOL_* mode with the MPOL_F_* flags or-ed in.
	Mode uint64
	// Nodes is the nodemask (see ParseIDList); nil for no nodes.
	Nodes []byte
}

// MaxNode is set_mempolicy's maxnode for Nodes: the kernel reads
// maxnode-1 bits.
func (m MemPolicy) MaxNode() uint64 {
	if len(m.Nodes) == 0 {
		return 0
	}
	return uint64(len(m.Nodes))*8 + 1
}

// MemoryPolicy converts a validated linux.memoryPolicy.
func MemoryPolicy(p *specs.LinuxMemoryPolicy) MemPolicy {
	m := MemPolicy{Mode: memoryPolicyModes[p.Mode]}
	for _, f := range p.Flags {
		m.Mode |= memoryPolicyFlags[f]
	}
	m.Nodes, _ = ParseIDList(p.Nodes)
	return m
}

func validateMemoryPolicy(p *specs.LinuxMemoryPolicy) error {
	if p == nil {
		return nil
	}
	if _, ok := memoryPolicyModes[p.Mode]; !ok {
		return fmt.Errorf("linux.memoryPolicy.mode: unknown mode %q", p.Mode)
	}
	seen := map[specs.MemoryPolicyFlagType]bool{}
	for i, f := range p.Flags {
		if _, ok := memoryPolicyFlags[f]; !ok {
			return fmt.Errorf("linux.memoryPolicy.flags[%d]: unknown flag %q", i, f)
		}
		seen[f] = true
	}
	if seen[specs.MpolFStaticNodes] && seen[specs.MpolFRelativeNodes] {
		return fmt.Errorf("linux.memoryPolicy.flags: %s and %s exclude each other", specs.MpolFStaticNodes, specs.MpolFRelativeNodes)
	}
	nodes, err := ParseIDList(p.Nodes)
	if err != nil {
		return fmt.Errorf("linux.memoryPolicy.nodes: %w", err)
	}
	switch p.Mode {
	case specs.MpolDefault, specs.MpolLocal:
		if nodes != nil {
			return fmt.Errorf("linux.memoryPolicy.nodes: must be empty for %s", p.Mode)
		}
	case specs.MpolPreferred:
		// No nodes means "local allocation", as the kernel defines it.
	default:
		if nodes == nil {
			return fmt.Errorf("linux.memoryPolicy.nodes: %s needs at least one node", p.Mode)
		}
	}
	return nil
}
