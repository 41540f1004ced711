package specconv

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// schedPolicies maps process.scheduler.policy to the kernel's SCHED_*
// numbers (linux/sched.h). SCHED_ISO is in the spec but not in mainline
// Linux: sched_setattr refuses it, and the error names the policy.
var schedPolicies = map[specs.LinuxSchedulerPolicy]uint64{
	specs.SchedOther: 0, specs.SchedFIFO: 1, specs.SchedRR: 2, specs.SchedBatch: 3,
	specs.SchedISO: 4, specs.SchedIdle: 5, specs.SchedDeadline: 6,
}

// schedFlags maps process.scheduler.flags to SCHED_FLAG_* bits
// (linux/sched.h).
var schedFlags = map[specs.LinuxSchedulerFlag]uint64{
	specs.SchedFlagResetOnFork:  0x01,
	specs.SchedFlagReclaim:      0x02,
	specs.SchedFlagDLOverrun:    0x04,
	specs.SchedFlagKeepPolicy:   0x08,
	specs.SchedFlagKeepParams:   0x10,
	specs.SchedFlagUtilClampMin: 0x20,
	specs.SchedFlagUtilClampMax: 0x40,
}

// ioprioClasses maps process.ioPriority.class to IOPRIO_CLASS_* numbers
// (linux/ioprio.h).
var ioprioClasses = map[specs.IOPriorityClass]uint64{
	specs.IOPRIO_CLASS_RT: 1, specs.IOPRIO_CLASS_BE: 2, specs.IOPRIO_CLASS_IDLE: 3,
}

// SchedAttr is process.scheduler as the fields of struct sched_attr.
type SchedAttr struct {
	Policy, Flags             uint64
	Nice                      int32
	Priority                  uint32
	Runtime, Deadline, Period uint64
}

// SchedulerAttr converts a validated process.scheduler.
func SchedulerAttr(s *specs.Scheduler) SchedAttr {
	a := SchedAttr{
		Policy: schedPolicies[s.Policy], Nice: s.Nice, Priority: uint32(s.Priority),
		Runtime: s.Runtime, Deadline: s.Deadline, Period: s.Period,
	}
	for _, f := range s.Flags {
		a.Flags |= schedFlags[f]
	}
	return a
}

// IOPriorityValue is the ioprio_set(2) value of a validated
// process.ioPriority: class << 13 | level.
func IOPriorityValue(p *specs.LinuxIOPriority) uint64 {
	return ioprioClasses[p.Class]<<13 | uint64(p.Priority)
}

func validateScheduler(s *specs.Scheduler) error {
	if s == nil {
		return nil
	}
	if _, ok := schedPolicies[s.Policy]; !ok {
		return fmt.Errorf("process.scheduler.policy: unknown policy %q", s.Policy)
	}
	for i, f := range s.Flags {
		if _, ok := schedFlags[f]; !ok {
			return fmt.Errorf("process.scheduler.flags[%d]: unknown flag %q", i, f)
		}
	}
	if (s.Policy == specs.SchedOther || s.Policy == specs.SchedBatch) && (s.Nice < -20 || s.Nice > 19) {
		return fmt.Errorf("process.scheduler.nice: %d is out of range [-20, 19] for %s", s.Nice, s.Policy)
	}
	realtime := s.Policy == specs.SchedFIFO || s.Policy == specs.SchedRR
	switch {
	case s.Priority != 0 && !realtime:
		return fmt.Errorf("process.scheduler.priority: only for SCHED_FIFO and SCHED_RR, not %s", s.Policy)
	case realtime && (s.Priority < 1 || s.Priority > 99):
		return fmt.Errorf("process.scheduler.priority: %d is out of range [1, 99] for %s", s.Priority, s.Policy)
	}
	if s.Policy != specs.SchedDeadline && (s.Runtime != 0 || s.Deadline != 0 || s.Period != 0) {
		return fmt.Errorf("process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE, not %s", s.Policy)
	}
	return nil
}

func validateIOPriority(p *specs.LinuxIOPriority) error {
	if p == nil {
		return nil
	}
	if _, ok := ioprioClasses[p.Class]; !ok {
		return fmt.Errorf("process.ioPriority.class: unknown class %q (want IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)", p.Class)
	}
	if p.Priority < 0 || p.Priority > 7 {
		return fmt.Errorf("process.ioPriority.priority: %d is out of range [0, 7]", p.Priority)
	}
	return nil
}

func validateExecCPUAffinity(a *specs.CPUAffinity) error {
	if a == nil {
		return nil
	}
	for _, f := range []struct{ name, list string }{{"initial", a.Initial}, {"final", a.Final}} {
		mask, err := ParseIDList(f.list)
		if err != nil {
			return fmt.Errorf("process.execCPUAffinity.%s: %w", f.name, err)
		}
		if f.list != "" && mask == nil {
			return fmt.Errorf("process.execCPUAffinity.%s: %q names no CPU", f.name, f.list)
		}
	}
	return nil
}
