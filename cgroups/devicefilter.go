package cgroups

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The kernel hands a BPF_CGROUP_DEVICE program a struct bpf_cgroup_dev_ctx:
// u32 access_type (access << 16 | type), u32 major, u32 minor, where access
// has the bits of deviceAccess. The program returns 1 to allow the access
// and 0 to refuse it.
const (
	devTypeBlock = 1 // BPF_DEVCG_DEV_BLOCK
	devTypeChar  = 2 // BPF_DEVCG_DEV_CHAR
)

// deviceFilter compiles device rules into a program that decides exactly
// as the v1 devices controller would after the same rules: the rules are
// first reduced to v1's state (a default and its exceptions, see
// emulateDeviceRules), and the program checks that state. With deny as the
// default an access is allowed when one exception covers all of it; with
// allow as the default it is refused when any exception covers part of it.
func deviceFilter(rules []specs.LinuxDeviceCgroup) ([]bpfInsn, error) {
	st, err := emulateDeviceRules(rules)
	if err != nil {
		return nil, err
	}
	prog := []bpfInsn{
		// r2 = device type, r3 = requested access, r4 = major, r5 = minor.
		{code: opLoadWord, dst: 2, src: 1, off: 0},
		{code: opAnd32Imm, dst: 2, imm: 0xffff},
		{code: opLoadWord, dst: 3, src: 1, off: 0},
		{code: opRsh32Imm, dst: 3, imm: 16},
		{code: opLoadWord, dst: 4, src: 1, off: 4},
		{code: opLoadWord, dst: 5, src: 1, off: 8},
	}
	for _, key := range st.keys() {
		block, err := exceptionBlock(key, st.exceptions[key], st.allowAll)
		if err != nil {
			return nil, err
		}
		prog = append(prog, block...)
	}
	fallback := int32(0)
	if st.allowAll {
		fallback = 1
	}
	return append(prog, bpfInsn{code: opMov32Imm, dst: 0, imm: fallback}, bpfInsn{code: opExit}), nil
}

// exceptionBlock checks one exception ("c 1:3" with its access) and returns
// the opposite of the default when it applies; a failed check jumps past
// the block's end, to the next exception.
func exceptionBlock(key string, acc deviceAccess, allowAll bool) ([]bpfInsn, error) {
	var typ, major, minor string
	if _, err := fmt.Sscanf(strings.Replace(key, ":", " ", 1), "%s %s %s", &typ, &major, &minor); err != nil {
		return nil, fmt.Errorf("linux.resources.devices: bad device rule %q", key)
	}
	var checks []bpfInsn
	jne := func(reg uint8, v int32) { checks = append(checks, bpfInsn{code: opJne32Imm, dst: reg, imm: v}) }
	switch typ {
	case "c":
		jne(2, devTypeChar)
	case "b":
		jne(2, devTypeBlock)
	}
	for _, n := range []struct {
		reg uint8
		val string
	}{{4, major}, {5, minor}} {
		if n.val == "*" {
			continue
		}
		v, err := strconv.ParseUint(n.val, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("linux.resources.devices: bad device number in %q", key)
		}
		jne(n.reg, int32(uint32(v)))
	}
	bits := int32(acc)
	verdict := int32(1)
	if allowAll {
		// A deny exception applies when the access asks for any of its bits.
		verdict = 0
		checks = append(checks,
			bpfInsn{code: opMov32Reg, dst: 1, src: 3},
			bpfInsn{code: opAnd32Imm, dst: 1, imm: bits},
			bpfInsn{code: opJeq32Imm, dst: 1, imm: 0},
		)
	} else if acc != accAll {
		// An allow exception applies when it covers every bit asked for.
		checks = append(checks,
			bpfInsn{code: opMov32Reg, dst: 1, src: 3},
			bpfInsn{code: opAnd32Imm, dst: 1, imm: ^bits & int32(accAll)},
			bpfInsn{code: opJne32Imm, dst: 1, imm: 0},
		)
	}
	block := append(checks, bpfInsn{code: opMov32Imm, dst: 0, imm: verdict}, bpfInsn{code: opExit})
	for pc := range checks {
		if c := block[pc].code; c == opJne32Imm || c == opJeq32Imm {
			block[pc].off = int16(len(block) - pc - 1)
		}
	}
	return block, nil
}
