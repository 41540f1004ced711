package libcontainer

import (
	"fmt"
	"maps"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/cgroups"
)

// Update changes the resource limits of a live container: the fields r
// sets are written to its cgroups and merged into its stored config, the
// others stay as they are, so that `state`, a later update and `events`
// agree with the kernel. Devices are not updated (as runc: the device
// rules stay those of create). When the kernel refuses a value, the
// files already changed get their old values back, the stored config is
// left alone and the error names the refused field.
func (c *Container) Update(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	lock, status, err := c.lockAndReload()
	if err != nil {
		return err
	}
	defer lock.unlock()
	if status == Stopped {
		return c.stateError(ErrNotRunning)
	}
	spec, err := c.rec.fullSpec()
	if err != nil {
		return err
	}
	var old *specs.LinuxResources
	if spec != nil && spec.Linux != nil {
		old = spec.Linux.Resources
	}
	merged, apply := mergeResources(old, r)
	mgr := cgroups.Load(c.rec.CgroupPaths)
	if err := mgr.Set(apply); err != nil {
		return fmt.Errorf("update resources: %w", err)
	}
	if spec == nil {
		return nil
	}
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	spec.Linux.Resources = merged
	return saveRecord(c.dir, c.rec, mgr)
}

// mergeResources returns old with upd's fields laid over it (what the
// container has after the update), and what to write: upd without
// devices, completed with the old half of the pairs the kernel takes
// together (quota and period in cpu.max, memory and swap).
func mergeResources(old, upd *specs.LinuxResources) (merged, apply *specs.LinuxResources) {
	m := &specs.LinuxResources{}
	if old != nil {
		m = cloneResources(old)
	}
	a := cloneResources(upd)
	a.Devices = nil
	if u := a.Memory; u != nil {
		if m.Memory == nil {
			m.Memory = &specs.LinuxMemory{}
		}
		mm := m.Memory
		set(&mm.Limit, u.Limit)
		set(&mm.Reservation, u.Reservation)
		set(&mm.Swap, u.Swap)
		set(&mm.Kernel, u.Kernel)
		set(&mm.KernelTCP, u.KernelTCP)
		set(&mm.Swappiness, u.Swappiness)
		set(&mm.DisableOOMKiller, u.DisableOOMKiller)
		set(&mm.UseHierarchy, u.UseHierarchy)
		set(&mm.CheckBeforeUpdate, u.CheckBeforeUpdate)
		switch {
		case u.Limit != nil && *u.Limit == -1 && u.Swap == nil:
			// Unlimited memory without a swap value: unlimited swap too
			// (runc's rule, which cgroups applies), not the old limit.
			mm.Swap = nil
		case u.Limit != nil && u.Swap == nil:
			u.Swap = mm.Swap
		}
		if u.Swap != nil && u.Limit == nil {
			u.Limit = mm.Limit
		}
	}
	if u := a.CPU; u != nil {
		if m.CPU == nil {
			m.CPU = &specs.LinuxCPU{}
		}
		mc := m.CPU
		set(&mc.Shares, u.Shares)
		set(&mc.Quota, u.Quota)
		set(&mc.Burst, u.Burst)
		set(&mc.Period, u.Period)
		set(&mc.RealtimeRuntime, u.RealtimeRuntime)
		set(&mc.RealtimePeriod, u.RealtimePeriod)
		set(&mc.Idle, u.Idle)
		if u.Cpus != "" {
			mc.Cpus = u.Cpus
		}
		if u.Mems != "" {
			mc.Mems = u.Mems
		}
		if u.Quota != nil && u.Period == nil {
			u.Period = mc.Period
		}
		if u.Period != nil && u.Quota == nil {
			u.Quota = mc.Quota
		}
	}
	if u := a.Pids; u != nil && u.Limit != nil {
		if m.Pids == nil {
			m.Pids = &specs.LinuxPids{}
		}
		m.Pids.Limit = u.Limit
	}
	if u := a.BlockIO; u != nil {
		if m.BlockIO == nil {
			m.BlockIO = &specs.LinuxBlockIO{}
		}
		mb := m.BlockIO
		set(&mb.Weight, u.Weight)
		set(&mb.LeafWeight, u.LeafWeight)
		for _, wd := range u.WeightDevice {
			mb.WeightDevice = upsertDevice(mb.WeightDevice, wd, func(d specs.LinuxWeightDevice) specs.LinuxBlockIODevice { return d.LinuxBlockIODevice })
		}
		for _, p := range []struct{ dst, src *[]specs.LinuxThrottleDevice }{
			{&mb.ThrottleReadBpsDevice, &u.ThrottleReadBpsDevice}, {&mb.ThrottleWriteBpsDevice, &u.ThrottleWriteBpsDevice},
			{&mb.ThrottleReadIOPSDevice, &u.ThrottleReadIOPSDevice}, {&mb.ThrottleWriteIOPSDevice, &u.ThrottleWriteIOPSDevice},
		} {
			for _, td := range *p.src {
				*p.dst = upsertDevice(*p.dst, td, func(d specs.LinuxThrottleDevice) specs.LinuxBlockIODevice { return d.LinuxBlockIODevice })
			}
		}
	}
	for _, h := range a.HugepageLimits {
		replaced := false
		for i := range m.HugepageLimits {
			if m.HugepageLimits[i].Pagesize == h.Pagesize {
				m.HugepageLimits[i], replaced = h, true
			}
		}
		if !replaced {
			m.HugepageLimits = append(m.HugepageLimits, h)
		}
	}
	if a.Network != nil {
		m.Network = a.Network
	}
	if len(a.Rdma) > 0 {
		if m.Rdma == nil {
			m.Rdma = map[string]specs.LinuxRdma{}
		}
		maps.Copy(m.Rdma, a.Rdma)
	}
	if len(a.Unified) > 0 {
		if m.Unified == nil {
			m.Unified = map[string]string{}
		}
		maps.Copy(m.Unified, a.Unified)
	}
	return m, a
}

// set overwrites *dst with src when src is given.
func set[T any](dst **T, src *T) {
	if src != nil {
		v := *src
		*dst = &v
	}
}

// upsertDevice replaces the entry for d's device, or appends d.
func upsertDevice[T any](list []T, d T, dev func(T) specs.LinuxBlockIODevice) []T {
	for i := range list {
		if dev(list[i]) == dev(d) {
			list[i] = d
			return list
		}
	}
	return append(list, d)
}

// cloneResources deep-copies r through its pointers, so that merging
// never changes the caller's values.
func cloneResources(r *specs.LinuxResources) *specs.LinuxResources {
	c := *r
	if r.Memory != nil {
		m := *r.Memory
		c.Memory = &m
	}
	if r.CPU != nil {
		cpu := *r.CPU
		c.CPU = &cpu
	}
	if r.Pids != nil {
		p := *r.Pids
		c.Pids = &p
	}
	if r.BlockIO != nil {
		b := *r.BlockIO
		b.WeightDevice = append([]specs.LinuxWeightDevice(nil), b.WeightDevice...)
		b.ThrottleReadBpsDevice = append([]specs.LinuxThrottleDevice(nil), b.ThrottleReadBpsDevice...)
		b.ThrottleWriteBpsDevice = append([]specs.LinuxThrottleDevice(nil), b.ThrottleWriteBpsDevice...)
		b.ThrottleReadIOPSDevice = append([]specs.LinuxThrottleDevice(nil), b.ThrottleReadIOPSDevice...)
		b.ThrottleWriteIOPSDevice = append([]specs.LinuxThrottleDevice(nil), b.ThrottleWriteIOPSDevice...)
		c.BlockIO = &b
	}
	c.HugepageLimits = append([]specs.LinuxHugepageLimit(nil), r.HugepageLimits...)
	c.Devices = append([]specs.LinuxDeviceCgroup(nil), r.Devices...)
	c.Rdma = maps.Clone(r.Rdma)
	c.Unified = maps.Clone(r.Unified)
	return &c
}
