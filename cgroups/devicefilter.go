package cgroups

import (
	"fmt"

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
func deviceFilter(rules []specs.LinuxDeviceCgroup) ([]bpfInsn, error) {
	const r0, r1, r2, r3, r4, r5 = 0, 1, 2, 3, 4, 5
	prog := []bpfInsn{
		// r2 = device type, r3 = requested access, r4 = major, r5 = minor.
		{code: opLoadWord, dst: r2, src: r1, off: 0},
		{code: opAnd32Imm, dst: r2, imm: 0xffff},
		{code: opLoadWord, dst: r3, src: r1, off: 0},
		{code: opRsh32Imm, dst: r3, imm: 16},
		{code: opLoadWord, dst: r4, src: r1, off: 4},
		{code: opLoadWord, dst: r5, src: r1, off: 8},
	}
	decided := false
	for i := len(rules) - 1; i >= 0 && !decided; i-- {
		block, err := deviceRuleBlock(rules[i])
		if err != nil {
			return nil, fmt.Errorf("linux.resources.devices[%d]: %w", i, err)
		}
		prog = append(prog, block...)
		decided = len(block) == 2 // no conditions, only the verdict
	}
	if !decided {
		prog = append(prog, bpfInsn{code: opMov32Imm, dst: r0, imm: 0}, bpfInsn{code: opExit})
	}
	return prog, nil
}

// deviceRuleBlock checks one rule and returns its verdict when every check
// passes; a failed check jumps past the block's end, to the next rule.
func deviceRuleBlock(rule specs.LinuxDeviceCgroup) ([]bpfInsn, error) {
	const r0, r1, r2, r3, r4, r5 = 0, 1, 2, 3, 4, 5
	var checks []bpfInsn
	jne := func(reg uint8, v int32) { checks = append(checks, bpfInsn{code: opJne32Imm, dst: reg, imm: v}) }
	switch rule.Type {
	case "c":
		jne(r2, devTypeChar)
	case "b":
		jne(r2, devTypeBlock)
	case "", "a":
	default:
		return nil, fmt.Errorf("invalid device type %q (want \"a\", \"b\" or \"c\")", rule.Type)
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
			return nil, fmt.Errorf("invalid access %q (want letters from \"rwm\")", rule.Access)
		}
	}
	if bits != devAccessAll {
		// Matches only when every requested access is one the rule names.
		checks = append(checks,
			bpfInsn{code: opMov32Reg, dst: r1, src: r3},
			bpfInsn{code: opAnd32Imm, dst: r1, imm: ^bits & devAccessAll},
		)
		jne(r1, 0)
	}
	if rule.Major != nil && *rule.Major >= 0 {
		jne(r4, int32(uint32(*rule.Major)))
	}
	if rule.Minor != nil && *rule.Minor >= 0 {
		jne(r5, int32(uint32(*rule.Minor)))
	}
	verdict := int32(0)
	if rule.Allow {
		verdict = 1
	}
	block := append(checks, bpfInsn{code: opMov32Imm, dst: r0, imm: verdict}, bpfInsn{code: opExit})
	for pc := range checks {
		if block[pc].code == opJne32Imm {
			block[pc].off = int16(len(block) - pc - 1)
		}
	}
	return block, nil
}
