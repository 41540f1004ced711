package cgroups

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The kernel hands a BPF_CGROUP_DEVICE program a struct bpf_cgroup_dev_ctx:
// u32 access_type (access << 16 | type), u32 major, u32 minor. The program
// returns 1 to allow the access and 0 to refuse it.
const (
	devTypeBlock = 1 // BPF_DEVCG_DEV_BLOCK
	devTypeChar  = 2 // BPF_DEVCG_DEV_CHAR

	devAccessMknod = 1 // BPF_DEVCG_ACC_MKNOD
	devAccessRead  = 2 // BPF_DEVCG_ACC_READ
	devAccessWrite = 4 // BPF_DEVCG_ACC_WRITE
	devAccessAll   = devAccessMknod | devAccessRead | devAccessWrite
)

// deviceFilter compiles device rules into a program with v1's meaning: the
// last rule that matches an access decides it, and an access no rule
// matches is refused. Rules are checked from the last one back, and
// checking stops at a rule that matches everything (the spec's usual
// leading "deny all"), since rules before it can never decide.
func deviceFilter(rules []specs.LinuxDeviceCgroup) (asm.Instructions, error) {
	prog := asm.Instructions{
		// R2 = device type, R3 = requested access, R4 = major, R5 = minor.
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word),
		asm.And.Imm32(asm.R2, 0xffff),
		asm.LoadMem(asm.R3, asm.R1, 0, asm.Word),
		asm.RSh.Imm32(asm.R3, 16),
		asm.LoadMem(asm.R4, asm.R1, 4, asm.Word),
		asm.LoadMem(asm.R5, asm.R1, 8, asm.Word),
	}
	decided := false
	for i := len(rules) - 1; i >= 0 && !decided; i-- {
		next := "deny"
		if i > 0 {
			next = fmt.Sprintf("rule%d", i-1)
		}
		block, matchesAll, err := deviceRuleBlock(rules[i], fmt.Sprintf("rule%d", i), next)
		if err != nil {
			return nil, fmt.Errorf("linux.resources.devices[%d]: %w", i, err)
		}
		prog = append(prog, block...)
		decided = matchesAll
	}
	if !decided {
		prog = append(prog, asm.Mov.Imm32(asm.R0, 0).WithSymbol("deny"), asm.Return())
	}
	return prog, nil
}

// deviceRuleBlock checks one rule; each condition that fails jumps to the
// block labelled next. matchesAll reports a rule without conditions.
func deviceRuleBlock(rule specs.LinuxDeviceCgroup, name, next string) (block asm.Instructions, matchesAll bool, err error) {
	switch rule.Type {
	case "c":
		block = append(block, asm.JNE.Imm32(asm.R2, devTypeChar, next))
	case "b":
		block = append(block, asm.JNE.Imm32(asm.R2, devTypeBlock, next))
	case "", "a":
	default:
		return nil, false, fmt.Errorf("invalid device type %q (want \"a\", \"b\" or \"c\")", rule.Type)
	}
	access := rule.Access
	if access == "" {
		access = "rwm"
	}
	var bits int32
	for _, c := range access {
		switch c {
		case 'r':
			bits |= devAccessRead
		case 'w':
			bits |= devAccessWrite
		case 'm':
			bits |= devAccessMknod
		default:
			return nil, false, fmt.Errorf("invalid access %q (want letters from \"rwm\")", rule.Access)
		}
	}
	if bits != devAccessAll {
		// Matches only when every requested access is one the rule names.
		block = append(block,
			asm.Mov.Reg32(asm.R1, asm.R3),
			asm.And.Imm32(asm.R1, ^bits&devAccessAll),
			asm.JNE.Imm32(asm.R1, 0, next),
		)
	}
	if rule.Major != nil && *rule.Major >= 0 {
		block = append(block, asm.JNE.Imm32(asm.R4, int32(uint32(*rule.Major)), next))
	}
	if rule.Minor != nil && *rule.Minor >= 0 {
		block = append(block, asm.JNE.Imm32(asm.R5, int32(uint32(*rule.Minor)), next))
	}
	matchesAll = len(block) == 0
	verdict := int32(0)
	if rule.Allow {
		verdict = 1
	}
	block = append(block, asm.Mov.Imm32(asm.R0, verdict), asm.Return())
	block[0] = block[0].WithSymbol(name)
	return block, matchesAll, nil
}
