package cgroups

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setDevicesV1 starts from "deny everything" and then applies the caller's
// rules in order, so the result depends only on the spec and not on what the
// parent cgroup allowed. The defaults a container gets come from the spec.
func (m *manager) setDevicesV1(r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	err := m.writeDevicesV1(r.Devices)
	if err != nil && m.rootless {
		// An unprivileged caller cannot restrict devices anyway; runc
		// ignores this too.
		warnf("linux.resources.devices: ignored in rootless mode: %v", err)
		return nil
	}
	return err
}

func (m *manager) writeDevicesV1(rules []specs.LinuxDeviceCgroup) error {
	d, err := m.need("linux.resources.devices", "devices")
	if err != nil {
		return err
	}
	// The spec's own rules usually start with exactly this.
	if first, _ := deviceRuleLines(rules[0]); rules[0].Allow || len(first) != 1 || first[0] != "a" {
		if err := writeField("linux.resources.devices", d, "devices.deny", "a"); err != nil {
			return err
		}
	}
	for i, rule := range rules {
		field := fmt.Sprintf("linux.resources.devices[%d]", i)
		lines, err := deviceRuleLines(rule)
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		file := "devices.deny"
		if rule.Allow {
			file = "devices.allow"
		}
		for _, line := range lines {
			if err := writeField(field, d, file, line); err != nil {
				return err
			}
		}
	}
	return nil
}

// deviceRuleLines renders a rule in devices.allow syntax ("c 1:3 rwm"). The
// kernel reads a rule of type "a" as every device with every access, so a
// narrower "a" rule is written as one rule for char and one for block devices.
func deviceRuleLines(rule specs.LinuxDeviceCgroup) ([]string, error) {
	access := rule.Access
	if access == "" {
		access = "rwm"
	}
	for _, c := range access {
		if !strings.ContainsRune("rwm", c) {
			return nil, fmt.Errorf("invalid access %q (want letters from \"rwm\")", rule.Access)
		}
	}
	num := func(p *int64) string {
		if p == nil || *p < 0 {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	nums := num(rule.Major) + ":" + num(rule.Minor)
	switch rule.Type {
	case "c", "b":
		return []string{rule.Type + " " + nums + " " + access}, nil
	case "", "a":
		if nums == "*:*" && strings.Contains(access, "r") && strings.Contains(access, "w") && strings.Contains(access, "m") {
			return []string{"a"}, nil
		}
		return []string{"c " + nums + " " + access, "b " + nums + " " + access}, nil
	default:
		return nil, fmt.Errorf("invalid device type %q (want \"a\", \"b\" or \"c\")", rule.Type)
	}
}
