package cgroups

import (
	"errors"
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setV1 applies resources on a v1 or hybrid host.
func (m *manager) setV1(r *specs.LinuxResources) error {
	if len(r.Unified) > 0 {
		return errors.New("linux.resources.unified: invalid configuration: cannot use unified on cgroup v1 (this host has no cgroup v2 for the container)")
	}
	for _, set := range []func(*specs.LinuxResources) error{
		m.setCpusetV1, m.setDevicesV1, m.setMemoryV1, m.setCPUV1, m.setPidsV1,
		m.setBlkioV1, m.setHugetlb, m.setNetworkV1, m.setRdma,
	} {
		if err := set(r); err != nil {
			return err
		}
	}
	return nil
}

// need returns the container's cgroup in the v1 hierarchy with controller,
// or an error naming the field that needed it.
func (m *manager) need(field, controller string) (cgroupDir, error) {
	if c := m.v1(controller); c != nil {
		return c.dir, nil
	}
	for _, c := range m.cgroups {
		if c.skipped && !c.v2 && c.has(controller) {
			return cgroupDir{}, fmt.Errorf("%s: cannot set %s limit: container could not join or create cgroup", field, controller)
		}
	}
	return cgroupDir{}, fmt.Errorf("%s: no %s cgroup hierarchy is mounted or joined", field, controller)
}

func (m *manager) setMemoryV1(r *specs.LinuxResources) error {
	mem := r.Memory
	if mem == nil {
		return nil
	}
	if i64(mem.Kernel) != 0 {
		warnf("linux.resources.memory.kernel: ignored: kernel memory limits were removed from cgroup v1 in Linux 6.x")
	}
	if mem.Limit == nil && mem.Swap == nil && mem.Reservation == nil && mem.KernelTCP == nil &&
		mem.Swappiness == nil && mem.DisableOOMKiller == nil && mem.UseHierarchy == nil {
		return nil
	}
	d, err := m.need("linux.resources.memory", "memory")
	if err != nil {
		return err
	}
	limit, swap := i64(mem.Limit), i64(mem.Swap)
	if isTrue(mem.CheckBeforeUpdate) {
		if err := checkUsage("linux.resources.memory.limit", d, "memory.usage_in_bytes", limit); err != nil {
			return err
		}
		if d.has("memory.memsw.usage_in_bytes") {
			if err := checkUsage("linux.resources.memory.swap", d, "memory.memsw.usage_in_bytes", swap); err != nil {
				return err
			}
		}
	}
	if err := setMemoryAndSwapV1(d, limit, swap); err != nil {
		return err
	}
	if mem.Reservation != nil {
		if err := writeField("linux.resources.memory.reservation", d, "memory.soft_limit_in_bytes", strconv.FormatInt(*mem.Reservation, 10)); err != nil {
			return err
		}
	}
	if mem.KernelTCP != nil {
		if err := writeField("linux.resources.memory.kernelTCP", d, "memory.kmem.tcp.limit_in_bytes", strconv.FormatInt(*mem.KernelTCP, 10)); err != nil {
			return err
		}
	}
	if mem.Swappiness != nil {
		if *mem.Swappiness > 100 {
			return fmt.Errorf("linux.resources.memory.swappiness: %d is out of range 0-100", *mem.Swappiness)
		}
		if err := writeField("linux.resources.memory.swappiness", d, "memory.swappiness", strconv.FormatUint(*mem.Swappiness, 10)); err != nil {
			return err
		}
	}
	if mem.DisableOOMKiller != nil {
		if err := writeField("linux.resources.memory.disableOOMKiller", d, "memory.oom_control", boolDigit(*mem.DisableOOMKiller)); err != nil {
			return err
		}
	}
	if mem.UseHierarchy != nil {
		if err := writeField("linux.resources.memory.useHierarchy", d, "memory.use_hierarchy", boolDigit(*mem.UseHierarchy)); err != nil {
			return err
		}
	}
	return nil
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// setMemoryAndSwapV1 writes memory.limit_in_bytes and
// memory.memsw.limit_in_bytes in an order the kernel accepts: it insists
// that memsw >= limit after every single write.
func setMemoryAndSwapV1(d cgroupDir, limit, swap int64) error {
	// Unlimited memory without a swap value means unlimited swap too;
	// otherwise an old memsw limit would still cap the container.
	if limit == -1 && swap == 0 && d.has("memory.memsw.limit_in_bytes") {
		swap = -1
	}
	swapFirst := false
	if limit != 0 && swap != 0 {
		cur, err := readUint(d, "memory.limit_in_bytes")
		if err != nil {
			return fmt.Errorf("linux.resources.memory.limit: %w", err)
		}
		// Raising: memsw must grow first. Lowering: the limit must shrink first.
		swapFirst = swap == -1 || cur < uint64(swap)
	}
	writeLimit := func() error {
		if limit == 0 {
			return nil
		}
		err := writeField("linux.resources.memory.limit", d, "memory.limit_in_bytes", strconv.FormatInt(limit, 10))
		if errors.Is(err, unix.EBUSY) {
			if usage, uerr := readUint(d, "memory.usage_in_bytes"); uerr == nil {
				return fmt.Errorf("%w (the cgroup uses %d bytes and the kernel could not reclaim enough)", err, usage)
			}
		}
		return err
	}
	writeSwap := func() error {
		if swap == 0 {
			return nil
		}
		return writeField("linux.resources.memory.swap", d, "memory.memsw.limit_in_bytes", strconv.FormatInt(swap, 10))
	}
	if swapFirst {
		if err := writeSwap(); err != nil {
			return err
		}
		return writeLimit()
	}
	if err := writeLimit(); err != nil {
		return err
	}
	return writeSwap()
}

func (m *manager) setCpusetV1(r *specs.LinuxResources) error {
	if r.CPU == nil || (r.CPU.Cpus == "" && r.CPU.Mems == "") {
		return nil
	}
	d, err := m.need("linux.resources.cpu", "cpuset")
	if err != nil {
		return err
	}
	return writeCpuset(d, r.CPU)
}

func (m *manager) setCPUV1(r *specs.LinuxResources) error {
	c := r.CPU
	if c == nil || (c.Shares == nil && c.Quota == nil && c.Period == nil && c.Burst == nil &&
		c.RealtimePeriod == nil && c.RealtimeRuntime == nil && c.Idle == nil) {
		return nil
	}
	d, err := m.need("linux.resources.cpu", "cpu")
	if err != nil {
		return err
	}
	if shares := u64(c.Shares); shares != 0 {
		if err := writeField("linux.resources.cpu.shares", d, "cpu.shares", strconv.FormatUint(shares, 10)); err != nil {
			return err
		}
		// The kernel clamps out-of-range shares silently; say so instead.
		got, err := readUint(d, "cpu.shares")
		if err != nil {
			return fmt.Errorf("linux.resources.cpu.shares: %w", err)
		}
		if got != shares {
			return fmt.Errorf("linux.resources.cpu.shares: the kernel set %d instead of %d (the range is 2-262144)", got, shares)
		}
	}
	// The rt period must be in place before the runtime that fits in it.
	if p := u64(c.RealtimePeriod); p != 0 {
		if err := writeField("linux.resources.cpu.realtimePeriod", d, "cpu.rt_period_us", strconv.FormatUint(p, 10)); err != nil {
			return err
		}
	}
	if rt := i64(c.RealtimeRuntime); rt != 0 {
		if err := writeField("linux.resources.cpu.realtimeRuntime", d, "cpu.rt_runtime_us", strconv.FormatInt(rt, 10)); err != nil {
			return err
		}
	}
	if err := setCFSV1(d, c); err != nil {
		return err
	}
	if c.Idle != nil {
		if err := writeField("linux.resources.cpu.idle", d, "cpu.idle", strconv.FormatInt(*c.Idle, 10)); err != nil {
			return err
		}
	}
	return nil
}

// setCFSV1 writes period, burst and quota. The kernel checks each write
// against the values already there (quota/period within the parent's,
// burst <= quota), so a write refused with EINVAL before the quota is
// written is tried again after it.
func setCFSV1(d cgroupDir, c *specs.LinuxCPU) error {
	quota := i64(c.Quota)
	var retry [][3]string // field, file, value
	if p := u64(c.Period); p != 0 {
		v := strconv.FormatUint(p, 10)
		if err := writeField("linux.resources.cpu.period", d, "cpu.cfs_period_us", v); err != nil {
			if !errors.Is(err, unix.EINVAL) || quota == 0 {
				return err
			}
			retry = append(retry, [3]string{"linux.resources.cpu.period", "cpu.cfs_period_us", v})
		}
	}
	if c.Burst != nil {
		v := strconv.FormatUint(*c.Burst, 10)
		if err := writeField("linux.resources.cpu.burst", d, "cpu.cfs_burst_us", v); err != nil {
			switch {
			case errors.Is(err, unix.ENOENT) && *c.Burst == 0:
				// Kernels without burst support are already at 0.
			case errors.Is(err, unix.EINVAL) && quota != 0:
				retry = append(retry, [3]string{"linux.resources.cpu.burst", "cpu.cfs_burst_us", v})
			default:
				return err
			}
		}
	}
	if quota != 0 {
		if err := writeField("linux.resources.cpu.quota", d, "cpu.cfs_quota_us", strconv.FormatInt(quota, 10)); err != nil {
			return err
		}
	}
	for _, w := range retry {
		if err := writeField(w[0], d, w[1], w[2]); err != nil {
			return err
		}
	}
	return nil
}

func (m *manager) setPidsV1(r *specs.LinuxResources) error {
	if r.Pids == nil || r.Pids.Limit == nil {
		return nil
	}
	d, err := m.need("linux.resources.pids", "pids")
	if err != nil {
		return err
	}
	return writeField("linux.resources.pids.limit", d, "pids.max", pidsMax(*r.Pids.Limit))
}

func (m *manager) setBlkioV1(r *specs.LinuxResources) error {
	b := r.BlockIO
	if b == nil || (b.Weight == nil && b.LeafWeight == nil && len(b.WeightDevice) == 0 &&
		len(b.ThrottleReadBpsDevice) == 0 && len(b.ThrottleWriteBpsDevice) == 0 &&
		len(b.ThrottleReadIOPSDevice) == 0 && len(b.ThrottleWriteIOPSDevice) == 0) {
		return nil
	}
	d, err := m.need("linux.resources.blockIO", "blkio")
	if err != nil {
		return err
	}
	// Since CFQ left the kernel (5.0), weights live in BFQ's files.
	weightFile, deviceFile := "blkio.weight", "blkio.weight_device"
	if !d.has(weightFile) && d.has("blkio.bfq.weight") {
		weightFile, deviceFile = "blkio.bfq.weight", "blkio.bfq.weight_device"
	}
	if b.Weight != nil && *b.Weight != 0 {
		if err := writeField("linux.resources.blockIO.weight", d, weightFile, strconv.Itoa(int(*b.Weight))); err != nil {
			return err
		}
	}
	if b.LeafWeight != nil && *b.LeafWeight != 0 {
		if err := writeField("linux.resources.blockIO.leafWeight", d, "blkio.leaf_weight", strconv.Itoa(int(*b.LeafWeight))); err != nil {
			return err
		}
	}
	for i, wd := range b.WeightDevice {
		field := fmt.Sprintf("linux.resources.blockIO.weightDevice[%d]", i)
		if wd.Weight != nil {
			if err := writeField(field+".weight", d, deviceFile, fmt.Sprintf("%d:%d %d", wd.Major, wd.Minor, *wd.Weight)); err != nil {
				return err
			}
		}
		if wd.LeafWeight != nil {
			if err := writeField(field+".leafWeight", d, "blkio.leaf_weight_device", fmt.Sprintf("%d:%d %d", wd.Major, wd.Minor, *wd.LeafWeight)); err != nil {
				return err
			}
		}
	}
	throttles := []struct {
		name string
		file string
		devs []specs.LinuxThrottleDevice
	}{
		{"throttleReadBpsDevice", "blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	}
	for _, t := range throttles {
		for i, td := range t.devs {
			field := fmt.Sprintf("linux.resources.blockIO.%s[%d]", t.name, i)
			if err := writeField(field, d, t.file, fmt.Sprintf("%d:%d %d", td.Major, td.Minor, td.Rate)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *manager) setNetworkV1(r *specs.LinuxResources) error {
	n := r.Network
	if n == nil {
		return nil
	}
	if n.ClassID != nil {
		d, err := m.need("linux.resources.network.classID", "net_cls")
		if err != nil {
			return err
		}
		if err := writeField("linux.resources.network.classID", d, "net_cls.classid", strconv.FormatUint(uint64(*n.ClassID), 10)); err != nil {
			return err
		}
	}
	if len(n.Priorities) == 0 {
		return nil
	}
	d, err := m.need("linux.resources.network.priorities", "net_prio")
	if err != nil {
		return err
	}
	for i, p := range n.Priorities {
		field := fmt.Sprintf("linux.resources.network.priorities[%d]", i)
		if err := writeField(field, d, "net_prio.ifpriomap", fmt.Sprintf("%s %d", p.Name, p.Priority)); err != nil {
			return err
		}
	}
	return nil
}
