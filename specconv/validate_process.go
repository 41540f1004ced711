package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ValidateProcess checks a process as used by create and exec: args, cwd,
// rlimits, capabilities, the OOM score adjustment, the scheduler, the I/O
// priority and the CPU affinity of an exec.
func ValidateProcess(p *specs.Process) error {
	if p == nil {
		return fmt.Errorf("process: must be set")
	}
	if len(p.Args) == 0 && p.CommandLine == "" {
		return fmt.Errorf("process.args: must not be empty")
	}
	if len(p.Args) > 0 && p.Args[0] == "" {
		return fmt.Errorf("process.args[0]: must not be empty")
	}
	if p.CommandLine != "" {
		return fmt.Errorf("process.commandLine: only for Windows containers")
	}
	if err := checkAbs("process.cwd", p.Cwd); err != nil {
		return err
	}
	if err := validateRlimits(p.Rlimits); err != nil {
		return err
	}
	if err := validateCapabilities(p.Capabilities); err != nil {
		return err
	}
	if err := validateLabels(p); err != nil {
		return err
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < -1000 || *p.OOMScoreAdj > 1000) {
		return fmt.Errorf("process.oomScoreAdj: %d is out of range [-1000, 1000]", *p.OOMScoreAdj)
	}
	if err := validateScheduler(p.Scheduler); err != nil {
		return err
	}
	if err := validateIOPriority(p.IOPriority); err != nil {
		return err
	}
	if err := validateExecCPUAffinity(p.ExecCPUAffinity); err != nil {
		return err
	}
	return nil
}

func validateRlimits(rlimits []specs.POSIXRlimit) error {
	seen := map[string]bool{}
	for i, rl := range rlimits {
		if _, ok := RlimitNumber(rl.Type); !ok {
			return fmt.Errorf("process.rlimits[%d].type: unknown rlimit %q", i, rl.Type)
		}
		if seen[rl.Type] {
			return fmt.Errorf("process.rlimits[%d].type: duplicate rlimit %q", i, rl.Type)
		}
		seen[rl.Type] = true
		if rl.Soft > rl.Hard {
			return fmt.Errorf("process.rlimits[%d]: soft limit %d is above hard limit %d", i, rl.Soft, rl.Hard)
		}
	}
	return nil
}

func validateCapabilities(c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	sets := []struct {
		name  string
		names []string
	}{
		{"bounding", c.Bounding}, {"effective", c.Effective}, {"inheritable", c.Inheritable},
		{"permitted", c.Permitted}, {"ambient", c.Ambient},
	}
	for _, set := range sets {
		for i, name := range set.names {
			if _, ok := CapabilityNumber(name); !ok {
				return fmt.Errorf("process.capabilities.%s[%d]: unknown capability %q", set.name, i, name)
			}
		}
	}
	return nil
}
