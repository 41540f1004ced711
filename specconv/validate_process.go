package specconv

import (
	"fmt"
	"slices"

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

// UnknownCapabilities lists, sorted and once each, the names in c that
// are no capability hull knows. They are not an error: runc ignores them
// with a warning (configs written for a newer kernel keep working), and
// so does hull; they never reach a capability set.
func UnknownCapabilities(c *specs.LinuxCapabilities) []string {
	if c == nil {
		return nil
	}
	var unknown []string
	for _, set := range [][]string{c.Bounding, c.Effective, c.Inheritable, c.Permitted, c.Ambient} {
		for _, name := range set {
			if _, ok := CapabilityNumber(name); !ok && !slices.Contains(unknown, name) {
				unknown = append(unknown, name)
			}
		}
	}
	slices.Sort(unknown)
	return unknown
}
